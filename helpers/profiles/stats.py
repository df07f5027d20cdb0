"""Statistics from merged profiles: the course's drift, fairness and performance numbers without the raw rows.

* ``psi``, ``jensen_shannon``, ``chi_square``: Evidently's formulas (``evidently.legacy.calculations.stattests``:
  ``psi.py``, ``jensenshannon.py``, ``chisquare_stattest.py``) applied to a profile's counts, bin by bin or category
  by category, over the keys seen in either window. PSI and Jensen-Shannon are distances (drift when large; natural
  logarithm); chi-square returns a p-value (drift when small). On a numeric feature Evidently bins each window
  afresh (Sturges' edges over reference and current together, which needs the raw values); a profile's bins are the
  reference's deciles, fixed once, so the numbers are Evidently's statistics of the *binned* feature.
* ``disparate_impact``: the unprivileged group's approval rate over the privileged group's, with a confidence
  interval for the ratio (Katz's log method).
* ``observed_performance``: per segment, what a lender knows: approved loans repaid, defaulted or still pending, and
  the declined (never observed: selective labels).
* ``sketch_ks``: the largest CDF difference between two KLL sketches (an approximate Kolmogorov-Smirnov D), its
  error bound, and DataSketches' own KS decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from datasketches import kll_doubles_sketch, ks_test
from scipy import stats
from scipy.spatial import distance

from helpers.profiles.profile import OUTCOME_KEYS, Profile

__all__ = ["chi_square", "disparate_impact", "jensen_shannon", "observed_performance", "psi", "shares", "sketch_ks"]


def _column_counts(profile: Profile, column: str) -> dict:
    found = {key: n for (kind, col, key), n in profile.counts.items() if kind in ("bin", "category") and col == column}
    if not found and profile.rows:
        known = sorted({col for (kind, col, _) in profile.counts if kind in ("bin", "category")})
        raise ValueError(f"column {column!r} is not in the profile; profiled columns: {', '.join(known)}")
    return found


def shares(reference: Profile, current: Profile, column: str) -> pd.DataFrame:
    """Counts of ``column`` per bin or category in both windows, over the keys seen in either (rows: keys)."""
    for name, profile in (("reference", reference), ("current", current)):
        if not isinstance(profile, Profile) or profile.rows == 0:
            raise ValueError(f"the {name} profile is empty: a drift statistic needs rows in both windows")
    ref, cur = _column_counts(reference, column), _column_counts(current, column)
    keys = sorted(k for k in set(ref) | set(cur) if ref.get(k, 0) + cur.get(k, 0) > 0)
    return pd.DataFrame({"reference": [ref.get(k, 0) for k in keys], "current": [cur.get(k, 0) for k in keys]},
                        index=pd.Index(keys, name=column))  # fmt: skip


def _fill_zeroes(percents: np.ndarray) -> np.ndarray:
    """Evidently's rule (``get_binned_data(feel_zeroes=True)``): an empty bin gets min(non-zero)/1e6, or 0.0001."""
    smallest = percents[percents != 0].min()
    return np.where(percents == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001, percents)


def psi(reference: Profile, current: Profile, column: str) -> float:
    """Population stability index of ``column`` between two profiles (0: identical; Evidently's line is 0.1)."""
    table = shares(reference, current, column)
    ref = _fill_zeroes(table["reference"].to_numpy() / reference.rows)
    cur = _fill_zeroes(table["current"].to_numpy() / current.rows)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


def jensen_shannon(reference: Profile, current: Profile, column: str) -> float:
    """Jensen-Shannon distance of ``column`` between two profiles (0 to sqrt(ln 2) = 0.83; Evidently's line 0.1)."""
    table = shares(reference, current, column)
    return float(distance.jensenshannon(table["reference"] / reference.rows, table["current"] / current.rows))


def chi_square(reference: Profile, current: Profile, column: str) -> float:
    """Evidently's chi-square p-value: the current counts against the reference's shares scaled to the current."""
    table = shares(reference, current, column)
    expected = table["reference"].to_numpy() * (current.rows / reference.rows)
    return float(stats.chisquare(table["current"].to_numpy(), expected)[1])


