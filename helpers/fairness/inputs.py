"""The fairness helpers' input checks: the protected column mapped to privileged / unprivileged, the outcome to
favourable / not, with errors that name the column and the values present (AIF360 itself would return nan)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_no_nan, require_rows

__all__ = [
    "Groups", "resolve_groups", "privileged_mask", "binary", "check_frame",
]


def _as_values(privileged: Any) -> list[Any]:
    if isinstance(privileged, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
        values = list(privileged)
    else:
        values = [privileged]
    if not values:
        raise ValueError("privileged must be a value or a non-empty list of values of the protected column")
    return values


def _describe_values(values: Iterable[Any], limit: int = 20) -> str:
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    values = sorted(values, key=lambda v: (str(type(v)), v) if not isinstance(v, str) else ("str", v))
    shown = ", ".join(map(repr, values[:limit]))
    return shown + (f", ... ({len(values)} values)" if len(values) > limit else "")


@dataclass(frozen=True)
class Groups:
    """The protected column mapped to 1 (privileged) / 0 (unprivileged), with display names."""

    column: str
    values: tuple
    privileged_name: str
    unprivileged_name: str


def resolve_groups(df: pd.DataFrame, protected: str, privileged: Any, what: str) -> Groups:
    """Check that every privileged value occurs and that some rows are unprivileged; name the groups."""
    values = _as_values(privileged)
    present = list(pd.unique(df[protected]))
    missing = [v for v in values if not bool(df[protected].isin([v]).any())]
    if missing:
        raise ValueError(
            f"privileged value {_describe_values(missing)} does not occur in column {protected!r} of {what}; "
            f"values present: {_describe_values(present)}"
        )
    others = [v for v in present if v not in values]
    if not others:
        raise ValueError(
            f"every row of {what} is privileged ({protected!r} in {_describe_values(values)}): there is no "
            f"unprivileged group to compare with"
        )
    privileged_name = str(values[0]) if len(values) == 1 else " / ".join(map(str, values))
    unprivileged_name = str(others[0]) if len(others) == 1 else f"not {privileged_name}"
    return Groups(protected, tuple(values), privileged_name, unprivileged_name)


def privileged_mask(df: pd.DataFrame, groups: Groups) -> np.ndarray:
    return df[groups.column].isin(list(groups.values)).to_numpy()


def binary(df: pd.DataFrame, column: str, favorable: Any, what: str) -> np.ndarray:
    """The column as 1 (favourable) / 0 (any single other value); raise for a non-binary column."""
    present = list(pd.unique(df[column]))
    if favorable not in present and not (set(present) <= {0, 1} and favorable in (0, 1)):
        raise ValueError(
            f"favourable value {favorable!r} does not occur in column {column!r} of {what}; "
            f"values present: {_describe_values(present)}"
        )
    others = [v for v in present if v != favorable]
    if len(others) > 1:
        raise ValueError(
            f"column {column!r} of {what} must be binary (the favourable value {favorable!r} and one other), "
            f"found values {_describe_values(present)}"
        )
    return (df[column] == favorable).to_numpy().astype(int)


def check_frame(df: pd.DataFrame, columns: list[str], what: str) -> None:
    require_rows(df, what)
    require_columns(df, columns, what)
    require_no_nan(df, columns, what)
