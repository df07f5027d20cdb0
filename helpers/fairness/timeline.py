"""Fairness over time: the disparate impact of each day (week ...) with the exact four-fifths verdict.

The "below 0.8 for 3+ days" red flag is an alert rule (``helpers.alerts``, ``monitoring/alerts.yml``), evaluated on
this timeline's daily disparate impact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from helpers.fairness.audit import audit_arrays
from helpers.fairness.inputs import binary, check_frame, privileged_mask, resolve_groups
from helpers.lines import FOUR_FIFTHS
from helpers.validation import ratio_or_nan

__all__ = [
    "STATUS_OK", "STATUS_BREACH", "STATUS_NO_ROWS", "STATUS_NO_FAVOURABLE", "FairnessTimeline", "fairness_timeline",
]

STATUS_OK = "ok"
STATUS_BREACH = "breach"
STATUS_NO_ROWS = "no rows"
STATUS_NO_FAVOURABLE = "no favourable outcomes (DI undefined)"


@dataclass(frozen=True, eq=False)
class FairnessTimeline:
    """The audit per period: ``frame``, one row per period, and what it compared."""

    frame: pd.DataFrame
    """One row per period, empty periods included (columns: see ``fairness_timeline``)."""
    privileged_group: str
    """The reference group's name, as the audit reports it (e.g. "majority")."""
    unprivileged_group: str
    """The name of every other value of the protected column, taken together."""
    threshold: float
    """The disparate-impact threshold a period breaches when its ratio is below it (0.8: the four-fifths rule)."""


