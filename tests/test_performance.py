"""helpers.performance: accuracy as known on a day, the late alert, and Evidently's accuracy test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.lines import ACCURACY_LINE
from helpers.models import decide, train_baseline
from helpers.paths import BUILD_DIR
from helpers.performance import (
    AWAITING_LABELS,
    LABELLED,
    PARTLY_LABELLED,
    accuracy_metric,
    classification_check,
    first_accuracy_alert,
    performance_timeline,
)
from helpers.world import LABEL_DELAY_DAYS, SCENARIOS, simulate_applications


@pytest.fixture(scope="module")
def decisions():
    applications = simulate_applications("concept_shift", days=150, per_day=400, seed=0)
    model = train_baseline(applications[applications["day"] < 60])
    return decide(model, applications)


def _date(day: int) -> pd.Timestamp:
    return pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)


def test_hindsight_timeline_has_every_observable_label(decisions):
    timeline = performance_timeline(decisions)
    assert len(timeline) == 150
    assert list(timeline.columns)[:5] == ["period", "n", "n_labelled", "status", "accuracy"]
    approved_per_day = decisions.groupby("day")["approved"].sum().to_numpy()
    assert (timeline["n"] == 400).all() and (timeline["n_labelled"].to_numpy() == approved_per_day).all()
    assert (timeline["status"] == LABELLED).all()  # every outcome that will ever be known is in
    loans = decisions[(decisions["day"] == 10) & (decisions["approved"] == 1)]
    # on the loans made the model predicted "repay": it was right exactly when the loan was repaid
    assert timeline.loc[10, "accuracy"] == pytest.approx((loans["defaulted"] == 0).mean())
    assert timeline.loc[10, "default_rate"] == pytest.approx(loans["defaulted"].mean())
    assert timeline.loc[10, "labels_complete_on"] == _date(10 + LABEL_DELAY_DAYS)


def test_the_oracle_counts_declined_applicants_too(decisions):
    oracle = performance_timeline(decisions, ground_truth=True)
    assert (oracle["n_labelled"] == 400).all() and (oracle["status"] == LABELLED).all()
    day = decisions[decisions["day"] == 10]
    assert oracle.loc[10, "accuracy"] == pytest.approx((day["predicted_default"] == day["defaulted"]).mean())
    assert oracle.loc[10, "default_rate"] == pytest.approx(day["defaulted"].mean())
    everyone = performance_timeline(decisions, observed=None)  # a world where every outcome is observed
    assert everyone["accuracy"].equals(oracle["accuracy"])


def test_as_of_keeps_unlabelled_periods_and_marks_them(decisions):
    as_of = _date(100)  # labels are in for applications up to day 70
    timeline = performance_timeline(decisions, as_of=as_of)
    assert len(timeline) == 150
    labelled = timeline["status"] == LABELLED
    assert labelled.sum() == 100 - LABEL_DELAY_DAYS + 1
    waiting = timeline[~labelled]
    assert (waiting["status"] == AWAITING_LABELS).all() and (waiting["n_labelled"] == 0).all()
    assert waiting["accuracy"].isna().all() and waiting["rolling_accuracy"].isna().all()
    assert str(timeline["accuracy"].dtype) == "Float64"  # <NA>, never a float nan
    with pytest.raises(TypeError):
        float(waiting["accuracy"].iloc[0])
    assert waiting["predicted_default_rate"].notna().all()  # known on decision day


def test_partly_labelled_weeks(decisions):
    timeline = performance_timeline(decisions, as_of=_date(100), freq="W")
    assert PARTLY_LABELLED in set(timeline["status"])
    partly = timeline[timeline["status"] == PARTLY_LABELLED].iloc[0]
    assert 0 < partly["n_labelled"] < partly["n"]
    assert not pd.isna(partly["accuracy"])


def test_rolling_accuracy_pools_the_last_periods(decisions):
    timeline = performance_timeline(decisions, window=3)
    rows = decisions[decisions["day"].between(20, 22) & (decisions["approved"] == 1)]
    expected = (rows["predicted_default"] == rows["defaulted"]).mean()
    assert timeline.loc[22, "rolling_accuracy"] == pytest.approx(expected)
    assert timeline["rolling_accuracy"].iloc[:2].isna().all()  # not enough periods yet
    partial = performance_timeline(decisions, as_of=_date(100), window=3)
    last = partial[partial["status"] == LABELLED].index.max()
    assert not pd.isna(partial.loc[last, "rolling_accuracy"])
    assert pd.isna(partial.loc[last + 1, "rolling_accuracy"])


def test_the_accuracy_alert_fires_a_label_delay_after_the_concept_shift(decisions):
    start = SCENARIOS["concept_shift"].concept_drift_day
    hindsight = performance_timeline(decisions)
    assert hindsight.loc[: start - 1, "rolling_accuracy"].dropna().min() > ACCURACY_LINE
    alert = first_accuracy_alert(hindsight)
    assert _date(start) <= alert.period <= _date(start + 6)
    assert alert.fires_on == alert.period + pd.Timedelta(days=LABEL_DELAY_DAYS)
    assert alert.value < ACCURACY_LINE and alert.column == "rolling_accuracy"
    # looking from a day before any post-shift label is in, nothing can fire yet
    assert first_accuracy_alert(performance_timeline(decisions, as_of=_date(start + LABEL_DELAY_DAYS - 1))) is None


def test_the_course_rule_fires_on_the_accuracy_metric_a_label_delay_after_the_shift(decisions):
    from helpers.alerts import course_rules, first_firing

    rule = course_rules()["ModelAccuracyBelow90"]  # credit_model_accuracy < 0.9, for: 0
    start = SCENARIOS["concept_shift"].concept_drift_day
    hindsight = performance_timeline(decisions)
    assert hindsight.loc[: start - 1, "rolling_accuracy"].dropna().min() > ACCURACY_LINE
    metric = accuracy_metric(hindsight)
    # one sample per day a period's labels complete: period + 30 days; NaN while the 7-day window is not full
    assert list(metric.index) == list(hindsight["period"] + pd.Timedelta(days=LABEL_DELAY_DAYS))
    assert metric.iloc[:6].isna().all() and metric.iloc[6:].notna().all()
    # By hand: for: 0 fires at the first evaluation whose sample is below 0.9, i.e. on the completion day of the
    # first period whose rolling accuracy is below the line; the change on day 90 drops every daily accuracy to
    # about 0.82, so the 7-day window crosses within a week, and its labels complete 30 days later.
    crossed = hindsight[hindsight["rolling_accuracy"].astype(float) < ACCURACY_LINE]["period"].min()
    assert _date(start) <= crossed <= _date(start + 6)
    assert first_firing(rule, metric) == crossed + pd.Timedelta(days=LABEL_DELAY_DAYS)
    # looking from a day before any post-shift label is in, nothing can fire yet
    early = accuracy_metric(performance_timeline(decisions, as_of=_date(start + LABEL_DELAY_DAYS - 1)))
    assert early.index.max() == _date(start + LABEL_DELAY_DAYS - 1) and first_firing(rule, early) is None


def test_classification_check_runs_evidentlys_accuracy_test(decisions):
    before = classification_check(decisions, start=_date(60), end=_date(89))
    row = before.iloc[0]
    window = decisions[decisions["day"].between(60, 89)]
    loans = window[window["approved"] == 1]  # the outcomes on record: the loans made
    assert row["n_labelled"] == len(loans) and row["n_awaiting"] == len(window) - len(loans)
    assert row["accuracy"] == pytest.approx((loans["defaulted"] == 0).mean())
    assert row["passed"] and row["min_accuracy"] == ACCURACY_LINE
    target = BUILD_DIR / "test-reports" / "classification.html"
    target.unlink(missing_ok=True)
    after = classification_check(
        decisions, as_of=_date(135), start=_date(90), report_path="test-reports/classification.html"
    )
    row = after.iloc[0]
    assert row["last_day"] == _date(135 - LABEL_DELAY_DAYS)
    assert row["n_awaiting"] == (150 - 90) * 400 - row["n_labelled"]
    assert row["accuracy"] < ACCURACY_LINE and not row["passed"]
    assert target.stat().st_size > 10_000


def test_bad_input_is_named(decisions):
    with pytest.raises(ValueError, match=r"decisions has no column 'predicted_default'"):
        performance_timeline(decisions.drop(columns="predicted_default"))
    with pytest.raises(ValueError, match="decisions is empty"):
        performance_timeline(decisions.iloc[:0])
    broken = decisions.copy()
    broken.loc[broken.index[:2], "predicted_default"] = np.nan
    with pytest.raises(ValueError, match=r"prediction column 'predicted_default' has 2 missing values"):
        performance_timeline(broken)
    odd = decisions.copy()
    odd.loc[odd.index[0], "defaulted"] = 2
    with pytest.raises(ValueError, match=r"label column 'defaulted' must hold 0/1, found 2"):
        performance_timeline(odd)
    # a label that is not in yet may be missing
    unknown = decisions.astype({"defaulted": float})
    unknown.loc[unknown["day"] >= 120, "defaulted"] = np.nan
    in_by_140 = decisions[(decisions["day"] <= 140 - LABEL_DELAY_DAYS) & (decisions["approved"] == 1)]
    assert performance_timeline(unknown, as_of=_date(140))["n_labelled"].sum() == len(in_by_140)
    declined = decisions.astype({"defaulted": float})
    declined.loc[declined["approved"] == 0, "defaulted"] = np.nan  # a lender's own data: never known
    assert performance_timeline(declined)["accuracy"].equals(performance_timeline(decisions)["accuracy"])
    with pytest.raises(ValueError, match="as_of must be a date"):
        performance_timeline(decisions, as_of="soon")
    with pytest.raises(ValueError, match="freq 'fortnightly'"):
        performance_timeline(decisions, freq="fortnightly")
    with pytest.raises(ValueError, match="window must be"):
        performance_timeline(decisions, window=0)
    with pytest.raises(ValueError, match=r"'label_available_on' must hold dates"):
        performance_timeline(decisions.astype({"label_available_on": str}))
    with pytest.raises(ValueError, match=r"no labels are in yet .* first of them arrives on 2024-05-01"):
        classification_check(decisions, as_of=_date(100), start=_date(91))
    with pytest.raises(ValueError, match="start .* is after end"):
        classification_check(decisions, start=_date(50), end=_date(40))
    with pytest.raises(ValueError, match="threshold must be an accuracy"):
        first_accuracy_alert(performance_timeline(decisions), threshold=90)
    with pytest.raises(ValueError, match="timeline has no column 'labels_complete_on'"):
        accuracy_metric(performance_timeline(decisions).drop(columns="labels_complete_on"))
    with pytest.raises(ValueError, match="complete on .* one period per completion day"):
        accuracy_metric(performance_timeline(decisions).assign(labels_complete_on=_date(200)))


def test_a_one_row_day_does_not_raise_the_accuracy_alert():
    # hand-made timeline: day 2 has one labelled decision, wrong (accuracy 0.0); every other day 400 rows at 0.95
    days = pd.date_range("2024-01-01", periods=4, freq="D")
    timeline = pd.DataFrame({
        "period": days, "n_labelled": [400, 1, 400, 400], "accuracy": [0.95, 0.0, 0.95, 0.95],
        "labels_complete_on": days + pd.Timedelta(days=30),
    })
    assert first_accuracy_alert(timeline, column="accuracy") is None  # too few rows: not an alert
    assert first_accuracy_alert(timeline, column="accuracy", min_labelled=1).period == days[1]
    timeline.loc[3, "accuracy"] = 0.85  # a real fall on a full day still fires
    assert first_accuracy_alert(timeline, column="accuracy").period == days[3]
