"""The drift helpers' input checks: which columns are compared, with which method, threshold and minimum rows.

Every error names the column, the frame or window, or the method, and says what would be valid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.drift.stattests import (
    DEFAULT_MIN_WINDOW_ROWS,
    MIN_WINDOW_ROWS,
    NUMERICAL,
    P_VALUE_METHODS,
    SMALL_REFERENCE_ROWS,
    check_method,
    column_kind,
    default_method,
    is_comparable,
)
from helpers.validation import require_columns, require_rows, require_whole_number
from helpers.world import APPLICANT_FEATURES

__all__ = [
    "MONITORED_COLUMNS", "TIME_COLUMNS", "column_types", "min_window_rows", "shared_columns",
]

#: The simulated world's applicant features that monitoring watches (7 numbers and the region).
MONITORED_COLUMNS = APPLICANT_FEATURES
#: Columns that place a row in time rather than describe it: never compared when ``columns`` is None.
TIME_COLUMNS = ("date", "day")

def min_window_rows(method: str) -> int:
    """Fewest rows a window needs for ``method``'s verdict (its row of ``stattests.METHODS``; 30 if unknown)."""
    return MIN_WINDOW_ROWS.get(method, DEFAULT_MIN_WINDOW_ROWS)


def column_types(reference: pd.DataFrame, columns: Sequence[str] | None = None) -> dict[str, str]:
    """Evidently's type for each column ("numerical" or "categorical"), inferred from ``reference``.

    Uses Evidently's own rule (floats numerical; integers with <= 10 distinct values categorical; strings
    categorical). Raises ``ValueError`` naming a column Evidently would treat as text, a date or unknown, since the
    drift helpers compare numerical and categorical columns only.
    """
    require_rows(reference, "reference")
    columns = column_list(columns, reference)
    require_columns(reference, columns, "reference")
    return {column: column_kind(reference[column]) for column in columns}


@dataclass
class Plan:
    """What a comparison compares: its columns, their kinds, and the method and threshold asked for each."""

    columns: list[str]
    kinds: dict[str, str]
    methods: dict[str, str | None]  # None: Evidently's default
    thresholds: dict[str, float | None]  # None: the method's default


def shared_columns(reference: pd.DataFrame, *others: pd.DataFrame) -> list[str]:
    """The columns compared when ``columns`` is None, as Evidently's Report compares every column it is given.

    Every column of ``reference`` that each of ``others`` also has, in the reference's order, less the columns that
    place a row in time (datetime columns and ``TIME_COLUMNS``: "date", "day") and those Evidently would treat as
    text or identifiers (e.g. an application id): the drift helpers compare numerical and categorical columns only.
    Name columns explicitly to compare a subset, e.g. ``MONITORED_COLUMNS`` for the simulated world's features.
    """
    require_rows(reference, "reference")
    for frame in others:
        require_rows(frame, "current")
    columns = []
    for column in reference.columns:
        if column in TIME_COLUMNS or not all(column in frame.columns for frame in others):
            continue
        if pd.api.types.is_datetime64_any_dtype(reference[column]):
            continue
        if is_comparable(reference[column]):
            columns.append(column)
    if not columns:
        raise ValueError(
            f"reference and current share no numerical or categorical column to compare (reference has: "
            f"{', '.join(map(str, reference.columns))}); name the columns with `columns=`"
        )
    return columns


def column_list(columns: Sequence[str] | str | None, *frames: pd.DataFrame) -> list[str]:
    if columns is None:
        return shared_columns(*frames)
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("columns is empty: name at least one column to compare (None means every shared column)")
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ValueError(f"columns lists {', '.join(map(repr, duplicates))} more than once")
    return columns


def per_column(value, columns: list[str], what: str) -> dict:
    if isinstance(value, Mapping):
        unknown = [c for c in value if c not in columns]
        if unknown:
            raise ValueError(
                f"{what} names {', '.join(map(repr, unknown))}, which is not among the compared columns: "
                f"{', '.join(columns)}"
            )
        return {c: value.get(c) for c in columns}
    return {c: value for c in columns}


