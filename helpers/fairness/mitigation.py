"""Mitigation before training: AIF360's Reweighing, as sample weights a scikit-learn model can use."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.fairness.aif import PRIVILEGED_GROUPS, UNPRIVILEGED_GROUPS, Reweighing, as_dataset
from helpers.fairness.inputs import binary, check_frame, privileged_mask, resolve_groups

__all__ = [
    "reweigh",
]


def reweigh(df: pd.DataFrame, outcome: str, protected: str, privileged: Any, favorable: Any = 1) -> np.ndarray:
    """Sample weights from AIF360's Reweighing (Kamiran & Calders), aligned with the rows of ``df``.

    Each (group, outcome) cell gets weight P(group) x P(outcome) / P(group, outcome): after weighting, outcome and
    group are independent in the training data (the weighted DI of ``outcome`` is exactly 1). Pass the result as
    ``sample_weight`` to a scikit-learn model (``helpers.models.train_baseline(..., sample_weight=w)``).

    Raises:
        ValueError: as ``audit``, and when a (group, outcome) cell is empty (its weight would be infinite).
    """
    what = "training data"
    check_frame(df, [outcome, protected], what)
    groups = resolve_groups(df, protected, privileged, what)
    labels = binary(df, outcome, favorable, what)
    mask = privileged_mask(df, groups)
    for name, in_group in ((groups.privileged_name, mask), (groups.unprivileged_name, ~mask)):
        for value, kind in ((1, "favourable"), (0, "unfavourable")):
            if not np.any(labels[in_group] == value):
                raise ValueError(
                    f"group {name!r} of column {protected!r} has no row with the {kind} outcome in {outcome!r}: "
                    f"Reweighing needs every (group, outcome) combination"
                )
    transformed = Reweighing(unprivileged_groups=UNPRIVILEGED_GROUPS, privileged_groups=PRIVILEGED_GROUPS).fit_transform(
        as_dataset(labels, mask)
    )
    return np.asarray(transformed.instance_weights, dtype=float).copy()
