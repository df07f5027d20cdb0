"""Monitoring histories: one metric point per simulated day, logged and read back."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.days import day_number
from helpers.runtime import importing_mlflow
from helpers.tracking.config import configured
from helpers.validation import require_columns, require_no_nan, require_rows

with importing_mlflow():
    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

__all__ = [
    "active_run_id", "log_history", "read_history",
]

_BATCH = 1000  # MLflow accepts at most 1000 metrics per log_batch call


def _day_numbers(dates: pd.Series, origin) -> pd.Series:
    return day_number(dates, origin if origin is not None else dates.min())


@configured
def log_history(
    frame: pd.DataFrame,
    metrics: str | Sequence[str],
    date_column: str = "date",
    run_id: str | None = None,
    origin=None,
) -> int:
    """Log one point per row of ``frame`` for each column of ``metrics``: a daily monitoring history.

    Each point's timestamp is the simulated date of its row (not the wall clock) and its step is the number of days
    since ``origin`` (default: the earliest date in ``frame``), so the MLflow charts' x-axis is the simulated
    calendar. Metric names are the column names.

    Args:
        frame: one row per period, e.g. the output of ``helpers.performance.performance_timeline``.
        metrics: column name(s) to log (numbers, no NaN: drop periods without a value first).
        date_column: the column holding each row's date.
        run_id: the run to log into; default the active run.
        origin: the date counted as step 0.

    Returns:
        The number of metric points logged.

    Raises:
        ValueError: a missing column, an empty frame, NaN in a metric, a date that occurs twice, no active run.
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metrics:
        raise ValueError("metrics is empty: name at least one column to log")
    require_rows(frame, "history")
    require_columns(frame, [date_column, *metrics], "history")
    require_no_nan(frame, [date_column, *metrics], "history")
    text = [m for m in metrics if not pd.api.types.is_numeric_dtype(frame[m]) or pd.api.types.is_bool_dtype(frame[m])]
    if text:
        raise ValueError(f"history column(s) {', '.join(map(repr, text))} must hold numbers to log as metrics, got "
                         f"dtype {', '.join(str(frame[m].dtype) for m in text)}")
    dates = pd.to_datetime(frame[date_column])
    repeated = dates[dates.duplicated()]
    if len(repeated):
        raise ValueError(
            f"history has {len(repeated)} repeated date(s) in column {date_column!r} (first: "
            f"{repeated.iloc[0].date()}); log one row per period"
        )
    run_id = run_id or active_run_id()
    steps = _day_numbers(dates, origin).astype(int).tolist()
    stamps = (dates.astype("int64") // 1_000_000).astype(int).tolist()  # ms since the epoch
    points = [
        Metric(key=name, value=float(value), timestamp=stamp, step=step)
        for name in metrics
        for value, stamp, step in zip(frame[name].tolist(), stamps, steps)
    ]
    client = MlflowClient()
    for start in range(0, len(points), _BATCH):
        client.log_batch(run_id, metrics=points[start : start + _BATCH], synchronous=True)
    return len(points)


def active_run_id() -> str:
    """The id of the active MLflow run; ``ValueError`` saying how to start one when there is none."""
    run = mlflow.active_run()
    if run is None:
        raise ValueError("no active run: pass run_id=... or call inside `with tracking.start_run(...)`")
    return run.info.run_id


@configured
def read_history(run_id: str, key: str) -> pd.DataFrame:
    """A metric's history as logged in MLflow: columns ``step``, ``date`` (from the timestamp) and ``key``.

    Raises:
        ValueError: the run has no metric ``key`` (the message lists the metrics it has).
    """
    client = MlflowClient()
    points = client.get_metric_history(run_id, key)
    if not points:
        have = sorted(client.get_run(run_id).data.metrics)
        raise ValueError(f"run has no metric {key!r}; its metrics are: {', '.join(have) or 'none'}")
    frame = pd.DataFrame(
        {
            "step": [p.step for p in points],
            "date": pd.to_datetime([p.timestamp for p in points], unit="ms"),
            key: [p.value for p in points],
        }
    )
    return frame.sort_values(["step", "date"]).reset_index(drop=True)