def check_threshold(value, column: str, method: str | None, kind: str, reference_rows: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"threshold for column {column!r} must be a number, got {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"threshold for column {column!r} must be a positive finite number, got {value!r}")
    # Evidently's own choice is a p-value test for a small reference (see default_method)
    p_value = method in P_VALUE_METHODS if method is not None else reference_rows <= SMALL_REFERENCE_ROWS
    if p_value and not float(value) < 1:
        shown = f"method {method!r}" if method else f"Evidently's default method for {reference_rows} reference rows"
        raise ValueError(
            f"threshold for column {column!r} is {value!r}, but {shown} scores a p-value, so its threshold is a "
            f"significance level strictly between 0 and 1 (e.g. 0.05); every p-value is below {value!r}, so "
            f"identical data would be flagged as drifted"
        )
    return float(value)


def check_min_rows(value) -> int | None:
    if value is None:
        return None
    return require_whole_number(value, "min_rows", minimum=1, unit="rows", note="or None: MIN_WINDOW_ROWS")


def bad_values(series: pd.Series) -> np.ndarray:
    """Boolean mask of missing (and, for numbers, infinite) values: those Evidently would silently drop."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return ~np.isfinite(series.to_numpy(dtype=float, na_value=np.nan))
    return series.isna().to_numpy()


def require_finite(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    bad = {c: int(bad_values(frame[c]).sum()) for c in columns}
    bad = {c: k for c, k in bad.items() if k}
    if bad:
        detail = ", ".join(f"{c!r} ({k} of {len(frame)} rows)" for c, k in bad.items())
        raise ValueError(
            f"{what} has missing or infinite values in {detail}; Evidently would drop them silently and score "
            f"the remaining rows. Drop or impute them first (and monitor the missing share on its own)"
        )


def make_plan(reference, others: list[tuple[pd.DataFrame, str]], columns, method, threshold) -> Plan:
    """Check a comparison's arguments against ``reference`` and the ``(frame, name)`` pairs in ``others``."""
    require_rows(reference, "reference")
    for frame, what in others:
        require_rows(frame, what)
    columns = column_list(columns, reference, *(frame for frame, _ in others))
    kinds = column_types(reference, columns)
    for frame, what in others:
        require_rows(frame, what)
        require_columns(frame, columns, what)
        for column in columns:
            if kinds[column] == NUMERICAL and not pd.api.types.is_numeric_dtype(frame[column]):
                raise ValueError(
                    f"column {column!r} is numerical in the reference but {frame[column].dtype} in {what}: "
                    f"a numerical drift method cannot compare them; fix the column's type"
                )
    require_finite(reference, columns, "reference")
    methods = {c: check_method(m, c, kinds[c]) for c, m in per_column(method, columns, "method").items()}
    thresholds = {
        c: check_threshold(t, c, methods[c], kinds[c], len(reference))
        for c, t in per_column(threshold, columns, "threshold").items()
    }
    return Plan(columns, kinds, methods, thresholds)


def method_for(plan: Plan, column: str, reference: pd.Series, current: pd.Series) -> str:
    """The method used for ``column``: the one asked for, else Evidently's default for these two samples."""
    if plan.methods[column] is not None:
        return plan.methods[column]
    distinct = len(pd.unique(np.concatenate([reference.dropna().to_numpy(), current.dropna().to_numpy()])))
    return default_method(plan.kinds[column], len(reference), distinct)


def require_enough_rows(reference, current, plan: Plan, min_rows: int | None, what: str) -> None:
    """A comparison on fewer rows than its method needs has no verdict: say so instead of reporting drift."""
    for frame, name in ((reference, "reference"), (current, what)):
        for column in plan.columns:
            method = method_for(plan, column, reference[column], current[column])
            needed = min_rows or min_window_rows(method)
            if len(frame) < needed:
                raise ValueError(
                    f"{name} has {len(frame)} rows: too few rows for a drift verdict; method {method!r} (column "
                    f"{column!r}) needs at least {needed} rows (min_rows, default MIN_WINDOW_ROWS). Compare a "
                    f"longer window"
                )
