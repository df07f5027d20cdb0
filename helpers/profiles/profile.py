"""One partition's profile (``profile_frame``) and how profiles merge (``merge``, ``merge_all``).

A ``Profile`` holds exact counts, keyed ``(kind, column, key)``, and one serialized KLL sketch per numeric feature:

* ``("rows", "", "")``: rows in the partition;
* ``("bin", feature, "03")``: rows whose ``feature`` falls in bin 3 (``ProfileSpec``'s edges);
* ``("category", column, value)``: rows with that value;
* ``("group", value, "rows" | "approved")``: applications and approvals of each protected group;
* ``("outcome", segment, "declined" | "approved_repaid" | "approved_defaulted" | "approved_pending")``: decisions
  and what a lender has on record for them (a declined applicant's outcome is never observed; an approved loan's is
  pending until its outcome window closes).

Counts add exactly, so merging is associative and commutative; sketches merge too, but a KLL sketch is randomized
(which items a compaction keeps is a coin flip), so a merged sketch's quantiles are approximate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from datasketches import kll_doubles_sketch

from helpers.profiles.spec import OUTCOME_COLUMN, ProfileSpec
from helpers.validation import require_columns, require_no_nan

__all__ = ["Profile", "merge", "merge_all", "outcome_counts", "profile_frame"]

OUTCOME_KEYS = ("declined", "approved_repaid", "approved_defaulted", "approved_pending")


@dataclass
class Profile:
    """Exact counts (``counts``: ``(kind, column, key)`` -> int) and KLL sketches (``sketches``: feature -> bytes)."""

    counts: dict = field(default_factory=dict)
    sketches: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows profiled."""
        return self.counts.get(("rows", "", ""), 0)

    def table(self) -> pd.Series:
        """The counts as a Series with a (kind, column, key) index, sorted: easy to compare and to read."""
        index = pd.MultiIndex.from_tuples(sorted(self.counts), names=["kind", "column", "key"])
        return pd.Series([self.counts[k] for k in index], index=index, name="count", dtype="int64")

    def sketch(self, feature: str) -> kll_doubles_sketch:
        """The KLL sketch of ``feature`` (a fresh object: updating it does not change the profile)."""
        if feature not in self.sketches:
            raise KeyError(f"no sketch for {feature!r}; sketched features: {', '.join(self.sketches) or 'none'}")
        return kll_doubles_sketch.deserialize(self.sketches[feature])


def outcome_counts(decision: np.ndarray, outcome: np.ndarray) -> dict:
    """Counts of ``OUTCOME_KEYS`` for 0/1 decisions and observed outcomes (NaN = not on record)."""
    approved = decision == 1
    unknown = np.isnan(outcome)
    return {
        "declined": int((~approved).sum()),
        "approved_repaid": int((approved & ~unknown & (outcome == 0)).sum()),
        "approved_defaulted": int((approved & ~unknown & (outcome == 1)).sum()),
        "approved_pending": int((approved & unknown).sum()),
    }


def profile_frame(frame: pd.DataFrame, spec: ProfileSpec) -> Profile:
    """The profile of one partition (a pandas frame with every column of ``spec.columns()``).

    Raises ``ValueError`` naming a missing column, NaN in a numeric feature, a category or group that is missing,
    or a decision that is not 0/1. An empty frame gives an empty profile (rows 0), which merges as zero.
    """
    require_columns(frame, spec.columns(), "partition")
    require_no_nan(frame, [c for c in spec.columns() if c != OUTCOME_COLUMN], "partition")
    decision = frame[spec.decision].to_numpy()
    if len(frame) and not np.isin(decision, (0, 1)).all():
        raise ValueError(
            f"partition's column {spec.decision!r} must hold 0 or 1, got {decision[~np.isin(decision, (0, 1))][0]!r}"
        )
    counts = {("rows", "", ""): len(frame)}
    sketches = {}
    for feature, edges in spec.edges.items():
        values = frame[feature].to_numpy(float)
        per_bin = np.bincount(np.searchsorted(np.asarray(edges), values, side="right"), minlength=len(edges) + 1)
        counts.update({("bin", feature, f"{i:02d}"): int(n) for i, n in enumerate(per_bin)})
        sketch = kll_doubles_sketch(spec.sketch_k)
        sketch.update(values)
        sketches[feature] = sketch.serialize()
    for column in spec.categorical:
        counts.update({("category", column, str(v)): int(n) for v, n in frame[column].value_counts().items()})
    by_group = frame.groupby(spec.group, sort=True)[spec.decision].agg(["size", "sum"])
    for group, row in by_group.iterrows():
        counts[("group", str(group), "rows")] = int(row["size"])
        counts[("group", str(group), "approved")] = int(row["sum"])
    outcome = frame[OUTCOME_COLUMN].to_numpy(float)
    for segment, rows in frame.groupby(spec.segment, sort=True).indices.items():
        for key, n in outcome_counts(decision[rows], outcome[rows]).items():
            counts[("outcome", str(segment), key)] = n
    return Profile(counts, sketches)


def merge(a: Profile, b: Profile) -> Profile:
    """The profile of the union of two partitions: counts added, sketches merged (neither input changes)."""
    if not isinstance(a, Profile) or not isinstance(b, Profile):
        raise TypeError(f"merge takes two Profiles, got {type(a).__name__} and {type(b).__name__}")
    counts = dict(a.counts)
    for key, n in b.counts.items():
        counts[key] = counts.get(key, 0) + n
    sketches = dict(a.sketches)
    for feature, blob in b.sketches.items():
        if feature in sketches:
            merged = kll_doubles_sketch.deserialize(sketches[feature])
            merged.merge(kll_doubles_sketch.deserialize(blob))
            sketches[feature] = merged.serialize()
        else:
            sketches[feature] = blob
    return Profile(counts, sketches)


def merge_all(profiles: Iterable[Profile]) -> Profile:
    """All ``profiles`` merged into one (an empty iterable gives the empty profile)."""
    total = Profile()
    for profile in profiles:
        total = merge(total, profile)
    return total
