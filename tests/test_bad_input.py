"""Bad input a careless learner or a hurried instructor could type, across the helpers: each gets a clear error.

Every case asserts the error's type AND that its message names what is wrong (the parameter, column, value, file,
port or URI), so a learner can fix it without reading the helper's source. One row per case; the ids say what is
tried. Servers' bad input (ports) is tested with the server commands.
"""

from __future__ import annotations

import socket
from functools import cache

import numpy as np
import pandas as pd
import pytest

from helpers import data, drift, fairness, models, performance, report, tracking, world

# ------------------------------------------------------------------------------------------------ shared inputs
# Built once, on first use: a small income_shock world (40 days x 60 applications), a model and its decisions.


@cache
def applications() -> pd.DataFrame:
    return world.simulate_applications("income_shock", days=40, per_day=60, seed=3)


@cache
def reference() -> pd.DataFrame:
    return applications()[applications()["day"] < 20]  # 1200 rows: Evidently's defaults are distances


@cache
def small_reference() -> pd.DataFrame:
    return applications()[applications()["day"] < 10]  # 600 rows: Evidently's defaults are p-value tests


@cache
def current() -> pd.DataFrame:
    return applications()[applications()["day"] >= 20]


@cache
def model():
    return models.train_baseline(reference())


@cache
def decisions() -> pd.DataFrame:
    return models.decide(model(), applications())


@cache
def drift_days() -> pd.DataFrame:
    return drift.drift_timeline(reference(), current(), columns=["income", "region"])


@cache
def german() -> pd.DataFrame:
    frame = data.load_german_credit()
    frame["age_group"] = np.where(frame["age"] >= 25, "25+", "under 25")
    return frame


@cache
def audit_result():
    return fairness.audit(german(), "good_credit", "age_group", "25+")


@cache
def accuracy_days() -> pd.DataFrame:
    return performance.performance_timeline(decisions())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _history(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "accuracy": [0.9, 0.91, 0.92]})
    for column, values in changes.items():
        frame[column] = values
    return frame


def _simulate(**kwargs):
    arguments = {"scenario": "stable", "days": 2, "per_day": 5, "seed": 0, **kwargs}
    return world.simulate_applications(**arguments)


def _with_nan(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame.index[0], column] = np.nan
    return frame


def _unreachable_server():
    uri = f"http://127.0.0.1:{_free_port()}"
    try:
        tracking.check_store(uri)
    except tracking.StoreUnavailable as error:
        assert uri in str(error)
        raise


def _sqlite_under_a_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    tracking.check_store(tracking.sqlite_uri(blocker / "mlflow.db"))


