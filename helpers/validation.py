"""Input checks shared by every helper: each error names the column, value or window and what would be valid."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "require_columns", "require_rows", "require_no_nan", "require_date", "ratio_or_nan", "require_whole_number",
]


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    """Raise ``ValueError`` naming every column of ``columns`` that ``df`` lacks, and the columns it has."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what} has no column {', '.join(map(repr, missing))}; its columns are: "
            f"{', '.join(map(str, df.columns))}"
        )


def require_rows(df: pd.DataFrame, what: str = "data") -> None:
    """Raise ``ValueError`` when ``df`` is empty (an empty window, an over-strict filter)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError(f"{what} is empty (0 rows): check the date range or filter that produced it")


def require_no_nan(df: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    """Raise ``ValueError`` naming each column of ``columns`` with missing values, and how many."""
    counts = {c: int(df[c].isna().sum()) for c in columns}
    bad = {c: k for c, k in counts.items() if k}
    if bad:
        detail = ", ".join(f"{c!r} ({k} of {len(df)} rows)" for c, k in bad.items())
        raise ValueError(f"{what} has missing values (NaN) in {detail}; drop or impute them first")


def require_date(value, what: str) -> pd.Timestamp:
    """``value`` as a Timestamp: a date string, ``datetime.date``/``datetime`` or numpy/pandas timestamp.

    Refuses what pandas would quietly misread: ``pd.Timestamp(5)`` is a nanosecond after 1970-01-01 and
    ``pd.Timestamp("")`` is NaT. The error names ``what`` (the parameter) and the value.
    """
    message = f"{what} must be a date (e.g. '2024-05-01' or a Timestamp), got {value!r}"
    if not isinstance(value, (str, datetime.date, np.datetime64)) or (isinstance(value, str) and not value.strip()):
        raise ValueError(message)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if pd.isna(stamp):
        raise ValueError(message)
    return stamp


def ratio_or_nan(numerator: int, denominator: int) -> float:
    """``numerator / denominator``, or nan when the denominator is 0 (a rate of an empty group is undefined)."""
    return numerator / denominator if denominator else math.nan


def require_whole_number(value, name: str, minimum: int = 0, unit: str = "", note: str = "") -> int:
    """``value`` as an int if it is a whole number >= ``minimum`` (an int or numpy integer, not a bool).

    Otherwise raise ``ValueError``: "<name> must be a whole number [of <unit>] >= <minimum> [(<note>)], got <value>".
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        of_unit = f" of {unit}" if unit else ""
        why = f" ({note})" if note else ""
        raise ValueError(f"{name} must be a whole number{of_unit} >= {minimum}{why}, got {value!r}")
    return int(value)