def _threshold_fraction(threshold: float | Fraction, name: str = "threshold") -> Fraction:
    """A disparate-impact threshold as an exact fraction; it must lie in (0, 1] (a ratio of two rates, 1 = parity)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating, Fraction)):
        raise ValueError(f"{name} must be a disparate-impact ratio in (0, 1] such as 0.8, got {threshold!r}")
    if not math.isfinite(float(threshold)) or not 0 < threshold <= 1:
        if math.isnan(float(threshold)):
            why = "not a number"
        elif float(threshold) > 1:
            why = "above 1 every period would be a breach, even at parity"
        else:
            why = "at or below 0 no period could ever be a breach"
        raise ValueError(
            f"{name} must be a disparate-impact ratio in (0, 1] such as 0.8 (the four-fifths rule), got {threshold!r}: {why}"
        )
    if isinstance(threshold, Fraction):
        return threshold
    return Fraction(str(float(threshold)))  # 0.8 -> 4/5 exactly (Fraction(0.8) would be 0.8000000000000000444)


def _below(fav_u: int, n_u: int, fav_p: int, n_p: int, threshold: Fraction) -> bool:
    """rate_u < threshold x rate_p, decided with integers."""
    return fav_u * n_p * threshold.denominator < threshold.numerator * fav_p * n_u


def fairness_timeline(
    df: pd.DataFrame,
    outcome: str,
    protected: str,
    privileged: Any,
    date_column: str = "date",
    freq: str = "D",
    favorable: Any = 1,
    threshold: float | Fraction = FOUR_FIFTHS,
) -> FairnessTimeline:
    """The audit repeated per period (day by default): one row per period, empty periods included.

    Periods: for a datetime ``date_column``, calendar bins of ``freq`` (pandas offset alias: "D", "W", "MS" ...)
    from the first to the last date, labelled by their start; for an integer column (e.g. ``day``), every integer
    from the smallest to the largest value (``freq`` is ignored).

    Returns:
        A ``FairnessTimeline``: the two groups' names, the ``threshold``, and its ``frame``, with columns ``period``,
        ``n_privileged``, ``n_unprivileged``, ``favorable_privileged``, ``favorable_unprivileged``,
        ``rate_privileged``, ``rate_unprivileged``, ``disparate_impact``, ``statistical_parity_difference`` (both
        from AIF360), ``passes_four_fifths`` and ``breach`` (DI below ``threshold``, decided exactly; both nullable
        booleans, NA when a group is empty) and ``status``: ``"ok"``, ``"breach"``, ``"no rows"``, ``"no <group>
        rows"`` (a group absent that period: DI undefined) or ``"no favourable outcomes (DI undefined)"``.

    Raises:
        ValueError: as ``audit`` (checked on the whole frame), NaN or a missing ``date_column``, or a
            ``date_column`` that is neither datetime nor integer.
    """
    what = "timeline data"
    check_frame(df, [outcome, protected, date_column], what)
    limit = _threshold_fraction(threshold)
    groups = resolve_groups(df, protected, privileged, what)
    labels = binary(df, outcome, favorable, what)
    mask = privileged_mask(df, groups)
    keys, periods = _period_keys(df[date_column], date_column, freq)
    positions = pd.Series(np.arange(len(df)), index=pd.Index(keys.to_numpy()))
    by_period = positions.groupby(level=0).indices
    rows = []
    for period in periods:
        index = by_period.get(period)
        idx = positions.to_numpy()[index] if index is not None else np.array([], dtype=int)
        rows.append(_period_row(period, labels[idx], mask[idx], groups, outcome, limit))
    out = pd.DataFrame(rows)
    out["passes_four_fifths"] = out["passes_four_fifths"].astype("boolean")
    out["breach"] = out["breach"].astype("boolean")
    return FairnessTimeline(frame=out, privileged_group=groups.privileged_name,
                            unprivileged_group=groups.unprivileged_name, threshold=float(threshold))


def _period_keys(dates: pd.Series, date_column: str, freq: str):
    """Each row's period and every period from the first to the last (calendar bins of ``freq`` for dates;
    every integer for day numbers)."""
    if pd.api.types.is_datetime64_any_dtype(dates):
        try:
            keys = dates.dt.to_period(freq).dt.start_time
            periods = pd.period_range(dates.min(), dates.max(), freq=freq).start_time
        except ValueError as error:
            raise ValueError(f"freq {freq!r} is not a pandas period alias such as 'D', 'W' or 'M': {error}") from None
    elif pd.api.types.is_integer_dtype(dates):
        keys = dates
        periods = pd.RangeIndex(int(dates.min()), int(dates.max()) + 1)
    else:
        raise ValueError(
            f"column {date_column!r} must hold dates (datetime64) or whole numbers (e.g. a day number), "
            f"found dtype {dates.dtype}"
        )
    return keys, periods


def _period_row(period, labels: np.ndarray, mask: np.ndarray, groups, outcome: str, limit: Fraction) -> dict:
    """One period's counts, rates, disparate impact and status (an empty group gives no ratio, not a breach)."""
    row: dict[str, Any] = {"period": period}
    n_p = int(mask.sum())
    n_u = int(len(labels) - n_p)
    row.update(n_privileged=n_p, n_unprivileged=n_u, favorable_privileged=int(labels[mask].sum()),
               favorable_unprivileged=int(labels[~mask].sum()))
    if n_p == 0 or n_u == 0:
        missing = [name for name, n in ((groups.privileged_name, n_p), (groups.unprivileged_name, n_u)) if n == 0]
        status = STATUS_NO_ROWS if len(missing) == 2 else f"no {missing[0]} rows"
        row.update(rate_privileged=ratio_or_nan(row["favorable_privileged"], n_p),
                   rate_unprivileged=ratio_or_nan(row["favorable_unprivileged"], n_u), disparate_impact=math.nan,
                   statistical_parity_difference=math.nan, passes_four_fifths=pd.NA, breach=pd.NA, status=status)
    else:
        result = audit_arrays(labels, mask, groups, outcome)
        breach = _below(result.favorable_unprivileged, n_u, result.favorable_privileged, n_p, limit)
        if result.favorable_privileged == 0 and result.favorable_unprivileged == 0:
            status = STATUS_NO_FAVOURABLE
        else:
            status = STATUS_BREACH if breach else STATUS_OK
        row.update(rate_privileged=result.rate_privileged, rate_unprivileged=result.rate_unprivileged,
                   disparate_impact=result.disparate_impact,
                   statistical_parity_difference=result.statistical_parity_difference,
                   passes_four_fifths=result.passes_four_fifths, breach=breach, status=status)
    return row
