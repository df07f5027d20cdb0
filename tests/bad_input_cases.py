"""Round two of the bad-input table (issue 20's classes): numbers given as numpy scalars or strings, booleans given
as strings, dates and lines, seeds and sizes, rule files read like promtool, data versions and the tracking store.

One row per case: (id, call, error type, a pattern the message must match: the parameter, file or value named).
``tests/test_bad_input_round2.py`` runs the table; ``python tests/bad_input_tally.py`` counts how the code on the
import path answers it (clear, silent, unhelpful), e.g. against an older checkout with ``PYTHONPATH``.
Inputs are built on first use, small, and never write outside ``build/``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import (
    abtest,
    alerts,
    days,
    drift,
    labels,
    models,
    paths,
    performance,
    plots,
    rollout,
    tracking,
    versions,
    world,
)
from helpers.assistant import review, segments
from helpers.assistant import world as assistant_world

SCRATCH = paths.BUILD_DIR / "test-bad-input-round2" / str(os.getpid())


@cache
def applications() -> pd.DataFrame:
    return world.simulate_applications("income_shock", days=30, per_day=40, seed=3)


@cache
def decisions() -> pd.DataFrame:
    return models.decide(models.train_baseline(applications()[applications()["day"] < 15]), applications())


@cache
def assistant() -> pd.DataFrame:
    return assistant_world.simulate_log("stable", days=30, per_day=60, seed=1, train_days=14)


def rule(**changes) -> alerts.Rule:
    arguments = {"name": "A", "metric": "m", "op": "<", "threshold": 0.9, **changes}
    return alerts.Rule(**arguments)


def series(values=(0.95, 0.85, 0.8), index=None) -> pd.Series:
    return pd.Series(list(values), index=pd.date_range("2024-01-01", periods=len(values)) if index is None else index)


def rule_file(name: str, text: str | bytes) -> Path:
    path = SCRATCH / "rules" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


_GROUP = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 0.9\n"


def history(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "accuracy": [0.9, 0.91, 0.92]})
    for column, values in changes.items():
        frame[column] = values
    return frame


@cache
def data_repo() -> versions.DataRepo:
    return versions.DataRepo.create(SCRATCH / "repo")


def small_frame() -> pd.DataFrame:
    return pd.DataFrame({"day": [0, 1], "income": [1.5, 2.5]})


def not_made_here() -> Path:
    folder = SCRATCH / "kept"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("not made by DataRepo.create")
    return folder


def outside_folder() -> Path:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"bad-input-outside-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    (folder / "precious.txt").write_text("must survive")
    return folder


def evaluation(**drop) -> pd.DataFrame:
    return alerts.evaluate(rule(), series()).drop(columns=list(drop))


def _plot(call):
    import matplotlib.pyplot as plt

    try:
        return call()
    finally:
        plt.close("all")


def timeline_frame() -> pd.DataFrame:
    return pd.DataFrame({"day": [0, 1, 2], "accuracy": [0.9, 0.92, 0.88]})


DAY0 = pd.Timestamp("2024-01-01")
_RULES = "rule file "
CASES = [
    # ---------------------------------------------------------------- numbers: strings, bools, NaN are not numbers
    ("rule-threshold-string", lambda: rule(threshold="0.8"), ValueError, r"rule 'A': threshold .*'0\.8'"),
    ("rule-threshold-bool", lambda: rule(threshold=True), ValueError, r"rule 'A': threshold .*True"),
    ("rule-threshold-nan", lambda: rule(threshold=np.nan), ValueError, r"rule 'A': threshold .*nan"),
    ("rule-threshold-inf", lambda: rule(threshold=np.inf), ValueError, r"rule 'A': threshold .*inf"),
    ("rule-threshold-none", lambda: rule(threshold=None), ValueError, r"rule 'A': threshold .*None"),
    ("rule-threshold-list", lambda: rule(threshold=[0.9]), ValueError, r"rule 'A': threshold .*\[0\.9\]"),
    ("rule-op-equals", lambda: rule(op="=="), ValueError, r"rule 'A': unknown op '=='"),
    ("rule-metric-space", lambda: rule(metric="model accuracy"), ValueError, r"rule 'A': metric .*'model accuracy'"),
    ("rule-name-empty", lambda: rule(name=""), ValueError, r"rule name .*''"),
    ("rule-for-negative", lambda: rule(for_="-1d"), ValueError, r"rule 'A': for_ '-1d'"),
    ("rule-for-words", lambda: rule(for_="2 days"), ValueError, r"rule 'A': for_ '2 days'"),
    ("rule-for-integer", lambda: rule(for_=5), ValueError, r"rule 'A': for_ .*5"),
    ("rule-for-wrong-order", lambda: rule(for_="30m2h"), ValueError, r"rule 'A': for_ '30m2h'"),
    ("rule-keep-firing-bad", lambda: rule(keep_firing_for="soon"), ValueError, r"keep_firing_for 'soon'"),
    ("rule-labels-not-strings", lambda: rule(labels={"severity": 1}), ValueError, r"rule 'A': labels"),
    ("duration-float", lambda: alerts.parse_duration(1.5, "interval"), ValueError, r"interval .*1\.5"),
    ("duration-empty", lambda: alerts.parse_duration("", "interval"), ValueError, r"interval ''"),
    ("plot-threshold-string", lambda: _plot(lambda: plots.plot_timeline(timeline_frame(), "day", "accuracy",
                                                                        threshold="0.9")),
     ValueError, r"threshold .*'0\.9'"),
    ("plot-threshold-nan", lambda: _plot(lambda: plots.plot_timeline(timeline_frame(), "day", "accuracy",
                                                                     threshold=np.nan)),
     ValueError, r"threshold .*nan"),
    ("use-experiment-timeout-string", lambda: tracking.use_experiment("x", lock_timeout="10"), ValueError,
     r"lock_timeout .*'10'"),
    ("use-experiment-timeout-negative", lambda: tracking.use_experiment("x", lock_timeout=-1), ValueError,
     r"lock_timeout .*-1"),
    ("use-experiment-timeout-nan", lambda: tracking.use_experiment("x", lock_timeout=np.nan), ValueError,
     r"lock_timeout .*nan"),
    ("history-metric-text", lambda: tracking.log_history(history(accuracy=["a", "b", "c"]), "accuracy",
                                                         run_id="0"), ValueError, r"'accuracy' must hold numbers"),
    ("history-metric-bool", lambda: tracking.log_history(history(accuracy=[True, False, True]), "accuracy",
                                                         run_id="0"), ValueError, r"'accuracy' must hold numbers"),
    ("abtest-p-string", lambda: abtest.sample_size_per_arm("0.1", 0.12), ValueError, r"p_control"),
    ("abtest-alpha-bool", lambda: abtest.sample_size_per_arm(0.1, 0.12, alpha=True), ValueError, r"alpha"),
    ("abtest-power-above-one", lambda: abtest.sample_size_per_arm(0.1, 0.12, power=2), ValueError, r"power"),
    ("abtest-p-nan", lambda: abtest.sample_size_per_arm(np.nan, 0.12), ValueError, r"p_control"),
    ("ztest-n-zero", lambda: abtest.ztest(0, 0, 5, 10), ValueError, r"n_control"),
    ("days-to-detect-traffic-negative", lambda: abtest.days_to_detect(0.1, 0.12, -5), ValueError,
     r"daily_traffic"),
    ("decide-threshold-string", lambda: models.decide(models.train_baseline(applications()), applications(),
                                                   threshold="0.5"), ValueError, r"threshold"),
    ("expected-accuracy-threshold-string", lambda: labels.expected_accuracy([0.1, 0.2], "0.5"), ValueError,
     r"threshold"),
    ("wilson-confidence-string", lambda: segments.wilson_interval(5, 10, confidence="0.95"), ValueError,
     r"confidence"),
    # ---------------------------------------------------------------- proportions: a percentage is not a proportion
    ("abtest-p-percentage", lambda: abtest.sample_size_per_arm(10, 12), ValueError, r"p_control"),
    ("days-to-detect-share-percentage", lambda: abtest.days_to_detect(0.1, 0.12, 1000, share=5), ValueError,
     r"share"),
    ("sample-reviews-share-percentage", lambda: review.sample_reviews(assistant(), share=1.5), ValueError,
     r"share"),
    ("wilson-confidence-percentage", lambda: segments.wilson_interval(5, 10, confidence=95), ValueError,
     r"confidence"),
    ("segment-metrics-confidence-percentage", lambda: segments.segment_metrics(assistant(), confidence=95),
     ValueError, r"confidence"),
    ("decide-threshold-percentage", lambda: models.decide(models.train_baseline(applications()), applications(),
                                                       threshold=50), ValueError, r"threshold"),
    ("expected-accuracy-threshold-percentage", lambda: labels.expected_accuracy([0.1, 0.2], 50), ValueError,
     r"threshold"),
    ("first-review-threshold-percentage", lambda: review.first_review_detection(
        review.review_estimates(review.sample_reviews(assistant(), share=0.2)), threshold=90), ValueError, r"threshold"),
    # ---------------------------------------------------------------- booleans: the string 'False' is not False
    ("use-experiment-fresh-string", lambda: tracking.use_experiment("x", fresh="False"), ValueError,
     r"fresh must be True or False, got 'False'"),
    ("use-experiment-fresh-integer", lambda: tracking.use_experiment("x", fresh=1), ValueError,
     r"fresh must be True or False, got 1"),
    ("use-experiment-fresh-none", lambda: tracking.use_experiment("x", fresh=None), ValueError,
     r"fresh must be True or False, got None"),
    ("flagger-checks-strings", lambda: rollout.flagger_run(10, 50, 2, ["True", "False"]), ValueError,
     r"check 1 is 'True'"),
    # ---------------------------------------------------------------- dates: '' and 5 are not dates
    ("date-of-day-day0-empty", lambda: days.date_of_day(5, ""), ValueError, r"day0 must be a date"),
    ("date-of-day-day0-integer", lambda: days.date_of_day(5, 5), ValueError, r"day0 must be a date"),
    ("date-of-day-day-string", lambda: days.date_of_day("90", DAY0), ValueError, r"day must be a whole number"),
    ("date-of-day-day-float", lambda: days.date_of_day(90.0, DAY0), ValueError, r"day must be a whole number"),
    ("date-of-day-day-bool", lambda: days.date_of_day(True, DAY0), ValueError, r"day must be a whole number"),
    ("day-number-when-empty", lambda: days.day_number("", DAY0), ValueError, r"when must be a date"),
    ("day-number-when-integer", lambda: days.day_number(5, DAY0), ValueError, r"when must be a date"),
    ("day-number-day0-words", lambda: days.day_number("2024-01-05", "yesterday"), ValueError,
     r"day0 must be a date.*'yesterday'"),
    ("day-number-series-of-ints", lambda: days.day_number(pd.Series([1, 2]), DAY0), ValueError,
     r"when must hold dates"),
    ("history-origin-empty", lambda: tracking.log_history(history(), "accuracy", run_id="0", origin=""),
     ValueError, r"day0 must be a date"),
    ("versions-save-date-empty", lambda: data_repo().save(small_frame(), "t.csv", "v1", ""), ValueError,
     r"date must be a date"),
    ("versions-save-date-integer", lambda: data_repo().save(small_frame(), "t.csv", "v1", 5), ValueError,
     r"date must be a date"),
    ("versions-save-date-words", lambda: data_repo().save(small_frame(), "t.csv", "v1", "tomorrow"), ValueError,
     r"date must be a date.*'tomorrow'"),
    ("performance-as-of-empty", lambda: performance.performance_timeline(decisions(), as_of=""), ValueError,
     r"as_of"),
    ("performance-as-of-integer", lambda: performance.performance_timeline(decisions(), as_of=5), ValueError,
     r"as_of"),
    ("observed-outcomes-as-of-empty", lambda: labels.observed_outcomes(decisions(), as_of=""), ValueError,
     r"as_of"),
    ("observed-outcomes-as-of-integer", lambda: labels.observed_outcomes(decisions(), as_of=5), ValueError,
     r"as_of"),
    ("segment-metrics-as-of-empty", lambda: segments.segment_metrics(assistant(), as_of=""), ValueError,
     r"as_of"),
    ("segment-metrics-as-of-integer", lambda: segments.segment_metrics(assistant(), as_of=5), ValueError,
     r"as_of"),
    ("first-review-after-empty", lambda: review.first_review_detection(
        review.review_estimates(review.sample_reviews(assistant(), share=0.2)), after=""), ValueError, r"after"),
    ("world-start-list", lambda: world.simulate_applications("stable", days=2, per_day=5, start=["2024"]),
     ValueError, r"start must be a date"),
    # ---------------------------------------------------------------- seeds and sizes
    ("assistant-seed-negative", lambda: assistant_world.simulate_log("stable", days=2, per_day=5, seed=-1),
     ValueError, r"seed"),
    ("assistant-seed-string", lambda: assistant_world.simulate_log("stable", days=2, per_day=5, seed="x"),
     ValueError, r"seed"),
    ("sample-reviews-seed-negative", lambda: review.sample_reviews(assistant(), seed=-1), ValueError, r"seed"),
    ("sample-reviews-seed-string", lambda: review.sample_reviews(assistant(), seed="x"), ValueError, r"seed"),
    ("peeking-simulations-zero", lambda: abtest.peeking_simulation(0.1, 100, 100, 5, simulations=0), ValueError,
     r"simulations"),
    ("peeking-days-zero", lambda: abtest.peeking_simulation(0.1, 100, 100, 0, simulations=10), ValueError,
     r"days"),
    ("rolling-replicas-negative", lambda: rollout.simulate_rolling_update(-1, 1, 0), ValueError, r"replicas"),
    ("fenceposts-surge-words", lambda: rollout.resolve_fenceposts(4, "lots", 0), ValueError, r"maxSurge 'lots'"),
    ("fenceposts-both-zero", lambda: rollout.resolve_fenceposts(4, 0, 0), ValueError, r"max_surge|maxSurge"),
    ("model-seed-negative", lambda: models.train_baseline(applications(), seed=-1), ValueError, r"seed"),
    ("segment-metrics-window-zero", lambda: segments.segment_metrics(assistant(), window=0), ValueError,
     r"window"),
    ("performance-window-zero", lambda: performance.performance_timeline(decisions(), window=0), ValueError,
     r"window"),
    ("first-alarm-consecutive-zero", lambda: drift.first_alarm(pd.DataFrame(
        {"period": [DAY0], "column": ["x"], "drifted": [True]}), "x",
                                                               consecutive=0), ValueError, r"consecutive"),
    ("analysis-run-unknown-result", lambda: rollout.analysis_run(["Successful", "Bogus"]), ValueError, r"Bogus"),
    ("analysis-run-limit-negative", lambda: rollout.analysis_run(["Successful"], failure_limit=-2), ValueError,
     r"failure_limit"),
    # ---------------------------------------------------------------- rule files, read like promtool
    ("rules-duplicate-key", lambda: alerts.load_rules(rule_file("dup.yml", _GROUP + "        for: 1d\n"
                                                                  "        for: 2d\n")),
     ValueError, _RULES + r"dup\.yml .*line 7.*'for' already defined at line 6"),
    ("rules-repeated-group", lambda: alerts.load_rules(rule_file("group.yml", _GROUP + _GROUP[8:].replace(
        "alert: A", "alert: B"))), ValueError, _RULES + r"group\.yml: group name 'g' is repeated"),
    ("rules-folder", lambda: alerts.load_rules(SCRATCH), IsADirectoryError, r"rule file .* is a folder"),
    ("rules-not-utf8", lambda: alerts.load_rules(rule_file("latin.yml", "groups:\n  - name: caf\xe9\n".encode(
        "latin-1"))), ValueError, _RULES + r"latin\.yml is not UTF-8"),
    ("rules-missing", lambda: alerts.load_rules(SCRATCH / "none.yml"), FileNotFoundError,
     _RULES + r".*none\.yml does not exist"),
    ("rules-invalid-yaml", lambda: alerts.load_rules(rule_file("bad.yml", "groups: [\n  - a: b\n")), ValueError,
     _RULES + r"bad\.yml is not valid YAML, line 2"),
    ("rules-unknown-alert", lambda: alerts.course_rules()["ModelAccuracyBelow80"], KeyError,
     r"no alert named 'ModelAccuracyBelow80'.*ModelAccuracyBelow90"),
    ("rules-unsupported-expr", lambda: alerts.load_rules(rule_file("rate.yml", _GROUP.replace(
        "m < 0.9", "rate(m[5m]) > 1"))), ValueError, _RULES + r"rate\.yml: rule 'A' has expr 'rate\(m\[5m\]\) > 1'"),
    ("rules-unknown-field", lambda: alerts.load_rules(rule_file("field.yml", _GROUP + "        fro: 1d\n")),
     ValueError, _RULES + r"field\.yml: rule 'A' has unknown field\(s\) fro"),
    ("rules-recording", lambda: alerts.load_rules(rule_file("record.yml", _GROUP.replace("alert: A", "record: r"))),
     ValueError, _RULES + r"record\.yml: rule 'r' is a recording rule"),
    ("rules-no-groups", lambda: alerts.load_rules(rule_file("empty.yml", "groups: []\n")), ValueError,
     _RULES + r"empty\.yml must have a top-level 'groups:'"),
    ("rules-alert-twice", lambda: alerts.load_rules(rule_file("twice.yml", _GROUP + _GROUP[31:])), ValueError,
     _RULES + r"twice\.yml: alert name 'A' appears twice"),
    ("rules-bad-interval", lambda: alerts.load_rules(rule_file("interval.yml", _GROUP.replace(
        "name: g\n", "name: g\n    interval: daily\n"))), ValueError, r"interval of group 'g'.*'daily'"),
    ("rules-bad-for", lambda: alerts.load_rules(rule_file("for.yml", _GROUP + "        for: 2 days\n")),
     ValueError, _RULES + r"for\.yml: rule 'A': for_ '2 days'"),
    # ---------------------------------------------------------------- evaluating and drawing rules
    ("evaluate-not-a-rule", lambda: alerts.evaluate("A", series()), TypeError, r"rule must be a helpers\.alerts"),
    ("evaluate-list", lambda: alerts.evaluate(rule(), [0.9, 0.8]), TypeError, r"series for rule 'A'"),
    ("evaluate-empty", lambda: alerts.evaluate(rule(), pd.Series([], dtype=float)), ValueError,
     r"series for rule 'A' is empty"),
    ("evaluate-range-index", lambda: alerts.evaluate(rule(), pd.Series([0.9, 0.8])), ValueError,
     r"series for rule 'A' must have a DatetimeIndex"),
    ("evaluate-times-repeated", lambda: alerts.evaluate(rule(), series(index=pd.DatetimeIndex([DAY0] * 3))),
     ValueError, r"strictly increasing"),
    ("evaluate-text-values", lambda: alerts.evaluate(rule(), series(values=("a", "b", "c"))), ValueError,
     r"series for rule 'A' must hold numbers"),
    ("first-firing-string", lambda: alerts.first_firing(rule(), "0.8"), TypeError, r"series for rule 'A'"),
    ("plot-alert-missing-state", lambda: _plot(lambda: plots.plot_alert(None, evaluation(state=1), rule())),
     ValueError, r"evaluation has no column 'state'"),
    ("plot-alert-x-length", lambda: _plot(lambda: plots.plot_alert(None, evaluation(), rule(), x=[1, 2])),
     ValueError, r"x has 2 positions for 3 evaluations"),
    ("plot-timeline-missing-y", lambda: _plot(lambda: plots.plot_timeline(timeline_frame(), "day", "recall")),
     ValueError, r"frame has no column 'recall'"),
    ("plot-timeline-missing-x", lambda: _plot(lambda: plots.plot_timeline(timeline_frame(), "date", "accuracy")),
     ValueError, r"frame has no column 'date'"),
    # ---------------------------------------------------------------- data versions: nothing outside build/ deleted
    ("versions-remote-outside-build", lambda: versions.DataRepo.create(SCRATCH / "r1", remote=outside_folder()),
     ValueError, r"remote .*bad-input-outside.* must lie below build/"),
    ("versions-folder-outside-build", lambda: versions.DataRepo.create(outside_folder()), ValueError,
     r"folder .*bad-input-outside.* must lie below build/"),
    ("versions-folder-is-build", lambda: versions.DataRepo.create(paths.BUILD_DIR), ValueError,
     r"folder .* must lie below build/"),
    ("versions-folder-empty-string", lambda: versions.DataRepo.create(""), ValueError, r"folder must be a folder"),
    ("versions-folder-none", lambda: versions.DataRepo.create(None), ValueError, r"folder must be a folder"),
    ("versions-folder-not-made-here", lambda: versions.DataRepo.create(not_made_here()), ValueError,
     r"folder .*kept is not empty and was not made by DataRepo\.create"),
    ("versions-remote-not-made-here", lambda: versions.DataRepo.create(SCRATCH / "r2", remote=not_made_here()),
     ValueError, r"remote .*kept is not empty and was not made by DataRepo\.create"),
    ("versions-remote-inside-folder", lambda: versions.DataRepo.create(SCRATCH / "r3",
                                                                       remote=SCRATCH / "r3" / "remote"),
     ValueError, r"remote .* and folder .* must be separate folders"),
    ("versions-save-message-empty", lambda: data_repo().save(small_frame(), "t.csv", " ", "2024-01-01"),
     ValueError, r"message must say"),
    ("versions-save-not-a-frame", lambda: data_repo().save([1, 2], "t.csv", "v1", "2024-01-01"), TypeError,
     r"frame must be a pandas DataFrame"),
    ("versions-save-path-none", lambda: data_repo().save(small_frame(), None, "v1", "2024-01-01"), ValueError,
     r"path must name a file"),
    ("versions-save-path-escapes", lambda: data_repo().save(small_frame(), "../x.csv", "v1", "2024-01-01"),
     ValueError, r"path '\.\./x\.csv' must be a file inside"),
    ("versions-read-rev-none", lambda: data_repo().read("t.csv", None), ValueError, r"rev must be a commit id"),
    ("versions-checkout-rev-empty", lambda: data_repo().checkout("", "t.csv"), ValueError,
     r"rev must be a commit id"),
    ("versions-versions-path-escapes", lambda: data_repo().versions("/etc/passwd"), ValueError,
     r"path '/etc/passwd' must be a file inside"),
    # ---------------------------------------------------------------- the tracking store and paths
    ("store-garbage-file", lambda: tracking.check_store(tracking.sqlite_uri(rule_file("x.db", b"no" * 500))),
     tracking.StoreUnavailable, r"x\.db \(file is not a database\).*`rm .*x\.db`"),
    ("store-folder", lambda: tracking.check_store(tracking.sqlite_uri(SCRATCH)), tracking.StoreUnavailable,
     r"is not a file"),
    ("use-experiment-name-empty", lambda: tracking.use_experiment(" "), ValueError, r"experiment name .*' '"),
    ("use-experiment-name-none", lambda: tracking.use_experiment(None), ValueError, r"experiment name .*None"),
    ("history-metrics-empty", lambda: tracking.log_history(history(), [], run_id="0"), ValueError,
     r"metrics is empty"),
    ("history-missing-column", lambda: tracking.log_history(history(), "recall", run_id="0"), ValueError,
     r"history has no column 'recall'"),
    ("history-repeated-date", lambda: tracking.log_history(history(date=[DAY0] * 3), "accuracy", run_id="0"),
     ValueError, r"repeated date"),
    ("history-nan", lambda: tracking.log_history(history(accuracy=[0.9, np.nan, 0.8]), "accuracy", run_id="0"),
     ValueError, r"'accuracy' \(1 of 3 rows\)"),
    ("dataset-name-empty", lambda: tracking.log_dataset(small_frame(), " ", run_id="0"), ValueError,
     r"dataset name"),
    ("dataset-source-missing", lambda: tracking.load_dataset(str(SCRATCH / "gone.parquet")), ValueError,
     r"gone\.parquet"),
    ("set-alias-version-bool", lambda: tracking.set_alias("m", "champion", True), ValueError,
     r"version must be a whole number.*True"),
    ("set-alias-version-zero", lambda: tracking.set_alias("m", "champion", 0), ValueError,
     r"version must be a whole number >= 1.*got 0"),
    ("set-alias-version-words", lambda: tracking.set_alias("m", "champion", "two"), ValueError,
     r"version must be a whole number.*'two'"),
    ("report-path-outside-build", lambda: paths.writable_build_path("/tmp/report.html"), ValueError,
     r"/tmp/report\.html"),
]

#: Cases whose functions live in files of other owners, who fix them there (issue 20 lists them): tallied by
#: ``bad_input_tally.py``, not yet run as tests.
PENDING_ELSEWHERE = [
    ("rolling-seed-negative", lambda: rollout.simulate_rolling_update(4, 1, 0, seed=-1), ValueError, r"seed"),
    # Not listed, never run here: abtest.peeking_simulation(0.1, 100, 100, 365, simulations=5_000_000) asks numpy for
    # about 20 GB before any check (the machine's OOM killer ends it); its bound belongs in helpers/abtest.py.
    ("ztest-successes-above-n", lambda: abtest.ztest(12, 10, 5, 10), ValueError, r"successes_control"),
    ("rolling-fail-new-string", lambda: rollout.simulate_rolling_update(4, 1, 0, fail_new="False"), ValueError,
     r"fail_new"),
    ("rolling-readiness-string", lambda: rollout.simulate_rolling_update(4, 1, 0, readiness_probe="False"),
     ValueError, r"readiness_probe"),
    ("peeking-seed-negative", lambda: abtest.peeking_simulation(0.1, 100, 100, 5, simulations=10, seed=-1),
     ValueError, r"seed"),
]

#: Inputs that must be *accepted*: numpy and pandas scalars are numbers, numpy bools are booleans.
#: (id, call, check of the result)
ACCEPTED = [
    ("rule-threshold-float32", lambda: rule(threshold=np.float32(0.8)).threshold, lambda t: t == 0.8),
    ("rule-threshold-int64", lambda: rule(threshold=np.int64(19)).threshold, lambda t: t == 19.0),
    ("date-of-day-int64", lambda: days.date_of_day(np.int64(19), DAY0), lambda d: d == pd.Timestamp("2024-01-20")),
    ("plot-threshold-float32", lambda: _plot(lambda: plots.plot_timeline(
        timeline_frame(), "day", "accuracy", threshold=np.float32(0.9))).get_legend().get_texts()[-1].get_text(),
     lambda text: text.endswith("(0.9)")),
    ("use-experiment-lock-timeout-int64", lambda: tracking.use_experiment(
        "test-bad-input-round2", lock_timeout=np.int64(5)), lambda experiment_id: bool(experiment_id)),
    ("use-experiment-fresh-numpy-bool", lambda: tracking.use_experiment(
        "test-bad-input-round2", fresh=np.bool_(False)), lambda experiment_id: bool(experiment_id)),
    ("confidence-float32", lambda: segments.wilson_interval(5, 10, confidence=np.float32(0.95)),
     lambda interval: 0 < interval[0] < interval[1] < 1),
]

#: Accepted-input cases of other owners' files (helpers/abtest.py), tallied only.
ACCEPTED_PENDING_ELSEWHERE = [
    ("ratio-np-int64", lambda: abtest.sample_size_per_arm(0.1, 0.12, ratio=np.int64(2)), lambda n: n > 0),
    ("share-float32", lambda: abtest.days_to_detect(0.1, 0.12, 1000, share=np.float32(0.05))["days_to_decision"],
     lambda d: d > 0),
    ("daily-traffic-float32", lambda: abtest.days_to_detect(0.1, 0.12, np.float32(1000))["days_to_decision"], lambda d: d > 0),
]
