"""MLflow traces of the assistant's calls, clinicians' reviews as human feedback on them, and reading both back.

A trace records one call of the assistant: the patient's message (input), the decision and reply (output), and
attributes to search by (age band, prompt version, decision). Its timestamps are the simulated date of the message,
not the wall clock, so the MLflow UI shows the simulated calendar (its trace list defaults to the last 7 days: pick
"All time", or open ``traces_url``).

* ``clear_traces(experiment_id)``: start from no traces (``use_experiment(fresh=True)`` deletes runs only).
* ``log_calls(rows, experiment_id)``: one trace per row (an assistant call), returning the rows with ``trace_id``.
* ``log_reviews(reviews)``: each clinician review as ``mlflow.log_feedback`` with a HUMAN ``AssessmentSource``:
  the feedback ``triage_correct`` (True when the assistant's decision was right) with the right decision as its
  rationale.
* ``log_judge(rows)``: the LLM judge's verdict on each traced call, the same feedback name with an LLM_JUDGE source
  (its logit margin as the rationale), so a trace holds both verdicts side by side.
* ``read_reviews(experiment_id, age_band=None)``: the reviewed traces and their feedback, read back from MLflow with
  ``mlflow.search_traces`` (span attributes can only be filtered with ``LIKE`` there; ``=`` finds nothing).

Writing to the course store goes through ``helpers.tracking`` (quiet, offline, ``build/mlflow``). About 30 traces a
second reach a SQLite store on a laptop: trace a review window or a sample, not a year of traffic.

Synchronous or not: by default MLflow hands each finished trace to a background writer
(``MLFLOW_ENABLE_ASYNC_TRACE_LOGGING``, true unless set), so that an application never waits for its store. These
functions flush that writer before they need a trace in the store, so they work either way; but each flush waits
for the writer's thread, which looks at its queue once a second (a second or two per flush). Notebook 05 sets
``MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false`` before its first span (MLflow reads it when it sets up its tracer, e.g.
at the first span after ``mlflow.set_experiment``): each trace is then written when its span ends, and a flush is
free.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from helpers import tracking  # makes MLflow quiet and offline before it is used
from helpers.validation import require_columns, require_no_nan, require_rows

with warnings.catch_warnings():  # in a notebook without ipywidgets, tqdm (imported by MLflow) warns once
    warnings.filterwarnings("ignore", message="IProgress not found")
    import mlflow  # after helpers.tracking has set MLflow's environment
    from mlflow.entities import AssessmentSource, AssessmentSourceType, SpanType
    from mlflow.exceptions import MlflowException
    from mlflow.tracing.constant import SpanAttributeKey
    from mlflow.tracking import MlflowClient

__all__ = [
    "FEEDBACK_NAME", "JUDGE_ID", "SPAN_NAME", "clear_traces", "log_calls", "log_judge", "log_reviews", "read_reviews",
    "traces_url",
]

#: Name of each trace's root span.
SPAN_NAME = "triage_assistant"
#: Name of the clinicians' feedback on a trace.
FEEDBACK_NAME = "triage_correct"
#: Source id of the LLM judge's feedback (the same small model with the judge's rubric).
JUDGE_ID = "smollm2-135m-judge"
_CALL_COLUMNS = ["message_id", "date", "age_band", "prompt_version", "message", "decision", "reply",
                 "latency_seconds", "urgent_probability"]


def clear_traces(experiment_id: str) -> int:
    """Delete every trace of ``experiment_id`` (a notebook that re-creates its traces starts from none).

    ``tracking.use_experiment(..., fresh=True)`` deletes runs, not traces. Returns how many traces were deleted.
    """
    mlflow.flush_trace_async_logging()
    latest = 4_102_444_800_000  # 2100-01-01 in ms: simulated dates may lie in the future
    return MlflowClient().delete_traces(experiment_id, max_timestamp_millis=latest)


def _ns(timestamp: pd.Timestamp) -> int:
    return int(pd.Timestamp(timestamp).value)


def _experiment(experiment_id) -> str:
    """The id of an existing, active experiment, or a ValueError naming the one asked for."""
    if not isinstance(experiment_id, str) or not experiment_id.strip():
        raise ValueError(f"experiment_id must be an MLflow experiment id (a non-empty string), got {experiment_id!r}")
    try:
        experiment = MlflowClient().get_experiment(experiment_id)
    except MlflowException:
        experiment = None
    if experiment is None or experiment.lifecycle_stage != "active":
        raise ValueError(f"experiment {experiment_id!r} does not exist (or is deleted) in the tracking store "
                         f"{mlflow.get_tracking_uri()!r}: create it first, e.g. tracking.use_experiment(name)")
    return experiment_id


def _check_call_values(rows: pd.DataFrame, hour) -> None:
    if isinstance(hour, bool) or not isinstance(hour, (int, np.integer)) or not 0 <= hour <= 23:
        raise ValueError(f"hour must be a whole hour of the day, 0-23, got {hour!r}")
    latency = pd.to_numeric(rows["latency_seconds"], errors="coerce")
    if latency.isna().any() or (latency < 0).any():
        bad = rows["latency_seconds"][latency.isna() | (latency < 0)].iloc[0]
        raise ValueError(f"rows['latency_seconds'] must be numbers of seconds >= 0, found {bad!r}")


def _token_usage(row) -> dict | None:
    prompt, completion = getattr(row, "prompt_tokens", None), getattr(row, "completion_tokens", None)
    if prompt is None or completion is None or pd.isna(prompt) or pd.isna(completion):
        return None
    return {"input_tokens": int(prompt), "output_tokens": int(completion), "total_tokens": int(prompt + completion)}


def log_calls(rows: pd.DataFrame, experiment_id: str, hour: int = 9) -> pd.DataFrame:
    """Record each row (one assistant call) as an MLflow trace in ``experiment_id``; return rows with ``trace_id``.

    The trace starts on the row's simulated ``date`` at ``hour`` o'clock plus a few seconds per row (so calls of a
    day keep their order) and lasts ``latency_seconds``. Inputs: the message; outputs: the decision and reply;
    span attributes: ``message_id``, ``age_band``, ``prompt_version``, ``decision``, ``urgent_probability``.

    When ``rows`` has ``prompt_tokens`` and ``completion_tokens``, the span carries them as MLflow's token usage
    (``mlflow.chat.tokenUsage``; the trace sums them as ``mlflow.trace.tokenUsage``). After writing, the traces are
    counted back from the store: a write MLflow dropped (it only warns) raises instead of returning unknown ids.

    Raises:
        ValueError: no rows, a missing column, missing values, more than 1,000 rows (trace a sample: ~30 a second),
        an experiment that does not exist, an ``hour`` outside 0-23, a negative latency.
        RuntimeError: the store holds fewer of the new traces than were written.
    """
    require_rows(rows, "rows")
    require_columns(rows, _CALL_COLUMNS, "rows")
    require_no_nan(rows, _CALL_COLUMNS, "rows")
    if len(rows) > 1000:
        raise ValueError(f"rows has {len(rows):,} calls; trace at most 1,000 (a review window or a sample)")
    _check_call_values(rows, hour)
    _experiment(experiment_id)
    trace_ids = []
    for position, row in enumerate(rows.itertuples(index=False)):
        start = _ns(pd.Timestamp(row.date).normalize() + pd.Timedelta(hours=hour, seconds=7 * position))
        span = mlflow.start_span_no_context(
            SPAN_NAME,
            span_type=SpanType.CHAT_MODEL,
            inputs={"message": row.message},
            attributes={
                "message_id": row.message_id,
                "age_band": str(row.age_band),
                "prompt_version": row.prompt_version,
                "decision": row.decision,
                "urgent_probability": round(float(row.urgent_probability), 4),
            },
            experiment_id=experiment_id,
            start_time_ns=start,
        )
        usage = _token_usage(row)
        if usage is not None:
            span.set_attribute(SpanAttributeKey.CHAT_USAGE, usage)
        span.end(
            outputs={"decision": row.decision, "reply": row.reply},
            end_time_ns=start + int(float(row.latency_seconds) * 1e9),
        )
        trace_ids.append(span.trace_id)
    _verify_written(experiment_id, trace_ids)
    out = rows.copy()
    out["trace_id"] = trace_ids
    return out


def _verify_written(experiment_id: str, trace_ids: list[str]) -> None:
    mlflow.flush_trace_async_logging()
    stored = mlflow.search_traces(locations=[experiment_id], return_type="list", include_spans=False,
                                  max_results=100_000)
    missing = set(trace_ids) - {t.info.trace_id for t in stored}
    if missing:
        raise RuntimeError(f"{len(missing)} of {len(trace_ids)} traces did not reach experiment {experiment_id!r} "
                           f"in {mlflow.get_tracking_uri()!r}")


def _check_verdicts(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    for column in columns:
        values = frame[column]
        bad = values[~values.isin([0, 1, True, False])]
        if len(bad):
            raise ValueError(f"{what}[{column!r}] must hold 0 or 1 (1 = urgent), found {bad.iloc[0]!r}")


def log_reviews(reviews: pd.DataFrame, reviewer: str = "clinician") -> int:
    """Attach each review to its trace as HUMAN feedback ``triage_correct``; return how many were logged.

    ``reviews`` needs ``trace_id`` (from ``log_calls``), ``urgent`` (the clinician's answer, 1 = urgent) and
    ``predicted_urgent`` (the assistant's). Traces are flushed first: in MLflow's default asynchronous mode a trace
    is not in the store until then, and feedback on it fails with "Trace ... not found".
    """
    require_rows(reviews, "reviews")
    require_columns(reviews, ["trace_id", "urgent", "predicted_urgent"], "reviews")
    require_no_nan(reviews, ["trace_id", "urgent", "predicted_urgent"], "reviews")
    _check_verdicts(reviews, ["urgent", "predicted_urgent"], "reviews")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise ValueError(f"reviewer must name who reviewed (e.g. 'clinician'), got {reviewer!r}")
    mlflow.flush_trace_async_logging()
    source = AssessmentSource(source_type=AssessmentSourceType.HUMAN, source_id=reviewer)
    for row in reviews.itertuples(index=False):
        right = "see a doctor" if int(row.urgent) == 1 else "self-care"
        mlflow.log_feedback(
            trace_id=row.trace_id,
            name=FEEDBACK_NAME,
            value=bool(int(row.urgent) == int(row.predicted_urgent)),
            source=source,
            rationale=f"the right decision was: {right}",
        )
    return len(reviews)


def log_judge(rows: pd.DataFrame) -> int:
    """Attach the LLM judge's verdict to each traced call: feedback ``triage_correct`` from an LLM_JUDGE source.

    ``rows`` needs ``trace_id`` and ``judge_right`` (True when the judge says the decision was right); a
    ``judge_margin`` column becomes the rationale. Returns how many verdicts were logged.
    """
    require_rows(rows, "rows")
    require_columns(rows, ["trace_id", "judge_right"], "rows")
    require_no_nan(rows, ["trace_id", "judge_right"], "rows")
    _check_verdicts(rows, ["judge_right"], "rows")
    mlflow.flush_trace_async_logging()
    source = AssessmentSource(source_type=AssessmentSourceType.LLM_JUDGE, source_id=JUDGE_ID)
    for row in rows.itertuples(index=False):
        margin = getattr(row, "judge_margin", None)
        mlflow.log_feedback(trace_id=row.trace_id, name=FEEDBACK_NAME, value=bool(row.judge_right), source=source,
                            rationale=None if margin is None else f"logit(Yes) - logit(No) = {float(margin):.3f}")
    return len(rows)


def read_reviews(experiment_id: str, age_band: str | None = None) -> pd.DataFrame:
    """The traces of ``experiment_id`` (optionally one age band) with their clinicians' feedback, from MLflow.

    Returns:
        One row per trace, oldest first: ``trace_id``, ``date`` (the simulated day of the call), ``age_band``,
        ``prompt_version``, ``decision``, ``reviewed`` (whether it has human feedback), ``triage_correct`` (the
        human feedback's value; ``<NA>`` when not reviewed), ``reviewer``, ``judge_correct`` (the LLM judge's
        verdict; ``<NA>`` when not judged) and ``total_tokens`` (the trace's token usage; ``<NA>`` when none).

    Raises:
        ValueError: an experiment id that does not exist in the store (named in the message).
    """
    _experiment(experiment_id)
    mlflow.flush_trace_async_logging()
    filter_string = None
    if age_band is not None:
        filter_string = f"span.attributes.age_band LIKE '%{age_band}%'"
    traces = mlflow.search_traces(
        locations=[experiment_id], filter_string=filter_string, return_type="list", include_spans=True
    )
    records = []
    for trace in traces:
        root = trace.data.spans[0]
        mine = [a for a in trace.info.assessments if a.name == FEEDBACK_NAME]
        feedback = [a for a in mine if a.source.source_type == AssessmentSourceType.HUMAN]
        judged = [a for a in mine if a.source.source_type == AssessmentSourceType.LLM_JUDGE]
        usage = trace.info.token_usage or {}
        records.append(
            {
                "trace_id": trace.info.trace_id,
                "date": pd.Timestamp(trace.info.request_time, unit="ms").normalize(),
                "age_band": root.get_attribute("age_band"),
                "prompt_version": root.get_attribute("prompt_version"),
                "decision": root.get_attribute("decision"),
                "reviewed": bool(feedback),
                "triage_correct": feedback[-1].value if feedback else pd.NA,
                "reviewer": feedback[-1].source.source_id if feedback else pd.NA,
                "judge_correct": judged[-1].value if judged else pd.NA,
                "total_tokens": usage.get("total_tokens", pd.NA),
            }
        )
    columns = ["trace_id", "date", "age_band", "prompt_version", "decision", "reviewed", "triage_correct", "reviewer",
               "judge_correct", "total_tokens"]
    out = pd.DataFrame(records, columns=columns)
    if age_band is not None:  # LIKE '%65+%' is a substring match: keep exact matches only
        out = out[out["age_band"] == age_band]
    return out.sort_values(["date", "trace_id"], kind="stable").reset_index(drop=True)


def traces_url(experiment_id: str, host: str = tracking.DASHBOARD_HOST, port: int = tracking.DASHBOARD_PORT) -> str:
    """The MLflow UI's trace list of ``experiment_id`` over all time (simulated dates are older than 7 days)."""
    return f"http://{host}:{port}/#/experiments/{experiment_id}/traces?startTimeLabel=ALL"
