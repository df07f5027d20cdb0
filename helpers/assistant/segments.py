"""Metrics by segment with confidence intervals: where an average hides a failing group.

* ``wilson_interval(successes, n)``: the Wilson score interval of a proportion (Wilson 1927), the interval the course
  uses for accuracies and recalls measured on few cases: unlike the textbook ``p +- 1.96 * sqrt(p(1-p)/n)`` it stays
  inside 0-1 and does not collapse to a single point when every case is right or every case is wrong.
* ``segment_metrics(log, ...)``: for each day and segment (e.g. age band, plus ``"all"``), the accuracy and the
  recall of urgent cases over the last ``window`` days whose labels are known on ``as_of``, each with its interval.
* ``first_detection(metrics, ...)``: the first day a segment's interval lies entirely below a line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.lines import ACCURACY_LINE
from helpers.validation import (
    require_columns,
    require_date,
    require_no_nan,
    require_number,
    require_rows,
    require_whole_number,
)

__all__ = ["ALL", "METRIC_COLUMNS", "first_detection", "segment_metrics", "wilson_interval"]

#: The segment label of the whole population in ``segment_metrics``.
ALL = "all"
#: Columns of ``segment_metrics``.
METRIC_COLUMNS = [
    "period", "segment", "n", "n_labelled", "accuracy", "accuracy_low", "accuracy_high", "urgent_cases", "recall",
    "recall_low", "recall_high", "known_on",
]


def _check_confidence(confidence) -> float:
    if not 0 < (confidence := require_number(confidence, "confidence")) < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(confidence)


def wilson_interval(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray] | tuple[float, float]:
    """Wilson score interval (low, high) of the proportion ``successes / n``.

    Args:
        successes: number of successes (e.g. correct decisions), a whole number or an array of them.
        n: number of trials, same shape; every n must be >= 1 (a proportion of nothing has no interval).
        confidence: the interval's coverage, e.g. 0.95.

    Returns:
        ``(low, high)`` as floats for scalar input, else as arrays. With 19 of 20 right at 95%: about (0.764, 0.991).

    Raises:
        ValueError: n < 1, successes outside 0..n, non-whole numbers, or a confidence outside (0, 1).
    """
    z = norm.ppf(0.5 + _check_confidence(confidence) / 2)
    scalar = np.ndim(successes) == 0 and np.ndim(n) == 0
    k, m = np.atleast_1d(np.asarray(successes, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    if k.shape != m.shape:
        raise ValueError(f"successes and n must have the same shape, got {k.shape} and {m.shape}")
    if not (np.isfinite(k).all() and np.isfinite(m).all()) or (k != np.round(k)).any() or (m != np.round(m)).any():
        raise ValueError("successes and n must be whole numbers (counts), without NaN")
    if (m < 1).any():
        raise ValueError(f"n must be >= 1 (a proportion of no cases has no interval), got n = {m[m < 1][0]:g}")
    if ((k < 0) | (k > m)).any():
        bad = int(np.flatnonzero((k < 0) | (k > m))[0])
        raise ValueError(f"successes must be between 0 and n, got {k[bad]:g} of {m[bad]:g}")
    p = k / m
    centre = (p + z**2 / (2 * m)) / (1 + z**2 / m)
    half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / (1 + z**2 / m)
    low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    return (float(low[0]), float(high[0])) if scalar else (low, high)


def _nullable(values: np.ndarray, ok: np.ndarray) -> pd.arrays.FloatingArray:
    return pd.arrays.FloatingArray(np.where(ok, values, 0.0), mask=~ok)


def _check_metric_inputs(log, segment, window, confidence, label, prediction, date_column, label_date_column,
                         segments) -> list[str]:
    """Refuse bad input to ``segment_metrics``; return the segment values to report."""
    require_rows(log, "log")
    require_columns(log, [segment, label, prediction, date_column, label_date_column], "log")
    require_no_nan(log, [segment, prediction, date_column, label_date_column], "log")
    require_whole_number(window, "window", minimum=1, unit="days")
    _check_confidence(confidence)
    for column in (label, prediction):
        bad = sorted(set(log[column].dropna().unique()) - {0, 1})
        if bad:
            raise ValueError(f"log[{column!r}] must hold 0 or 1 (1 = urgent), found {bad[:5]}")
    present = list(pd.unique(log[segment].astype(str)))
    if isinstance(log[segment].dtype, pd.CategoricalDtype):
        present = [str(c) for c in log[segment].cat.categories if str(c) in present]
    wanted = list(segments) if segments is not None else present
    unknown = [s for s in wanted if s not in present and s != ALL]
    if unknown:
        raise ValueError(f"segment value {unknown[0]!r} does not occur in log[{segment!r}]; it holds: {', '.join(present)}")
    return wanted


def _daily_counts(log, segment, as_of, label, prediction, date_column, label_date_column) -> pd.DataFrame:
    """One row per message: its day, segment and 0/1 counts (labelled, correct, urgent, caught) as of ``as_of``."""
    labelled = np.ones(len(log), dtype=bool)
    if as_of is not None:
        labelled = (log[label_date_column] <= require_date(as_of, "as_of")).to_numpy()
    labelled &= log[label].notna().to_numpy()
    truth = log[label].fillna(0).to_numpy(dtype=int)
    decided = log[prediction].to_numpy(dtype=int)
    return pd.DataFrame(
        {
            "period": log[date_column].dt.normalize().to_numpy(),
            "segment": log[segment].astype(str).to_numpy(),
            "n": 1,
            "n_labelled": labelled.astype(int),
            "correct": (labelled & (truth == decided)).astype(int),
            "urgent_cases": (labelled & (truth == 1)).astype(int),
            "caught": (labelled & (truth == 1) & (decided == 1)).astype(int),
            "known_on": log[label_date_column].to_numpy(),
        }
    )


def _pool(counts: pd.DataFrame, wanted: list[str], window: int) -> pd.DataFrame:
    """The counts summed per day and segment (and ``all``) over the last ``window`` days."""
    every = counts.assign(segment=ALL)
    pooled = []
    days = pd.date_range(counts["period"].min(), counts["period"].max(), freq="D")
    for name in [ALL, *[s for s in wanted if s != ALL]]:
        part = every if name == ALL else counts[counts["segment"] == name]
        daily = part.groupby("period").agg(
            n=("n", "sum"), n_labelled=("n_labelled", "sum"), correct=("correct", "sum"),
            urgent_cases=("urgent_cases", "sum"), caught=("caught", "sum"), known_on=("known_on", "max"),
        ).reindex(days)
        sums = daily[["n", "n_labelled", "correct", "urgent_cases", "caught"]].fillna(0).rolling(window, min_periods=1).sum()
        sums["known_on"] = daily["known_on"].ffill()
        sums["segment"] = name
        pooled.append(sums.rename_axis("period").reset_index())
    return pd.concat(pooled, ignore_index=True)


def _add_rates(out: pd.DataFrame, confidence: float) -> None:
    """Accuracy and recall with their Wilson intervals, ``<NA>`` where there is nothing to measure (in place)."""
    for rate, k, m in (("accuracy", "correct", "n_labelled"), ("recall", "caught", "urgent_cases")):
        ok = out[m].to_numpy() > 0
        safe_n = np.where(ok, out[m].to_numpy(), 1)
        low, high = wilson_interval(np.where(ok, out[k].to_numpy(), 0), safe_n, confidence)
        out[rate] = _nullable(out[k].to_numpy() / safe_n, ok)
        out[f"{rate}_low"] = _nullable(low, ok)
        out[f"{rate}_high"] = _nullable(high, ok)


def segment_metrics(
    log: pd.DataFrame,
    segment: str = "age_band",
    window: int = 7,
    as_of=None,
    confidence: float = 0.95,
    label: str = "urgent",
    prediction: str = "predicted_urgent",
    date_column: str = "date",
    label_date_column: str = "label_available_on",
    segments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Accuracy and urgent-case recall per day and segment, pooled over the last ``window`` days, with intervals.

    Args:
        log: one row per message with the decision and the truth (e.g. ``helpers.assistant.world.simulate_log``).
        segment: the column that defines the segments (``"all"`` is added for the whole population).
        window: days pooled into each day's value (the day itself and the ``window - 1`` before it).
        as_of: the day monitoring looks from: only rows whose ``label_date_column`` is on or before it count as
            labelled. None: every label is known (hindsight).
        confidence: coverage of the Wilson intervals.
        label, prediction: the truth and the decision (0/1; 1 = urgent).
        segments: the segment values to report (default: every value of the column, in its order).

    Returns:
        One row per (day, segment), columns ``METRIC_COLUMNS``: ``period`` (the window's last day), ``n`` (messages
        in the window), ``n_labelled``, ``accuracy`` (share of labelled decisions that were right) with
        ``accuracy_low``/``accuracy_high``, ``urgent_cases`` (labelled urgent messages), ``recall`` (share of them the
        assistant sent to a doctor) with ``recall_low``/``recall_high``, and ``known_on`` (the day the window's last
        label arrives). A value with nothing to measure is ``<NA>``, never nan.

    Raises:
        ValueError: an empty log, a missing column, NaN, labels or decisions that are not 0/1, a bad window,
            an unknown segment value.
    """
    wanted = _check_metric_inputs(log, segment, window, confidence, label, prediction, date_column,
                                  label_date_column, segments)
    counts = _daily_counts(log, segment, as_of, label, prediction, date_column, label_date_column)
    out = _pool(counts, wanted, window)
    _add_rates(out, confidence)
    out = out.astype({"n": int, "n_labelled": int, "urgent_cases": int})
    return out[METRIC_COLUMNS].sort_values(["period", "segment"], kind="stable").reset_index(drop=True)


def first_detection(
    metrics: pd.DataFrame, segment: str, metric: str = "recall", threshold: float = ACCURACY_LINE, after=None
) -> pd.Series | None:
    """The first row of ``segment`` whose whole ``metric`` interval lies below ``threshold`` (its ``_high`` < threshold).

    "The whole interval below the line" means the data are hard to explain by chance if the true value were at the
    threshold, so it is a detection, not a noisy dip. ``after``: only periods on or after this date count.

    Returns:
        That row of ``metrics`` (with ``period`` and ``known_on``: the day it could be known), or None.
    """
    require_columns(metrics, ["period", "segment", f"{metric}_high"], "metrics")
    if segment not in set(metrics["segment"]):
        raise ValueError(f"metrics has no segment {segment!r}; it holds: {', '.join(map(str, metrics['segment'].unique()))}")
    rows = metrics[metrics["segment"] == segment]
    if after is not None:
        rows = rows[rows["period"] >= pd.Timestamp(after)]
    below = rows[rows[f"{metric}_high"].notna() & (rows[f"{metric}_high"].astype(float) < threshold)]
    return None if below.empty else below.sort_values("period").iloc[0]
