"""Input checks shared by every helper: each error names the parameter, column, value or window and what would be valid.

The classes of input every public function takes, checked once here so that every call site gains the same rules:

* numbers (``require_number``, ``require_proportion``): Python and numpy scalars alike (``np.int64(19)``,
  ``np.float32(0.8)``), never a bool, a string, NaN or infinity. A numpy float32 is read as the decimal numpy prints
  for it (``float(str(np.float32(0.8)))`` is 0.8, not 0.800000011920929: numpy prints the fewest digits that read
  back as the same float32), so a threshold typed as 0.8 in a float32 array compares as 0.8;
* a proportion is a number from 0 to 1; a value above 1 and at most 100 is named as a percentage given for a
  proportion ("write 0.9 for 90%");
* booleans (``require_bool``): ``True``/``False`` or a numpy bool, never the string ``'False'`` (which Python treats
  as true);
* dates (``require_date``), whole numbers and sizes (``require_whole_number`` with an upper bound), seeds
  (``require_seed``): refused with the parameter named and the bound stated, before numpy is reached.
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "SEED_MAX",
    "ratio_or_nan",
    "require_bool",
    "require_columns",
    "require_date",
    "require_no_nan",
    "require_number",
    "require_proportion",
    "require_rows",
    "require_seed",
    "require_whole_number",
]

#: The largest seed the course accepts: numpy's ``RandomState`` and ``default_rng`` both take 0 ... 2**32 - 1.
SEED_MAX = 2**32 - 1


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


def require_whole_number(value, name: str, minimum: int = 0, unit: str = "", note: str = "",
                         maximum: int | None = None) -> int:
    """``value`` as an int if it is a whole number from ``minimum`` to ``maximum`` (None: no upper bound), given as
    an int or numpy integer (not a bool).

    Otherwise raise ``ValueError``: "<name> must be a whole number [of <unit>] >= <minimum> [and <= <maximum>]
    [(<note>)], got <value>". The upper bound keeps a typo (``simulations=5_000_000``) from asking numpy for
    gigabytes.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum or (
            maximum is not None and value > maximum):
        of_unit = f" of {unit}" if unit else ""
        upper = f" and <= {maximum:,}".replace(",", "_") if maximum is not None else ""
        why = f" ({note})" if note else ""
        raise ValueError(f"{name} must be a whole number{of_unit} >= {minimum}{upper}{why}, got {value!r}")
    return int(value)


def require_seed(value, name: str = "seed") -> int:
    """A random seed: a whole number from 0 to ``SEED_MAX`` (numpy's bound), as an int; ``ValueError`` naming
    ``name`` otherwise (numpy's own errors for -1 or 'x' do not say which parameter was wrong)."""
    return require_whole_number(value, name, minimum=0, maximum=SEED_MAX, note="a random seed, e.g. 7")


def require_number(value, name: str, minimum: float | None = None, maximum: float | None = None,
                   unit: str = "") -> float:
    """``value`` as a Python float: an int, float, Fraction or numpy number (not a bool, a string, NaN or infinity), from
    ``minimum`` to ``maximum`` inclusive (None: unbounded). A numpy float32 becomes the decimal numpy prints for it
    (0.8, not 0.800000011920929). Raises ``ValueError`` naming ``name``, the value and the valid range."""
    of_unit = f" of {unit}" if unit else ""
    bounds = "".join([f" >= {minimum:g}" if minimum is not None else "",
                      " and" if minimum is not None and maximum is not None else "",
                      f" <= {maximum:g}" if maximum is not None else ""])
    message = f"{name} must be a finite number{of_unit}{bounds}, got {value!r}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise ValueError(message + ("" if not isinstance(value, str) else " (a string: write the number unquoted)"))
    number = float(str(value)) if isinstance(value, np.floating) and value.dtype.itemsize < 8 else float(value)
    if not math.isfinite(number) or (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        raise ValueError(message)
    return number


def require_proportion(value, name: str) -> float:
    """A proportion from 0 to 1 (a share, a rate, a line such as 0.9), as a float; ``ValueError`` naming ``name``
    otherwise. A value above 1 and at most 100 is named as a percentage given for a proportion."""
    number = require_number(value, name)
    if 1 < number <= 100:
        raise ValueError(f"{name} must be a proportion from 0 to 1, got {value!r}: a percentage? write "
                         f"{number / 100:g} for {number:g}%")
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be a proportion from 0 to 1, got {value!r}")
    return number


def require_bool(value, name: str) -> bool:
    """``value`` as a bool if it is ``True``/``False`` or a numpy bool; ``ValueError`` naming ``name`` otherwise.

    A string is refused: ``bool('False')`` is True, so ``fail_new='False'`` would silently mean the opposite."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    hint = f" (the string {value!r}: write {value.strip().capitalize()} without quotes)" if isinstance(
        value, str) and value.strip().lower() in ("true", "false") else ""
    raise ValueError(f"{name} must be True or False, got {value!r}{hint}")
