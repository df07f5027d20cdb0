"""Day numbers and dates in a simulated world: day 0 is the first day (``day0``, e.g. ``world["date"].min()``).

Alert rules and timelines speak in dates; the prose and the ground truth (``SCENARIOS``) speak in day numbers.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["date_of_day", "day_number"]


def day_number(when, day0):
    """Days from ``day0`` to ``when``: an int for one date (None for None), a Series of ints for a Series of dates."""
    if when is None:
        return None
    day0 = pd.Timestamp(day0)
    if isinstance(when, (pd.Series, pd.Index)):
        return (pd.to_datetime(when) - day0).days if isinstance(when, pd.Index) else (when - day0).dt.days
    return int((pd.Timestamp(when) - day0).days)


def date_of_day(day: int, day0) -> pd.Timestamp:
    """The date of day number ``day``, counted from ``day0`` (day 0)."""
    return pd.Timestamp(day0) + pd.Timedelta(days=int(day))
