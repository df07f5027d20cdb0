"""Model performance when the truth arrives late: accuracy per period, as known on a given day.

A credit model decides today; whether the borrower defaults is known only later (``label_available_on``, 30 days
after the application in the simulated world). So on any day the monitoring team knows the accuracy of old periods
only, and a fall in accuracy shows up at least one label delay after it happened. ``performance_timeline`` computes
what is known **as of** a date; ``accuracy_metric`` turns it into the daily metric an alert rule watches (the
course's ``ModelAccuracyBelow90``, evaluated by ``helpers.alerts``: it fires the day a bad period becomes known;
``first_accuracy_alert`` reads the same day straight from a timeline, for code without a rule); and
``classification_check`` runs an Evidently classification report, with the lesson's alert line as a test
(accuracy >= 0.90), on the rows whose labels are in.

What is "known" is what a lender observes (``helpers.labels``): the outcomes of the loans it made, once on record.
A declined applicant's outcome never is, so by default every accuracy here is over approved loans; a caller who
wants the simulation's truth over every applicant asks for it with ``ground_truth=True`` and calls it the oracle.

Periods whose labels are not in yet are **kept** (their size and predicted default rate are known on decision day)
and **marked**: ``status`` is "awaiting labels" and ``accuracy`` is ``<NA>`` (pandas' missing value in a nullable
``Float64`` column, which ``float()`` refuses, so it is never silently used as a number). Filter on
``status == "labelled"`` to get accuracies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.labels import accuracy_as_known
from helpers.lines import ACCURACY_LINE
from helpers.paths import writable_build_path
from helpers.runtime import quiet_warnings, single_threaded_blas
from helpers.validation import require_columns, require_date, require_rows, require_whole_number

__all__ = [
    "AWAITING_LABELS",
    "LABELLED",
    "MIN_LABELLED_ROWS",
    "PARTLY_LABELLED",
    "TIMELINE_COLUMNS",
    "AccuracyAlert",
    "accuracy_metric",
    "classification_check",
    "first_accuracy_alert",
    "performance_timeline",
]

#: The lesson's alert line: an alert when accuracy falls below 90%.
#: Fewest labelled rows a period's own accuracy needs before it can raise an alert (a share of fewer rows moves in
#: steps too coarse to compare with a line: with 10 rows, one decision is 10 points). The same rule of thumb as the
#: drift tests' minimum window (``helpers.drift.DEFAULT_MIN_WINDOW_ROWS``).
MIN_LABELLED_ROWS = 30

LABELLED = "labelled"
PARTLY_LABELLED = "partly labelled"
AWAITING_LABELS = "awaiting labels"

TIMELINE_COLUMNS = [
    "period", "n", "n_labelled", "status", "accuracy", "rolling_accuracy", "default_rate",
    "predicted_default_rate", "labels_complete_on",
]




def _is_share(value) -> bool:
    """A number in (0, 1] (an accuracy line); not a bool, a string or NaN."""
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float, np.integer, np.floating))
        and 0 < float(value) <= 1
    )


def _check_binary(series: pd.Series, what: str) -> None:
    if series.isna().any():
        raise ValueError(f"{what} column {series.name!r} has {int(series.isna().sum())} missing values (NaN)")
    bad = ~series.isin([0, 1])
    if bad.any():
        shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in pd.unique(series[bad])[:5])
        raise ValueError(f"{what} column {series.name!r} must hold 0/1, found {shown} in {int(bad.sum())} row(s)")


def _labelled_mask(
    decisions: pd.DataFrame, as_of, date_column: str, label: str, prediction: str, label_date_column: str,
    observed: str | None = None,
) -> np.ndarray:
    """Validate the decisions and return which rows have their label on record by ``as_of`` (None: hindsight);
    with ``observed``, only rows where that 0/1 column is 1 (the loans made) ever do."""
    require_rows(decisions, "decisions")
    require_columns(decisions, [date_column, label, prediction, label_date_column], "decisions")
    for column in (date_column, label_date_column):
        if not pd.api.types.is_datetime64_any_dtype(decisions[column]):
            raise ValueError(f"decisions column {column!r} must hold dates (datetime64), got {decisions[column].dtype}")
        if decisions[column].isna().any():
            raise ValueError(f"decisions column {column!r} has {int(decisions[column].isna().sum())} missing dates")
    _check_binary(decisions[prediction], "prediction")
    if as_of is None:
        labelled = np.ones(len(decisions), dtype=bool)
    else:
        labelled = (decisions[label_date_column] <= require_date(as_of, "as_of")).to_numpy()
    if observed is not None:
        require_columns(decisions, [observed], "decisions")
        _check_binary(decisions[observed], "observed")
        labelled &= decisions[observed].to_numpy() == 1
    # a label not available yet may be missing in real data; an available one must be 0/1
    _check_binary(decisions.loc[labelled, label], "label")
    return labelled


def performance_timeline(
    decisions: pd.DataFrame,
    as_of=None,
    date_column: str = "date",
    label: str = "defaulted",
    prediction: str = "predicted_default",
    label_date_column: str = "label_available_on",
    freq: str = "D",
    *,
    window: int = 7,
    observed: str | None = "approved",
    ground_truth: bool = False,
) -> pd.DataFrame:
    """Accuracy per period as a lender knows it on ``as_of``: one row per period of ``decisions``.

    What is known is ``helpers.labels.accuracy_as_known``'s: the outcomes of the loans made (``observed`` = 1) whose
    label date is on or before ``as_of``. A declined applicant's outcome is never known, so on a lender's data
    ``accuracy`` is the share of approved loans repaid (1 - ``default_rate``); ``ground_truth=True`` counts every
    applicant instead: the simulation's oracle, which no lender has (name it so wherever it is shown).

    Args:
        decisions: one row per decision, e.g. ``helpers.models.decide(model, simulate_applications(...))``.
        as_of: the day the monitoring looks from; None: every outcome that will ever be known is in (hindsight).
        date_column: the decision date, which places a row in a period.
        label: the true outcome (0/1), e.g. ``defaulted``.
        prediction: the model's predicted outcome (0/1), e.g. ``predicted_default``.
        label_date_column: the date each row's label becomes known.
        freq: period length, a pandas period alias ("D", "W", "M").
        window: the number of consecutive periods pooled in ``rolling_accuracy``.
        observed: the 0/1 column that says whose outcome is ever observed (None: everyone's).
        ground_truth: True for the oracle (every applicant's outcome, declined ones included).

    Returns:
        One row per period, sorted: ``period`` (its start), ``n`` (rows), ``n_labelled`` (rows whose outcome is on
        record), ``status`` ("labelled": every outcome that will be known is in; "partly labelled"; "awaiting
        labels"), ``accuracy`` (share of correct predictions among labelled rows; ``<NA>`` when none),
        ``rolling_accuracy`` (correct / labelled pooled over this period and the ``window - 1`` before it; ``<NA>``
        unless all of them have labels), ``default_rate`` (labelled rows; ``<NA>`` when none),
        ``predicted_default_rate`` (all rows: known on decision day) and ``labels_complete_on`` (the day the
        period's last observable outcome arrives, i.e. when its accuracy is final).

    Raises:
        ValueError: a missing column, an empty frame, non-date date columns, an unparseable ``as_of``, a prediction
            that is missing or not 0/1, a label that is on record but missing or not 0/1, a bad ``freq`` or
            ``window``.
    """
    _labelled_mask(decisions, as_of, date_column, label, prediction, label_date_column,
                   None if ground_truth else observed)  # the checks, with errors that name decisions' columns
    require_whole_number(window, "window", minimum=1)
    known = accuracy_as_known(
        decisions, as_of, outcome=label, prediction=prediction, date_column=date_column,
        label_date_column=label_date_column, observed=observed, ground_truth=ground_truth, window=window, freq=freq,
    )
    return _timeline_from_known(known)


def _timeline_from_known(known: pd.DataFrame) -> pd.DataFrame:
    """``accuracy_as_known``'s periods in the timeline's words (``TIMELINE_COLUMNS``): its pooled accuracy is
    ``rolling_accuracy``, its positive (predicted) rate the (predicted) default rate, and ``status`` says whether
    every observable outcome of the period is in (``LABELLED``), some are (``PARTLY_LABELLED``) or none
    (``AWAITING_LABELS``)."""
    out = known[["period", "n", "n_labelled"]].copy()
    out["status"] = np.select(
        [known["n_labelled"] == known["n_observable"], known["n_labelled"] > 0],
        [LABELLED, PARTLY_LABELLED],
        default=AWAITING_LABELS,
    )
    out["accuracy"] = known["accuracy"]
    out["rolling_accuracy"] = known["pooled_accuracy"]
    out["default_rate"] = known["positive_rate"]
    out["predicted_default_rate"] = known["predicted_rate"]
    out["labels_complete_on"] = known["labels_complete_on"]
    return out[TIMELINE_COLUMNS].reset_index(drop=True)


def accuracy_metric(timeline: pd.DataFrame, column: str = "rolling_accuracy") -> pd.Series:
    """The accuracy a monitoring job would export once a day (``credit_model_accuracy`` in ``monitoring/alerts.yml``).

    A period's accuracy is final on the day its last label arrives (``labels_complete_on``), so that day is when the
    job can publish it: the returned Series is indexed by those days (an evaluation time each, increasing) and holds
    ``column`` of ``timeline`` (``performance_timeline``), NaN where there is no value yet (e.g. the first
    ``window - 1`` periods of a rolling accuracy). Periods whose labels are not all in yet have no evaluation, nor
    have periods with no outcome to observe (no loan made).
    Feed it to ``helpers.alerts.evaluate`` / ``first_firing`` with the course's ``ModelAccuracyBelow90`` rule: the
    alert fires on the day a bad period becomes known, a full label delay after the decisions.

    Raises:
        ValueError: a missing column, or days whose labels complete on the same day (then ``freq`` is longer than
            the label dates' spacing and one sample per evaluation is ambiguous).
    """
    require_columns(timeline, ["status", column, "labels_complete_on"], "timeline")
    complete = timeline[(timeline["status"] == LABELLED) & timeline["labels_complete_on"].notna()]
    times = pd.DatetimeIndex(complete["labels_complete_on"], name="evaluated_on")
    if times.has_duplicates:
        raise ValueError(
            f"timeline has several periods whose labels complete on {times[times.duplicated()][0].date()}: "
            f"one accuracy per evaluation day needs one period per completion day"
        )
    return pd.Series(complete[column].astype(float).to_numpy(), index=times, name=column).sort_index()


@dataclass(frozen=True)
class AccuracyAlert:
    """An accuracy alert: the period whose accuracy crossed the line, and the day that became known."""

    period: pd.Timestamp  #: start of the first period below the line
    fires_on: pd.Timestamp  #: the day the alert can fire: when that period's last label arrived
    value: float  #: the accuracy that crossed the line
    column: str  #: which accuracy was watched ("accuracy" or "rolling_accuracy")


def first_accuracy_alert(
    timeline: pd.DataFrame,
    threshold: float = ACCURACY_LINE,
    column: str = "rolling_accuracy",
    *,
    min_labelled: int = MIN_LABELLED_ROWS,
) -> AccuracyAlert | None:
    """The first period whose ``column`` (of ``performance_timeline``) is below ``threshold``, or None.

    Periods without a value (labels not in yet, or not enough periods for a rolling value) are skipped: an alert
    can only fire on what is known. So are periods whose daily ``accuracy`` rests on fewer than ``min_labelled``
    labelled rows (too few rows: one wrong decision out of one is not a 0% accuracy worth an alert); a rolling
    accuracy pools several periods and is judged as it is. The alert fires on ``labels_complete_on`` of that
    period, not on the period itself: that is the label delay every accuracy alert pays.
    """
    if not isinstance(column, str):
        raise ValueError(f"column must be a column name (a string), got {column!r}")
    require_columns(timeline, ["period", column, "labels_complete_on"], "timeline")
    if not _is_share(threshold):
        raise ValueError(f"threshold must be an accuracy between 0 and 1 (e.g. 0.90), got {threshold!r}")
    require_whole_number(min_labelled, "min_labelled", minimum=1, unit="rows")
    known = timeline[timeline[column].notna()]
    if column == "accuracy" and "n_labelled" in known.columns:
        known = known[known["n_labelled"] >= min_labelled]
    known = known.sort_values("period")
    below = known[known[column].astype(float) < threshold]
    if below.empty:
        return None
    row = below.iloc[0]
    return AccuracyAlert(
        pd.Timestamp(row["period"]), pd.Timestamp(row["labels_complete_on"]), float(row[column]), column
    )


def classification_check(
    decisions: pd.DataFrame,
    as_of=None,
    start=None,
    end=None,
    min_accuracy: float = ACCURACY_LINE,
    report_path: str | Path | None = None,
    date_column: str = "date",
    label: str = "defaulted",
    prediction: str = "predicted_default",
    label_date_column: str = "label_available_on",
    probability: str | None = "default_probability",
    *,
    observed: str | None = "approved",
    ground_truth: bool = False,
) -> pd.DataFrame:
    """An Evidently classification report on the decisions from ``start`` to ``end`` whose labels are in by ``as_of``.

    As everywhere in the course, "labels in" means on record for a lender (``observed`` = 1: the loans made). On
    approved loans alone the model predicted "repay" every time, so its recall of defaults there is 0 by construction.

    The report (``ClassificationPreset``) carries one test, accuracy >= ``min_accuracy`` (the lesson's alert line by
    default); ``passed`` is Evidently's verdict. Rows whose label is not in yet are left out: they cannot be scored.

    Args:
        decisions: as for ``performance_timeline``.
        as_of: the day the check runs (None: every label known).
        start, end: decision dates to include (inclusive); None leaves that side open.
        min_accuracy: the test's line.
        report_path: also save Evidently's HTML report there (relative paths are below ``build/``).
        probability: the column of predicted probabilities (adds ROC AUC and log loss to the report), or None.
        observed: the 0/1 column of rows whose outcome is ever on record (None: every row's).
        ground_truth: True scores every applicant: the oracle, not what a lender can compute.

    Returns:
        One row: ``first_day`` and ``last_day`` (of the labelled decisions scored), ``n_labelled``, ``n_awaiting``
        (rows in the range whose labels are not in), ``accuracy``, ``precision``, ``recall`` (of the positive
        class, 1), ``min_accuracy`` and ``passed``.

    Raises:
        ValueError: bad input as in ``performance_timeline``; ``start`` after ``end``; no rows in the range; no
            labelled rows in it (the message says when the first label arrives).
    """
    labelled = _labelled_mask(decisions, as_of, date_column, label, prediction, label_date_column,
                              None if ground_truth else observed)
    if not _is_share(min_accuracy):
        raise ValueError(f"min_accuracy must be an accuracy between 0 and 1 (e.g. 0.90), got {min_accuracy!r}")
    rows, n_awaiting = _labelled_rows_in_range(decisions, labelled, as_of, start, end, date_column,
                                               label_date_column)
    if probability is not None:
        require_columns(decisions, [probability], "decisions")

    values, verdict = _evidently_classification(rows, label, prediction, probability, min_accuracy, report_path)
    passed = _test_passed(verdict, values["accuracy"], min_accuracy)
    return _check_row(rows[date_column], n_awaiting, values, min_accuracy, passed)


def _test_passed(verdict, accuracy: float, min_accuracy: float) -> bool:
    """Evidently's verdict on the accuracy test (True: SUCCESS), checked against the accuracy it reports (equal
    to the line within float rounding counts as agreeing either way)."""
    passed = str(getattr(verdict["status"], "value", verdict["status"])) == "SUCCESS"
    if passed != (accuracy >= min_accuracy) and not math.isclose(accuracy, min_accuracy):
        raise RuntimeError("Evidently's accuracy test disagrees with its accuracy value")
    return passed


def _check_row(dates: pd.Series, n_awaiting: int, values: dict, min_accuracy: float, passed: bool) -> pd.DataFrame:
    """``classification_check``'s one-row result: the span of the scored decisions' ``dates``, how many were scored
    and how many await labels, Evidently's accuracy, precision and recall (None if absent), the line and verdict."""
    return pd.DataFrame(
        [
            {
                "first_day": dates.min(),
                "last_day": dates.max(),
                "n_labelled": len(dates),
                "n_awaiting": n_awaiting,
                "accuracy": values["accuracy"],
                "precision": values.get("precision"),
                "recall": values.get("recall"),
                "min_accuracy": float(min_accuracy),
                "passed": passed,
            }
        ]
    )


def _labelled_rows_in_range(decisions, labelled, as_of, start, end, date_column, label_date_column):
    """The decisions from ``start`` to ``end`` (inclusive, None open) whose labels are in, and how many are not."""
    in_range = np.ones(len(decisions), dtype=bool)
    start_ts = None if start is None else require_date(start, "start")
    end_ts = None if end is None else require_date(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ValueError(f"start ({start_ts.date()}) is after end ({end_ts.date()})")
    if start_ts is not None:
        in_range &= (decisions[date_column] >= start_ts).to_numpy()
    if end_ts is not None:
        in_range &= (decisions[date_column] <= end_ts).to_numpy()
    if not in_range.any():
        raise ValueError(f"decisions have no rows between start={start!r} and end={end!r}")
    rows = decisions[in_range & labelled]
    if rows.empty:
        first_label = decisions.loc[in_range, label_date_column].min()
        raise ValueError(
            f"no labels are in yet for the decisions between start={start!r} and end={end!r} as of {as_of!r}: "
            f"the first of them arrives on {pd.Timestamp(first_label).date()}"
        )
    return rows, int((in_range & ~labelled).sum())


def _evidently_classification(rows, label, prediction, probability, min_accuracy, report_path):
    """Evidently's ClassificationPreset with its accuracy test on ``rows``: accuracy/precision/recall and the test."""
    with quiet_warnings():
        from evidently import BinaryClassification, DataDefinition, Dataset, Report
        from evidently.presets import ClassificationPreset
        from evidently.tests import gte

        columns = [label, prediction] + ([probability] if probability else [])
        data = rows[columns].astype({label: int, prediction: int}).reset_index(drop=True)
        definition = DataDefinition(
            classification=[
                BinaryClassification(
                    target=label, prediction_labels=prediction, prediction_probas=probability, pos_label=1
                )
            ],
            categorical_columns=[label, prediction],
            numerical_columns=[probability] if probability else [],
        )
        preset = ClassificationPreset(accuracy_tests=[gte(min_accuracy)])
        with single_threaded_blas():
            snapshot = Report([preset]).run(Dataset.from_pandas(data, data_definition=definition), None)
        if report_path is not None:
            snapshot.save_html(str(writable_build_path(report_path)))
    result = snapshot.dict()
    values = {}
    for metric in result["metrics"]:
        kind = metric["config"].get("type", "").rsplit(":", 1)[-1]
        if kind in ("Accuracy", "Precision", "Recall") and kind.lower() not in values:
            values[kind.lower()] = float(metric["value"])
    verdicts = [t for t in result["tests"] if "Accuracy" in t["name"]]
    if len(verdicts) != 1 or "accuracy" not in values:  # would mean Evidently changed its result format
        raise RuntimeError("Evidently's classification report has no accuracy test result")
    return values, verdicts[0]
