"""Day numbers and dates in a simulated world: day 0 is the first day (``day0``, e.g. ``world["date"].min()``).

Alert rules and timelines speak in dates; the prose and the ground truth (``SCENARIOS``) speak in day numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.validation import require_date

__all__ = ["date_of_day", "day_number"]


def day_number(when, day0):
    """Days from ``day0`` to ``when``: an int for one date (None for None), a Series of ints for a Series of dates
    (an Index gives an Index). Raises ``ValueError`` naming ``day0`` or ``when`` if either is not a date."""
    day0 = require_date(day0, "day0")
    if when is None:
        return None
    if isinstance(when, (pd.Series, pd.Index)):
        if not pd.api.types.is_datetime64_any_dtype(when):
            raise ValueError(
                f"when must hold dates (datetime64), got dtype {when.dtype}; convert it with pd.to_datetime"
            )
        return (when - day0).days if isinstance(when, pd.Index) else (when - day0).dt.days
    return int((require_date(when, "when") - day0).days)


def date_of_day(day: int, day0) -> pd.Timestamp:
    """The date of day number ``day``, counted from ``day0`` (day 0)."""
    if isinstance(day, (bool, np.bool_)) or not isinstance(day, (int, np.integer)):
        raise ValueError(f"day must be a whole number of days from day0 (e.g. 90), got {day!r}")
    return require_date(day0, "day0") + pd.Timedelta(days=int(day))
