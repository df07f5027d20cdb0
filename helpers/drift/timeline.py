"""Many windows: the drift of every day (week, month ...) of a long history against a reference, fast.

``drift_timeline`` calls Evidently's statistical tests directly (about a millisecond per column and window, where a
Report costs about a second), with the same column types, method choice and thresholds as ``drift_table``; the
parity tests in ``tests/test_drift.py`` show both give the same scores and verdicts. ``first_alarm`` and
``alarm_summary`` read a timeline's verdicts (for code without an alert rule; the course's rules are
``helpers.alerts``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from helpers.drift.inputs import Plan, bad_values, check_min_rows, make_plan, min_window_rows
from helpers.drift.stattests import (
    ARRAY_SAFE,
    CATEGORICAL,
    COLUMN_TYPE,
    DEFAULT_TESTS,
    NUMERICAL,
    SMALL_REFERENCE_ROWS,
    default_method,
    stattest,
)
from helpers.runtime import single_threaded_blas
from helpers.validation import require_columns, require_rows, require_whole_number

__all__ = ["STATUS_DRIFT", "STATUS_NO_DRIFT", "STATUS_TOO_FEW_ROWS", "alarm_summary", "drift_timeline", "first_alarm"]

#: ``status`` of a timeline window: Evidently's verdict, or no verdict because the window is too small.
STATUS_DRIFT, STATUS_NO_DRIFT, STATUS_TOO_FEW_ROWS = "drift", "no drift", "too few rows"


def _periods(dates: pd.Series, freq: str, what: str) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(
            f"{what} column {dates.name!r} must hold dates (datetime64), got {dates.dtype}; "
            f"convert it with pd.to_datetime"
        )
    if dates.isna().any():
        raise ValueError(f"{what} column {dates.name!r} has {int(dates.isna().sum())} missing dates")
    try:
        return dates.dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as error:
        raise ValueError(f"freq {freq!r} is not a pandas period frequency such as 'D', 'W' or 'M' ({error})") from None


def _window_label(period) -> str:
    period = pd.Timestamp(period)
    return str(period.date()) if period == period.normalize() else str(period)


def drift_timeline(
    reference: pd.DataFrame,
    data: pd.DataFrame,
    date_column: str = "date",
    freq: str = "D",
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    min_rows: int | None = None,
) -> pd.DataFrame:
    """Drift of every window of ``data`` against ``reference``: ``drift_table`` for each period, fast.

    Each window (``freq``: "D" days, "W" weeks, "M" months ...) is compared with the whole reference by Evidently's own
    statistical tests, with the same column types (``column_types`` of the reference), the same method choice
    (Evidently's default, ``default_method``, decided per window exactly as the Report decides it) and thresholds as
    ``drift_table``, so each window's scores and verdicts are those ``drift_table(reference, window)`` reports.

    Args:
        reference: the data the model learned from.
        data: the history to monitor, with a datetime column ``date_column``.
        date_column: the column that places each row in a window.
        freq: window length, a pandas period alias.
        columns, method, threshold: as in ``drift_table``.
        min_rows: fewest rows a window needs for a verdict (None: ``MIN_WINDOW_ROWS`` of its method, 30 or 50).

    Returns:
        One row per (window, column), sorted by window then in ``columns`` order: ``period`` (the window's start),
        ``column``, ``kind``, ``method``, ``score``, ``threshold``, ``drifted``, ``n`` (rows in the window) and
        ``status``: ``"drift"``, ``"no drift"`` or ``"too few rows"`` (a window smaller than its method needs: no
        verdict, ``score`` NaN and ``drifted`` False, so it never raises an alarm).

    Raises:
        ValueError: as ``drift_table``, plus a missing or non-date ``date_column``, an unknown ``freq``, and an empty
            window between the first and last period (a day without data is a broken feed, not a quiet day: the
            error lists the empty windows); NaN errors name the windows that hold them.
    """
    require_rows(data, "data")
    require_columns(data, [date_column], "data")
    min_rows = check_min_rows(min_rows)
    plan = make_plan(reference, [(data, "data")], columns, method, threshold)
    periods = _periods(data[date_column], freq, "data")

    order, starts, bounds = _windows(periods, freq)
    _require_finite_windows(data, plan.columns, periods)
    n_reference = len(reference)
    with single_threaded_blas(), ThreadPoolExecutor(max_workers=_workers()) as pool:
        # columns are independent; numpy and pandas release the GIL in the tests' sorting, searching and counting
        per_column = list(
            pool.map(
                lambda c: _column_scores(
                    reference[c], data[c].to_numpy()[order], bounds, plan, c, n_reference, min_rows
                ),
                plan.columns,
            )
        )
    return _timeline_frame(starts, bounds, plan, per_column)


def _windows(periods: pd.Series, freq: str):
    """Rows sorted by window (``order``), each window's start and its (start, stop) bounds in that order; refuses
    an empty window between the first and the last."""
    order = np.argsort(periods.to_numpy(), kind="stable")
    starts, first_index = np.unique(periods.to_numpy()[order], return_index=True)
    bounds = list(zip(first_index, [*first_index[1:], len(order)]))
    expected = pd.period_range(pd.Timestamp(starts[0]), pd.Timestamp(starts[-1]), freq=freq).start_time
    empty = expected.difference(pd.DatetimeIndex(starts))
    if len(empty):
        shown = ", ".join(_window_label(p) for p in empty[:5])
        shown += f" (+{len(empty) - 5} more)" if len(empty) > 5 else ""
        raise ValueError(
            f"data has {len(empty)} empty window(s) between its first and last {freq!r} period: {shown}; "
            f"a window without rows cannot be compared: fill the gap or choose a longer freq"
        )
    return order, starts, bounds


def _require_finite_windows(data: pd.DataFrame, columns: list[str], periods: pd.Series) -> None:
    """Refuse missing or infinite values, naming the column and the windows that hold them."""
    for column in columns:
        bad = bad_values(data[column])
        if bad.any():
            windows = sorted(set(periods[bad]))
            shown = ", ".join(_window_label(p) for p in windows[:5]) + (" ..." if len(windows) > 5 else "")
            raise ValueError(
                f"data has missing or infinite values in {column!r} ({int(bad.sum())} rows, in window(s) {shown}); "
                f"Evidently would drop them silently. Drop or impute them first"
            )


def _timeline_frame(starts, bounds, plan: Plan, per_column: list) -> pd.DataFrame:
    """One row per (window, column) from each column's (method, score, threshold, drifted) per window."""
    records: dict[str, list] = {k: [] for k in ("period", "column", "method", "score", "threshold", "drifted", "n")}
    for w, (start, stop) in enumerate(bounds):
        for column, scores in zip(plan.columns, per_column):
            name, score, threshold_used, drifted = scores[w]
            records["period"].append(starts[w])
            records["column"].append(column)
            records["method"].append(name)
            records["score"].append(score)
            records["threshold"].append(threshold_used)
            records["drifted"].append(drifted)
            records["n"].append(int(stop - start))
    out = pd.DataFrame(records)
    out.insert(2, "kind", out["column"].map(plan.kinds))
    out["period"] = pd.to_datetime(out["period"])
    out["status"] = np.where(
        out["score"].isna(), STATUS_TOO_FEW_ROWS, np.where(out["drifted"], STATUS_DRIFT, STATUS_NO_DRIFT)
    )
    return out


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _column_scores(
    reference: pd.Series, values: np.ndarray, bounds, plan: Plan, column: str, n_reference: int,
    min_rows: int | None = None,
):
    """(method, score, threshold, drifted) per window for one column, by Evidently's tests.

    A window with fewer rows than its method needs gets score NaN and drifted False (``"too few rows"``); the
    threshold shown is the one that would have applied.
    """
    kind = plan.kinds[column]
    column_type = COLUMN_TYPE[kind]
    ref_values = reference.to_numpy()
    if kind == CATEGORICAL and not pd.api.types.is_numeric_dtype(reference):
        # Strings are compared by their counts: integer codes give the same counts, hashed ~4x faster.
        codes, _ = pd.factorize(np.concatenate([ref_values, values]))
        ref_values, values = codes[:n_reference], codes[n_reference:]
    ref_sorted = np.sort(ref_values, kind="stable")  # every method is order-free; sorted input sorts faster
    ref_series = pd.Series(ref_sorted)
    ref_unique = pd.unique(ref_sorted)
    fixed = plan.methods[column]
    fixed_test = stattest(fixed, kind, ref_series) if fixed is not None else None
    threshold = plan.thresholds[column]
    scores = []
    for start, stop in bounds:
        current = values[start:stop]
        if fixed_test is not None:
            test = fixed_test
        else:
            distinct = len(ref_unique)
            if n_reference <= SMALL_REFERENCE_ROWS or (kind == NUMERICAL and distinct <= 5):
                # only then does the choice depend on the exact count of distinct values
                distinct = len(pd.unique(np.concatenate([ref_unique, current])))
            test = DEFAULT_TESTS[default_method(kind, n_reference, distinct)]
        if len(current) < (min_rows or min_window_rows(test.name)):
            used = threshold if threshold is not None else test.default_threshold
            scores.append((test.name, math.nan, float(used), False))
            continue
        if test.name in ARRAY_SAFE:
            result = test(ref_sorted, current, column_type, threshold)
        else:
            result = test(ref_series, pd.Series(current), column_type, threshold)
        scores.append((test.name, float(result.drift_score), float(result.actual_threshold), bool(result.drifted)))
    return scores


def first_alarm(timeline: pd.DataFrame, column: str, consecutive: int = 1) -> pd.Timestamp | None:
    """The window in which a drift alarm on ``column`` fires: the first window that completes ``consecutive``
    drifted windows in a row (Prometheus' ``for:``), or None when it never fires.

    With ``consecutive=1`` this is simply the first drifted window. It is the course's alert engine
    (``helpers.alerts``) on the series "drifted" (1/0) per window, with ``for:`` = ``consecutive - 1`` windows; a
    window with too few rows for a verdict (``status`` "too few rows") has no sample, so it never fires and ends a
    run of drifted windows, as a missing series resets a Prometheus ``for:``.
    """
    from helpers.alerts import Rule, first_firing

    require_columns(timeline, ["period", "column", "drifted"], "timeline")
    if not isinstance(column, str):
        raise ValueError(f"column must be a column name (a string), got {column!r}")
    require_whole_number(consecutive, "consecutive", minimum=1)
    rows = timeline[timeline["column"] == column].sort_values("period")
    if rows.empty:
        raise ValueError(
            f"timeline has no rows for column {column!r}; its columns are: {', '.join(timeline['column'].unique())}"
        )
    too_few = (rows["status"] == STATUS_TOO_FEW_ROWS) if "status" in rows.columns else pd.Series(False, rows.index)
    drifted = pd.Series(rows["drifted"].astype(float).to_numpy(), index=pd.DatetimeIndex(rows["period"]))
    drifted[too_few.to_numpy()] = np.nan
    spacing = drifted.index.to_series().diff().min() if len(drifted) > 1 else pd.Timedelta(days=1)
    rule = Rule(name="DriftAlarm", metric="feature_drifted", op=">", threshold=0.5,
                for_=(consecutive - 1) * spacing)
    fired = first_firing(rule, drifted)
    return None if fired is None else pd.Timestamp(fired)


def alarm_summary(timeline: pd.DataFrame, consecutive: int = 1) -> pd.DataFrame:
    """Per column: windows compared, windows drifted, the window where the alarm fires (``first_alarm``), and
    ``too_few_rows``: windows without a verdict because they were smaller than their method needs."""
    require_columns(timeline, ["period", "column", "drifted"], "timeline")
    rows = []
    for column, part in timeline.groupby("column", sort=False):
        too_few = int((part["status"] == STATUS_TOO_FEW_ROWS).sum()) if "status" in part.columns else 0
        rows.append(
            {
                "column": column,
                "windows": len(part),
                "drifted_windows": int(part["drifted"].sum()),
                "alarm": first_alarm(part, column, consecutive),
                "too_few_rows": too_few,
            }
        )
    out = pd.DataFrame(rows, columns=["column", "windows", "drifted_windows", "alarm", "too_few_rows"])
    return out.astype({"alarm": "datetime64[ns]"})