# ------------------------------------------------------------------------------------------------ the cases
# (id, call, error type, a pattern the message must contain: the name of what is wrong)
CASES = [
    # the simulated world
    ("world-scenario-unknown", lambda: _simulate(scenario="boom"), ValueError, r"scenario 'boom'"),
    ("world-scenario-none", lambda: _simulate(scenario=None), ValueError, r"scenario None"),
    ("world-scenario-list", lambda: _simulate(scenario=["stable"]), ValueError, r"scenario \['stable'\]"),
    ("world-days-zero", lambda: _simulate(days=0), ValueError, r"days must be"),
    ("world-days-float", lambda: _simulate(days=2.5), ValueError, r"days must be"),
    ("world-days-string", lambda: _simulate(days="10"), ValueError, r"days must be"),
    ("world-per-day-negative", lambda: _simulate(per_day=-3), ValueError, r"per_day must be"),
    ("world-per-day-bool", lambda: _simulate(per_day=True), ValueError, r"per_day must be"),
    ("world-start-none", lambda: _simulate(start=None), ValueError, r"start must be a date"),
    ("world-start-empty", lambda: _simulate(start=""), ValueError, r"start must be a date"),
    ("world-start-integer", lambda: _simulate(start=20240101), ValueError, r"start must be a date.*20240101"),
    ("world-start-not-a-date", lambda: _simulate(start="soon"), ValueError, r"start must be a date.*'soon'"),
    ("world-seed-string", lambda: _simulate(seed="abc"), ValueError, r"seed must be"),
    ("world-seed-float", lambda: _simulate(seed=1.5), ValueError, r"seed must be"),
    ("world-seed-negative", lambda: _simulate(seed=-1), ValueError, r"seed must be"),
    ("world-seed-none", lambda: _simulate(seed=None), ValueError, r"seed must be"),
    # the baseline model
    ("model-seed-string", lambda: models.train_baseline(reference(), seed="x"), ValueError, r"seed must be"),
    ("model-missing-feature", lambda: models.train_baseline(reference().drop(columns="income")), ValueError,
     r"'income'"),
    ("model-target-not-binary", lambda: models.train_baseline(reference(), target="region"), ValueError,
     r"target column 'region'"),
    ("model-features-string", lambda: models.train_baseline(reference(), features="income"), ValueError,
     r"features must be a list"),
    ("model-features-empty", lambda: models.train_baseline(reference(), features=[]), ValueError,
     r"features is empty"),
    ("model-weights-length", lambda: models.train_baseline(reference(), sample_weight=np.ones(3)), ValueError,
     r"sample_weight must hold one number per training row \(1200\)"),
    ("model-weights-negative",
     lambda: models.train_baseline(reference(), sample_weight=-np.ones(len(reference()))), ValueError,
     r"sample_weight must be finite and >= 0"),
    ("model-nan-feature", lambda: models.train_baseline(_with_nan(reference(), "income")), ValueError,
     r"'income' \(1 of 1200 rows\)"),
    ("decide-threshold-above-1", lambda: models.decide(model(), current(), threshold=1.5), ValueError,
     r"threshold must be .*1\.5"),
    ("decide-threshold-string", lambda: models.decide(model(), current(), threshold="0.5"), ValueError,
     r"threshold must be .*'0\.5'"),
    ("decide-missing-column", lambda: models.decide(model(), current().drop(columns="credit_score")), ValueError,
     r"'credit_score'"),
    ("decide-empty", lambda: models.decide(model(), current().iloc[:0]), ValueError, r"applications is empty"),
    # drift
    ("drift-pvalue-threshold-5", lambda: drift.drift_table(reference(), current(), ["income"], "ks", 5), ValueError,
     r"threshold for column 'income' is 5.*p-value"),
    ("drift-default-pvalue-threshold-1", lambda: drift.drift_table(small_reference(), current(), ["income"],
                                                                   threshold=1.0), ValueError,
     r"threshold for column 'income' is 1\.0.*600 reference rows"),
    ("drift-threshold-zero", lambda: drift.drift_table(reference(), current(), ["income"], threshold=0), ValueError,
     r"threshold for column 'income'"),
    ("drift-threshold-string", lambda: drift.drift_table(reference(), current(), ["income"], threshold="0.1"),
     ValueError, r"threshold for column 'income' must be a number"),
    ("drift-threshold-nan", lambda: drift.drift_table(reference(), current(), ["income"], threshold=float("nan")),
     ValueError, r"threshold for column 'income'"),
    ("drift-method-unknown", lambda: drift.drift_table(reference(), current(), ["income"], "nope"), ValueError,
     r"unknown drift method 'nope'"),
    ("drift-method-wrong-kind", lambda: drift.drift_table(reference(), current(), ["region"], "ks"), ValueError,
     r"method 'ks' does not apply to column 'region'"),
    ("drift-column-missing", lambda: drift.drift_table(reference(), current(), ["salary"]), ValueError,
     r"'salary'"),
    ("drift-current-too-few-rows", lambda: drift.drift_table(reference(), current().iloc[:3], ["income"]),
     ValueError, r"current has 3 rows: too few rows.*'wasserstein'.*at least 30"),
    ("drift-reference-too-few-rows", lambda: drift.drift_table(reference().iloc[:5], current(), ["income"]),
     ValueError, r"reference has 5 rows: too few rows"),
    ("drift-min-rows-zero", lambda: drift.drift_table(reference(), current(), ["income"], min_rows=0), ValueError,
     r"min_rows must be"),
    ("drift-nan-current", lambda: drift.drift_table(reference(), _with_nan(current(), "income"), ["income"]),
     ValueError, r"current has missing or infinite values in 'income'"),
    ("timeline-freq", lambda: drift.drift_timeline(reference(), current(), freq="fortnight", columns=["income"]),
     ValueError, r"freq 'fortnight'"),
    ("timeline-date-column", lambda: drift.drift_timeline(reference(), current(), date_column="when"), ValueError,
     r"'when'"),
    ("timeline-threshold-unknown-column",
     lambda: drift.drift_timeline(reference(), current(), columns=["income"], threshold={"ks": 0.1}), ValueError,
     r"threshold names 'ks'"),
    ("timeline-pvalue-threshold-2",
     lambda: drift.drift_timeline(reference(), current(), columns=["region"], method="chisquare", threshold=2),
     ValueError, r"threshold for column 'region' is 2.*'chisquare'"),
    ("timeline-min-rows-float", lambda: drift.drift_timeline(reference(), current(), min_rows=2.5), ValueError,
     r"min_rows must be"),
    ("alarm-column-missing", lambda: drift.first_alarm(drift_days(), "salary"), ValueError, r"'salary'"),
    ("alarm-consecutive-zero", lambda: drift.first_alarm(drift_days(), "income", consecutive=0), ValueError,
     r"consecutive must be"),
    ("false-alarms-seed", lambda: drift.false_alarm_rates(applications(), seed="x"), ValueError, r"seed must be"),
    ("false-alarms-trials", lambda: drift.false_alarm_rates(applications(), trials=0), ValueError,
     r"trials must be"),
    ("false-alarms-sizes", lambda: drift.false_alarm_rates(applications(), sizes=[10**7]), ValueError,
     r"sizes \[10000000\]"),
    ("false-alarms-shift", lambda: drift.false_alarm_rates(applications(), shift=-2), ValueError,
     r"shift must be"),
    ("false-alarms-categorical", lambda: drift.false_alarm_rates(applications(), column="region"), ValueError,
     r"column 'region'"),
    ("drift-report-outside-build", lambda: drift.save_drift_report(reference(), current(), "/tmp/drift.html"),
     ValueError, r"below build/.*drift\.html"),
    # fairness
    ("fairness-threshold-80", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                                threshold=80), ValueError,
     r"threshold must be a disparate-impact ratio in \(0, 1\].*80"),
    ("fairness-threshold-1.5", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                                 threshold=1.5), ValueError,
     r"threshold must be .*\(0, 1\].*1\.5"),
    ("fairness-threshold-zero", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                                  threshold=0), ValueError, r"threshold must be.*got 0: at or below 0"),
    ("fairness-threshold-string", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                                    threshold="0.8"), ValueError,
     r"threshold must be .*'0\.8'"),
    ("four-fifths-negative-count", lambda: fairness.passes_four_fifths(-1, 10, 5, 10), ValueError,
     r"counts must be whole numbers >= 0"),
    ("four-fifths-more-favourable-than-rows", lambda: fairness.passes_four_fifths(12, 10, 5, 10), ValueError,
     r"favorable_unprivileged \(12\) cannot exceed n_unprivileged \(10\)"),
    ("audit-not-a-frame", lambda: fairness.audit([1, 0, 1], "good_credit", "age_group", "25+"), TypeError,
     r"must be a pandas DataFrame"),
    ("audit-nan-protected", lambda: fairness.audit(_with_nan(german(), "age_group"), "good_credit", "age_group",
                                                   "25+"), ValueError, r"'age_group' \(1 of 1000 rows\)"),
    ("reweigh-privileged-absent", lambda: fairness.reweigh(german(), "good_credit", "age_group", "old"), ValueError,
     r"privileged value 'old' does not occur in column 'age_group'"),
    ("fairness-date-column", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                               date_column="when"), ValueError, r"'when'"),
    ("fairness-freq", lambda: fairness.fairness_timeline(decisions(), "approved", "group", "majority",
                                                        freq="fortnight"), ValueError, r"freq 'fortnight'"),
    ("audit-privileged-absent", lambda: fairness.audit(german(), "good_credit", "age_group", "old"), ValueError,
     r"privileged value 'old' does not occur in column 'age_group'"),
    ("audit-column-missing", lambda: fairness.audit(german(), "good_credit", "ethnicity", "x"), ValueError,
     r"'ethnicity'"),
    ("audit-favourable-absent", lambda: fairness.audit(german(), "good_credit", "age_group", "25+", favorable=2),
     ValueError, r"favourable value 2 does not occur in column 'good_credit'"),
    ("significance-confidence-95", lambda: audit_result().significance(confidence=95), ValueError,
     r"confidence must be .*95"),
    ("significance-confidence-string", lambda: audit_result().significance(confidence="high"), ValueError,
     r"confidence must be .*'high'"),
    # performance with late labels
    ("performance-as-of-integer", lambda: performance.performance_timeline(decisions(), as_of=5), ValueError,
     r"as_of must be a date.*5"),
    ("performance-as-of-empty", lambda: performance.performance_timeline(decisions(), as_of=""), ValueError,
     r"as_of must be a date"),
    ("performance-as-of-not-a-date", lambda: performance.performance_timeline(decisions(), as_of="soon"),
     ValueError, r"as_of must be a date.*'soon'"),
    ("performance-window-zero", lambda: performance.performance_timeline(decisions(), window=0), ValueError,
     r"window must be"),
    ("performance-freq", lambda: performance.performance_timeline(decisions(), freq="fortnight"), ValueError,
     r"freq 'fortnight'"),
    ("performance-label-missing", lambda: performance.performance_timeline(decisions().drop(columns="defaulted")),
     ValueError, r"'defaulted'"),
    ("accuracy-alert-threshold-90", lambda: performance.first_accuracy_alert(accuracy_days(), threshold=90),
     ValueError, r"threshold must be an accuracy between 0 and 1.*90"),
    ("accuracy-alert-threshold-string", lambda: performance.first_accuracy_alert(accuracy_days(), threshold="0.9"),
     ValueError, r"threshold must be an accuracy.*'0\.9'"),
    ("accuracy-alert-column", lambda: performance.first_accuracy_alert(accuracy_days(), column="recall"),
     ValueError, r"'recall'"),
    ("accuracy-alert-min-labelled", lambda: performance.first_accuracy_alert(accuracy_days(), min_labelled=0),
     ValueError, r"min_labelled must be"),
    ("check-min-accuracy", lambda: performance.classification_check(decisions(), min_accuracy=1.5), ValueError,
     r"min_accuracy must be .*1\.5"),
    ("check-start-integer", lambda: performance.classification_check(decisions(), start=0), ValueError,
     r"start must be a date"),
    ("check-start-empty", lambda: performance.classification_check(decisions(), start=""), ValueError,
     r"start must be a date"),
    ("check-start-after-end", lambda: performance.classification_check(decisions(), start="2024-02-01",
                                                                       end="2024-01-10"), ValueError,
     r"start \(2024-02-01\) is after end \(2024-01-10\)"),
    # tracking
    ("tracking-unreachable-server", _unreachable_server, tracking.StoreUnavailable,
     r"no MLflow tracking server answers at http://127\.0\.0\.1:\d+"),
    ("tracking-experiment-empty", lambda: tracking.use_experiment(""), ValueError, r"experiment name"),
    ("tracking-lock-timeout", lambda: tracking.use_experiment("x", lock_timeout=-1), ValueError,
     r"lock_timeout must be"),
    ("history-no-metrics", lambda: tracking.log_history(_history(), []), ValueError, r"metrics is empty"),
    ("history-metric-missing", lambda: tracking.log_history(_history(), "recall"), ValueError, r"'recall'"),
    ("history-not-a-frame", lambda: tracking.log_history([0.9, 0.8], "accuracy"), TypeError,
     r"history must be a pandas DataFrame"),
    ("history-repeated-date", lambda: tracking.log_history(_history(date=pd.to_datetime(["2024-01-01"] * 3)),
                                                           "accuracy"), ValueError,
     r"3 repeated date|2 repeated date.*'date'"),
    ("history-nan", lambda: tracking.log_history(_history(accuracy=[0.9, np.nan, 0.9]), "accuracy"), ValueError,
     r"'accuracy' \(1 of 3 rows\)"),
    # reports and data
    ("report-title-empty", lambda: report.TransparencyReport(""), ValueError, r"title must"),
    ("report-date-not-a-string", lambda: report.TransparencyReport("Model", date=20240630), ValueError,
     r"date must be a string"),
    ("report-unknown-section", lambda: report.TransparencyReport("Model").add("summary", "text"), ValueError,
     r"unknown report section 'summary'"),
    ("report-files-string", lambda: report.data_sources(files="uci_german_credit.data"), ValueError,
     r"files must be a list.*'uci_german_credit\.data'"),
    ("report-frame-not-a-frame", lambda: report.data_sources(frames={"training": [1, 2]}), TypeError,
     r"frames\['training'\] must be a pandas DataFrame"),
    ("report-unknown-file", lambda: report.data_sources(files=["nope.csv"]), KeyError, r"'nope\.csv'"),
    ("data-unknown-file", lambda: data.data_path("credit.csv"), KeyError, r"'credit\.csv'"),
]


@pytest.mark.parametrize("call, error, names", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_error(call, error, names):
    with pytest.raises(error, match=names):
        call()


def test_a_store_that_is_a_folder_is_named(tmp_path):
    # MLflow alone retries such a store for about 100 s (its SQLAlchemy engine), then names no path
    (tmp_path / "mlflow.db").mkdir()
    with pytest.raises(tracking.StoreUnavailable, match=r"mlflow\.db is not a file"):
        tracking.check_store(tracking.sqlite_uri(tmp_path / "mlflow.db"))


def test_a_store_under_a_file_is_named(tmp_path):
    with pytest.raises(tracking.StoreUnavailable, match=r"not-a-folder"):
        _sqlite_under_a_file(tmp_path)


def test_the_table_is_large_enough():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES), "case ids must be unique"
