"""What a profile counts: ``ProfileSpec``, and ``make_spec``, which fixes numeric bin edges from the reference.

Bin edges must be the same for every partition, or counts cannot be added: they are fixed once, from the reference
window's quantiles (deciles by default), and travel with the spec to wherever a partition is profiled. A value ``x``
falls in bin ``i`` = the number of edges ``<= x`` (numpy's ``searchsorted(edges, x, side="right")``), so there are
``len(edges) + 1`` bins and values beyond the reference's range land in the first or last bin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_no_nan, require_rows, require_whole_number

__all__ = ["OUTCOME_COLUMN", "ProfileSpec", "make_spec"]

#: The outcome a lender has on record (``helpers.labels.observed_outcomes``): 0.0 or 1.0, NaN/null when unobserved.
OUTCOME_COLUMN = "observed_default"


@dataclass(frozen=True)
class ProfileSpec:
    """What a profile counts (the same spec must be used for every partition that will be merged).

    ``edges``: numeric feature -> its bin edges (increasing floats); ``categorical``: columns counted per value
    (strings or whole numbers); ``group``: the protected column whose approvals are counted; ``segment``: the
    column whose outcomes are counted; ``decision``: the 0/1 approval column; ``sketch_k``: the KLL sketches' size
    parameter (rank error about 1.7% at k=200, 0.17% at k=2000; bytes grow with k).
    """

    edges: dict
    categorical: tuple = ()
    group: str = "group"
    segment: str = "region"
    decision: str = "approved"
    sketch_k: int = 200

    @property
    def numeric(self) -> tuple:
        """The numeric features, in the order of ``edges``."""
        return tuple(self.edges)

    def columns(self) -> list[str]:
        """Every column a partition must have for this spec."""
        names = [*self.numeric, *self.categorical, self.group, self.segment, self.decision, OUTCOME_COLUMN]
        return list(dict.fromkeys(names))  # the segment may also be a categorical column


def make_spec(
    reference: pd.DataFrame,
    numeric,
    categorical=(),
    bins: int = 10,
    sketch_k: int = 200,
    **columns,
) -> ProfileSpec:
    """A ``ProfileSpec`` whose numeric edges are the reference's quantiles at 1/bins, 2/bins, ... (ties merged).

    ``columns`` may name ``group``, ``segment`` and ``decision`` (defaults: ``group``, ``region``, ``approved``).
    Raises ``ValueError`` naming an empty reference, a missing column, NaN, a ``bins`` below 2 or a ``sketch_k``
    outside KLL's range 8-65535.
    """
    require_rows(reference, "reference")
    numeric, categorical = list(numeric), list(categorical)
    require_columns(reference, numeric + categorical, "reference")
    require_no_nan(reference, numeric, "reference")
    require_whole_number(bins, "bins", minimum=2)
    require_whole_number(sketch_k, "sketch_k", minimum=8, note="KLL sketches take k from 8 to 65535")
    if sketch_k > 65535:
        raise ValueError(f"sketch_k must be at most 65535 (KLL's limit), got {sketch_k}")
    levels = np.arange(1, bins) / bins
    edges = {name: tuple(float(e) for e in np.unique(np.quantile(reference[name].to_numpy(float), levels)))
             for name in numeric}  # fmt: skip
    return ProfileSpec(edges=edges, categorical=tuple(categorical), sketch_k=sketch_k, **columns)