def disparate_impact(profile: Profile, privileged: str, unprivileged: str, confidence: float = 0.95) -> dict:
    """Approval rate of ``unprivileged`` over ``privileged``, with a ``confidence`` interval (Katz's log method).

    Returns ``ratio``, ``low``, ``high`` and each group's ``rate`` and ``rows``. Raises ``ValueError`` naming a group
    with no rows or no approvals (the ratio or its interval would be undefined), or a confidence outside (0, 1).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    counts = {}
    for group in (privileged, unprivileged):
        rows, approved = (
            profile.counts.get(("group", group, "rows"), 0),
            profile.counts.get(("group", group, "approved"), 0),
        )
        if rows == 0 or approved == 0:
            groups = sorted({col for (kind, col, key) in profile.counts if kind == "group"})
            raise ValueError(f"group {group!r} has {rows} rows and {approved} approvals in the profile (groups: "
                             f"{', '.join(groups) or 'none'}); the ratio needs approvals in both groups")  # fmt: skip
        counts[group] = (rows, approved)
    (n1, a1), (n0, a0) = counts[privileged], counts[unprivileged]
    ratio = (a0 / n0) / (a1 / n1)
    z = stats.norm.ppf(0.5 + confidence / 2)
    spread = z * np.sqrt(1 / a0 - 1 / n0 + 1 / a1 - 1 / n1)
    return {
        "ratio": ratio,
        "low": float(ratio * np.exp(-spread)),
        "high": float(ratio * np.exp(spread)),
        "privileged_rate": a1 / n1,
        "unprivileged_rate": a0 / n0,
        "privileged_rows": n1,
        "unprivileged_rows": n0,
    }


def observed_performance(profile: Profile) -> pd.DataFrame:
    """Per segment and in total: decisions and outcomes on record, and the observed default rate of approved loans.

    ``observed_default_rate`` = defaulted / (repaid + defaulted) among approved loans whose outcome is on record (NaN
    where none is yet); declined applications have no outcome, ever, so no accuracy over all applicants exists.
    """
    rows = {}
    for (kind, segment, key), n in profile.counts.items():
        if kind == "outcome":
            rows.setdefault(segment, dict.fromkeys(OUTCOME_KEYS, 0))[key] += n
    if not rows:
        raise ValueError("the profile has no outcome counts: profile partitions with a decision and an outcome column")
    table = pd.DataFrame.from_dict(rows, orient="index")[list(OUTCOME_KEYS)].sort_index()
    table.loc["all"] = table.sum()
    labelled = table["approved_repaid"] + table["approved_defaulted"]
    table["observed_default_rate"] = (table["approved_defaulted"] / labelled.where(labelled > 0)).astype(float)
    table.index.name = "segment"
    return table


def _sketch_of(window, feature: str | None) -> kll_doubles_sketch:
    if isinstance(window, kll_doubles_sketch):
        return window
    if isinstance(window, Profile):
        if feature is None:
            raise ValueError("feature is None: name the feature whose sketches to compare (profiles hold several)")
        return window.sketch(feature)
    raise TypeError(f"sketch_ks compares Profiles or kll_doubles_sketch objects, got {type(window).__name__}")


def sketch_ks(reference, current, feature: str | None = None, p_value: float = 0.05) -> dict:
    """Approximate KS between two KLL sketches, as DataSketches' ``ks_test`` decides it.

    ``reference`` and ``current``: two ``Profile`` (then ``feature`` names the sketches) or two
    ``datasketches.kll_doubles_sketch``.

    Returns ``d``: the largest difference of the two sketches' CDFs at every item either sketch retains (the
    exact D's estimate); ``error``: the sum of the sketches' normalized rank errors (how far ``d`` may be from the
    exact D); ``floor``: the D the test needs, ``sqrt(-ln(p/2)/2) * sqrt((r1 + r2) / (r1 * r2)) + error`` with
    ``r1``, ``r2`` the items the sketches *retain*, not the rows they saw (datasketches-cpp,
    ``kolmogorov_smirnov_impl.hpp``): so no number of rows lowers it, only a larger ``k``; ``rejects``:
    ``datasketches.ks_test`` (True: ``d > floor``, the distributions differ); ``k``: the sketch size.
    """
    if not 0 < p_value < 1:
        raise ValueError(f"p_value must lie strictly between 0 and 1, got {p_value!r}")
    a, b = _sketch_of(reference, feature), _sketch_of(current, feature)
    if a.is_empty() or b.is_empty():
        raise ValueError(f"a sketch of {feature or 'the values'!r} is empty: KS needs values in both windows")
    points = np.unique(np.fromiter((x for sketch in (a, b) for x, _ in sketch), dtype=float))
    d = float(np.max(np.abs(np.asarray(a.get_cdf(points))[:-1] - np.asarray(b.get_cdf(points))[:-1])))
    error = a.normalized_rank_error(False) + b.normalized_rank_error(False)
    r1, r2 = a.num_retained, b.num_retained
    floor = np.sqrt(-0.5 * np.log(0.5 * p_value)) * np.sqrt((r1 + r2) / (r1 * r2)) + error
    return {"d": d, "error": float(error), "floor": float(floor), "rejects": bool(ks_test(a, b, p_value)), "k": a.k}
