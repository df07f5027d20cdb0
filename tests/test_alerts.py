"""helpers.alerts: the rule engine's states, worked out by hand from Prometheus' rules (rules/alerting.go), not from
the engine's output.

The rules, as applied in every comment below: at each evaluation, if the condition holds, an inactive alert becomes
pending with active_since = now; a pending alert fires once now - active_since >= for; if the condition does not hold
(a good value or no sample), a pending alert is dropped and a firing one resolves, unless keep_firing_for is set: it
keeps firing while now - (first evaluation without the condition) < keep_firing_for.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from helpers import alerts
from helpers.alerts import (
    COURSE_RULES,
    FIRING,
    PENDING,
    Rule,
    course_rules,
    evaluate,
    first_firing,
    load_rules,
    parse_duration,
)
from helpers.lines import ACCURACY_LINE, FOUR_FIFTHS
from helpers.paths import REPO_ROOT

T0 = pd.Timestamp("2024-01-01")
NAT = pd.NaT
I, P, F = "inactive", PENDING, FIRING  # noqa: E741 (the states as promtool tests write them)


def hourly(values, start=T0) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="h"), dtype=float)


def daily(values, start=T0) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), dtype=float)


def at(hours) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def states(rule, series) -> list[str]:
    return evaluate(rule, series)["state"].tolist()


def since(rule, series) -> list:
    return evaluate(rule, series)["active_since"].tolist()


# ----------------------------------------------------------------------------------------------------------------
# The cases of the issue
# ----------------------------------------------------------------------------------------------------------------
def test_hourly_below_the_line_from_0h_with_for_72h_is_pending_at_0h_and_fires_at_72h():
    # 0.5 < 0.9 at every hour. 0h: inactive -> pending, active_since 0h. Hours 1..71: now - 0h < 72h: pending.
    # 72h: 72h - 0h >= 72h: firing (active_since stays 0h). 73h..79h: the condition still holds: firing.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, for_="72h")
    out = evaluate(rule, hourly([0.5] * 80))
    assert list(out.columns) == ["time", "value", "state", "active_since"]
    assert out["state"].tolist() == [P] * 72 + [F] * 8
    assert (out["active_since"] == T0).all()
    assert out["time"].iloc[72] == at(72) and out["value"].iloc[72] == 0.5
    assert first_firing(rule, hourly([0.5] * 80)) == at(72)
    assert first_firing(rule, hourly([0.5] * 72)) is None  # hours 0..71 only: never 72h of holding


def test_one_good_evaluation_in_the_middle_of_a_pending_stretch_restarts_the_clock():
    # for 3h, hourly: 0h P(0h), 1h P, 2h the good value 0.95: pending dropped -> inactive, 3h P(3h), 4h P, 5h P,
    # 6h: 6h - 3h >= 3h: firing. Without the good hour it would have fired at 3h.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, for_="3h")
    series = hourly([0.5, 0.5, 0.95, 0.5, 0.5, 0.5, 0.5])
    assert states(rule, series) == [P, P, I, P, P, P, F]
    assert since(rule, series) == [at(0), at(0), NAT, at(3), at(3), at(3), at(3)]
    assert first_firing(rule, hourly([0.5] * 7)) == at(3)


def test_recovery_without_keep_firing_for_resolves_at_the_first_good_evaluation():
    # for 0: fires on the first evaluation below the line (0h), resolves at 2h (0.95), fires again at 4h with a new
    # active_since.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9)
    series = hourly([0.5, 0.5, 0.95, 0.95, 0.5])
    assert states(rule, series) == [F, F, I, I, F]
    assert since(rule, series) == [at(0), at(0), NAT, NAT, at(4)]


def test_recovery_with_keep_firing_for_keeps_firing_until_the_clear_stretch_reaches_it():
    # for 0, keep_firing_for 2h. 0h F(0h). 1h: first evaluation without the condition: clear since 1h, 0h < 2h: F.
    # 2h: 1h < 2h: F. 3h: 2h < 2h is false: resolved. 4h: holds again: F with active_since 4h.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, keep_firing_for="2h")
    series = hourly([0.5, 0.95, 0.95, 0.95, 0.5])
    assert states(rule, series) == [F, F, F, I, F]
    assert since(rule, series) == [at(0), at(0), at(0), NAT, at(4)]
    # The condition holding again while kept firing resets the clear clock: 0h F; 1h clear since 1h; 2h holds (reset);
    # 3h clear since 3h; 4h 1h < 2h: F; 5h 2h: resolved.
    series = hourly([0.5, 0.95, 0.5, 0.95, 0.95, 0.95])
    assert states(rule, series) == [F, F, F, F, F, I]
    assert since(rule, series)[:5] == [at(0)] * 5


def test_keep_firing_for_does_not_keep_a_pending_alert():
    # for 2h, keep 3h: 0h P(0h), 1h good: a pending alert is dropped whatever keep_firing_for says.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, for_="2h", keep_firing_for="3h")
    assert states(rule, hourly([0.5, 0.95, 0.5])) == [P, I, P]


def test_an_interval_that_does_not_divide_for():
    # Every 2h with for 3h: 0h P(0h); 2h: 2h < 3h: P; 4h: 4h >= 3h: F. It fires at 4h, the first evaluation at or
    # after 3h, not at 3h (there is no evaluation at 3h) and not at 2h.
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, for_="3h")
    series = pd.Series([0.5, 0.5, 0.5, 0.5], index=pd.date_range(T0, periods=4, freq="2h"))
    assert states(rule, series) == [P, P, F, F]
    assert first_firing(rule, series) == at(4)
    # Hourly with for 90m: 0h P, 1h (60m < 90m) P, 2h (120m >= 90m) F.
    assert states(Rule("X", "m", "<", 0.9, for_="90m"), hourly([0.5] * 3)) == [P, P, F]
    # Irregular times 0h, 1h, 2.5h, 3h with for 2h30m: P, P, F (exactly 2.5h), F.
    irregular = pd.Series([0.5] * 4, index=[at(0), at(1), at(2.5), at(3)])
    assert states(Rule("X", "m", "<", 0.9, for_="2h30m"), irregular) == [P, P, F, F]


def test_nan_is_no_sample_and_behaves_exactly_like_recovery():
    # for 1h: 0h P(0h); 1h no sample: pending dropped; 2h P(2h); 3h F (1h >= 1h); 4h no sample: resolved; 5h P(5h).
    rule = Rule("AccuracyLow", "accuracy", "<", 0.9, for_="1h")
    series = hourly([0.5, np.nan, 0.5, 0.5, np.nan, 0.5])
    assert states(rule, series) == [P, I, P, F, I, P]
    assert since(rule, series) == [at(0), NAT, at(2), at(2), NAT, at(5)]
    # The same states as with a good value in place of each gap.
    assert states(rule, hourly([0.5, 0.95, 0.5, 0.5, 0.95, 0.5])) == states(rule, series)
    # keep_firing_for bridges a gap after firing: for 0, keep 1h: 0h F; 1h no sample, clear 0h < 1h: F; 2h: 1h: I.
    assert states(Rule("X", "m", "<", 0.9, keep_firing_for="1h"), hourly([0.5, np.nan, np.nan])) == [F, F, I]


def test_pandas_missing_values_in_nullable_columns_are_no_sample():
    # helpers.performance keeps accuracy in a nullable Float64 column (<NA> while labels are out): <NA> is no sample.
    # for 0: day 0 0.5 F; day 1 <NA>: resolved; day 2 0.95: inactive.
    series = pd.Series([0.5, pd.NA, 0.95], dtype="Float64", index=pd.date_range(T0, periods=3, freq="D"))
    out = evaluate(Rule("AccuracyLow", "m", "<", 0.9), series)
    assert out["state"].tolist() == [F, I, I] and np.isnan(out["value"].iloc[1])


def test_an_absent_rule_holds_when_there_is_no_sample():
    # absent(m) for 1h: 0h sample: inactive; 1h none: P(1h); 2h none: F; 3h sample: resolved; 4h none: P(4h).
    rule = Rule("Missing", "m", "absent", None, for_="1h")
    series = hourly([0.95, np.nan, np.nan, 0.95, np.nan])
    assert states(rule, series) == [I, P, F, I, P]
    assert rule.expr == "absent(m)"
    assert rule.holds(None) and rule.holds(float("nan")) and not rule.holds(0.0)


def test_the_lessons_red_flag_evaluated_daily_fires_on_day_3_with_for_2d_and_day_4_with_for_3d():
    # Days 1, 2, 3, 4, 5 below 0.8 (day 0 above). for 2d: day 1 P(day 1); day 2: 1d < 2d: P; day 3: 2d >= 2d: F,
    # the third consecutive day below 0.8. for 3d: day 3: 2d < 3d: P; day 4: 3d: F, the fourth day.
    series = daily([0.95, 0.75, 0.75, 0.75, 0.75, 0.75])
    day = [T0 + pd.Timedelta(days=d) for d in range(6)]
    two = Rule("DisparateImpactRedFlag", "credit_disparate_impact", "<", 0.8, for_="2d")
    three = Rule("DisparateImpactRedFlag", "credit_disparate_impact", "<", 0.8, for_="3d")
    assert states(two, series) == [I, P, P, F, F, F]
    assert states(three, series) == [I, P, P, P, F, F]
    assert first_firing(two, series) == day[3] and first_firing(three, series) == day[4]
    # exactly 0.8 is not below the line: on day 2 it resets the clock (day 3 P, day 4 P, day 5 F)
    assert states(two, daily([0.95, 0.75, 0.8, 0.75, 0.75, 0.75])) == [I, P, I, P, P, F]


def test_boundaries_of_each_op():
    # The condition is metric op threshold, compared as written: 0.9 < 0.9 is false, 0.9 <= 0.9 true, etc.
    values = hourly([0.8, 0.9, 1.0])
    assert states(Rule("X", "m", "<", 0.9), values) == [F, I, I]
    assert states(Rule("X", "m", "<=", 0.9), values) == [F, F, I]
    assert states(Rule("X", "m", ">", 0.9), values) == [I, I, F]
    assert states(Rule("X", "m", ">=", 0.9), values) == [I, F, F]


def test_timezone_aware_times_keep_their_zone():
    series = hourly([0.5, 0.5], start=pd.Timestamp("2024-01-01", tz="UTC"))
    out = evaluate(Rule("X", "m", "<", 0.9, for_="1h"), series)
    assert out["active_since"].iloc[1] == pd.Timestamp("2024-01-01", tz="UTC")


# ----------------------------------------------------------------------------------------------------------------
# Durations
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [("0", pd.Timedelta(0)), ("0s", pd.Timedelta(0)), ("90m", pd.Timedelta(minutes=90)),
     ("72h", pd.Timedelta(hours=72)),
     ("2d", pd.Timedelta(days=2)), ("1w", pd.Timedelta(days=7)), ("1y", pd.Timedelta(days=365)),
     ("1h30m", pd.Timedelta(minutes=90)), ("500ms", pd.Timedelta(milliseconds=500)),
     (pd.Timedelta(hours=5), pd.Timedelta(hours=5)), (0, pd.Timedelta(0)),
     (datetime.timedelta(days=2), pd.Timedelta(days=2))],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2 days", "3", "1m2h", "-1h", "1.5h", "h", "2D"])
def test_parse_duration_refuses_malformed_durations(text):
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        parse_duration(text, "for")


def test_parse_duration_refuses_negative_timedeltas_and_other_types():
    with pytest.raises(ValueError, match=r"for_ must not be negative"):
        Rule("X", "m", "<", 0.9, for_=pd.Timedelta(hours=-1))
    with pytest.raises(ValueError, match=r"keep_firing_for must be a Prometheus duration string"):
        Rule("X", "m", "<", 0.9, keep_firing_for=3.5)


# ----------------------------------------------------------------------------------------------------------------
# Bad input: each error names the rule, field or value
# ----------------------------------------------------------------------------------------------------------------
def test_rule_refuses_an_unknown_op_a_bad_threshold_and_a_bad_metric():
    with pytest.raises(ValueError, match=r"rule 'X': unknown op '=='; valid ops: <, <=, >, >="):
        Rule("X", "m", "==", 0.9)
    with pytest.raises(ValueError, match=r"rule 'X': threshold must be a finite number, got nan"):
        Rule("X", "m", "<", float("nan"))
    with pytest.raises(ValueError, match=r"rule 'X': threshold must be a finite number, got '0.9'"):
        Rule("X", "m", "<", "0.9")
    with pytest.raises(ValueError, match=r"rule 'X': an 'absent' rule takes no threshold"):
        Rule("X", "m", "absent", 0.9)
    with pytest.raises(ValueError, match=r"rule 'X': metric must be a metric name"):
        Rule("X", "accuracy rate", "<", 0.9)
    with pytest.raises(ValueError, match=r"rule 'X': labels must map names to strings"):
        Rule("X", "m", "<", 0.9, labels={"severity": 1})


def test_evaluate_refuses_bad_series():
    rule = Rule("AccuracyLow", "m", "<", 0.9)
    with pytest.raises(ValueError, match=r"series for rule 'AccuracyLow' is empty"):
        evaluate(rule, pd.Series([], dtype=float, index=pd.DatetimeIndex([])))
    with pytest.raises(ValueError, match=r"series for rule 'AccuracyLow' must have a DatetimeIndex .* got RangeIndex"):
        evaluate(rule, pd.Series([0.5, 0.6]))
    with pytest.raises(ValueError, match=r"strictly increasing, but 2024-01-01 00:00:00 follows 2024-01-01 01:00:00"):
        evaluate(rule, pd.Series([0.5, 0.6], index=[at(1), at(0)]))
    with pytest.raises(ValueError, match=r"strictly increasing"):
        evaluate(rule, pd.Series([0.5, 0.6], index=[at(1), at(1)]))
    with pytest.raises(ValueError, match=r"must hold numbers .* got dtype object"):
        evaluate(rule, pd.Series(["a", "b"], index=[at(0), at(1)]))
    with pytest.raises(TypeError, match=r"must be a pandas Series .* got list"):
        evaluate(rule, [0.5, 0.6])
    with pytest.raises(TypeError, match=r"rule must be a helpers.alerts.Rule, got str"):
        evaluate("AccuracyLow", hourly([0.5]))


def write(tmp_path, text, name="rules.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = """
groups:
  - name: g
    interval: 1d
    rules:
      - alert: B
        expr: m_b >= 0.25
      - alert: A
        expr: m_a < 0.8
        for: 2d
        keep_firing_for: 1h
        labels: {severity: page}
        annotations: {summary: low}
      - alert: C
        expr: absent(m_a)
        for: 0
"""


def test_load_rules_reads_rules_in_file_order(tmp_path):
    rules = load_rules(write(tmp_path, GOOD))
    assert list(rules) == ["B", "A", "C"]
    assert rules["A"] == Rule("A", "m_a", "<", 0.8, for_="2d", keep_firing_for="1h", labels={"severity": "page"})
    assert rules["A"].annotations == {"summary": "low"} and rules["A"].expr == "m_a < 0.8"
    assert rules["B"].op == ">=" and rules["B"].threshold == 0.25 and rules["B"].for_ == pd.Timedelta(0)
    assert rules["C"].op == "absent" and rules["C"].threshold is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("groups: [", r"rule file rules.yml is not valid YAML"),
        ("rules: []", r"rule file rules.yml must have a top-level 'groups:' list"),
        ("groups:\n  - rules: []", r"group 1 has no 'name'"),
        ("groups:\n  - name: g", r"group 'g' has no 'rules' list"),
        ("groups:\n  - name: g\n    interval: daily\n    rules: []",
         r"interval of group 'g' 'daily' is not a Prometheus"),
        ("groups:\n  - name: g\n    rules:\n      - expr: m < 1", r"rule 1 of group 'g' has no 'alert' name"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A", r"rule 'A' has no 'expr'"),
        ("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m", r"'r' is a recording rule"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: avg_over_time(m[1d]) < 0.8",
         r"rule 'A' has expr 'avg_over_time\(m\[1d\]\) < 0.8', which this engine cannot evaluate"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m == 1", r"rule 'A' has expr 'm == 1'"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 1\n        for: 3 days",
         r"rule 'A': for_ '3 days' is not a Prometheus duration"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 1\n        fore: 2d",
         r"rule 'A' has unknown field\(s\) fore"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 1\n"
         "      - alert: A\n        expr: m < 2",
         r"alert name 'A' appears twice"),
    ],
)
def test_load_rules_refuses_bad_files_naming_the_file_group_rule_or_field(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_rules(write(tmp_path, text))


def test_load_rules_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere.yml does not exist"):
        load_rules(tmp_path / "nowhere.yml")


# ----------------------------------------------------------------------------------------------------------------
# The course's rule file
# ----------------------------------------------------------------------------------------------------------------
def test_the_course_rules_are_the_lessons_rules():
    rules = alerts.course_rules()
    assert alerts.COURSE_RULES == REPO_ROOT / "monitoring" / "alerts.yml"
    assert list(rules) == [
        "ModelAccuracyBelow90", "DisparateImpactRedFlag", "FeatureDriftDaily", "ModelAccuracyMissing",
        "TriageAccuracyBelow90", "TriageUrgentRecall65PlusLow", "TriageLatencyP95AboveSLO",
    ]
    expected = {
        "ModelAccuracyBelow90": ("credit_model_accuracy < 0.9", "0s"),
        "DisparateImpactRedFlag": ("credit_disparate_impact < 0.8", "2d"),
        "FeatureDriftDaily": ("credit_feature_drift_score >= 0.25", "0s"),
        "ModelAccuracyMissing": ("absent(credit_model_accuracy)", "1d"),
        "TriageAccuracyBelow90": ("triage_accuracy < 0.9", "0s"),
        "TriageUrgentRecall65PlusLow": ("triage_urgent_recall_65plus < 0.6", "2d"),
        "TriageLatencyP95AboveSLO": ("triage_latency_p95_seconds > 3", "1d"),
    }
    for name, (expr, hold) in expected.items():
        assert (rules[name].expr, rules[name].for_) == (expr, parse_duration(hold)), name
        assert set(rules[name].annotations) == {"summary", "description", "runbook"}, name
        notebook = rules[name].annotations["runbook"].split("#")[0]
        assert (REPO_ROOT / notebook).is_file(), f"{name}: runbook points at {notebook}, which does not exist"
    assert "30 days" in rules["ModelAccuracyBelow90"].annotations["description"]
    assert "three consecutive daily evaluations" in rules["DisparateImpactRedFlag"].annotations["description"]


def test_the_rule_file_uses_the_courses_own_thresholds():
    rules = alerts.course_rules()
    accuracy, red_flag = rules["ModelAccuracyBelow90"], rules["DisparateImpactRedFlag"]
    assert (accuracy.op, accuracy.threshold) == ("<", ACCURACY_LINE)  # helpers.lines: alert below 90%
    assert (red_flag.op, red_flag.threshold) == ("<", float(FOUR_FIFTHS))  # helpers.lines: "less than" 4/5
    # Notebook 01's daily alert line: its parameter daily_threshold defaults to None, which keeps this rule's line
    # (the file is the one place it is written); helpers.drift calls a distance drifted when score >= threshold,
    # hence ">=".
    cells = json.loads((REPO_ROOT / "notebooks" / "01_data_drift.ipynb").read_text())["cells"]
    parameters = next("".join(c["source"]) for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    line = re.search(r"^daily_threshold\s*=\s*(\S+)", parameters, re.MULTILINE)
    assert line and line.group(1) == "None", "notebook 01 should take its daily line from the rule file"
    drift = rules["FeatureDriftDaily"]
    assert (drift.op, drift.threshold) == (">=", 0.25) and math.isclose(drift.threshold, 0.25)


# ----------------------------------------------------------------------------------------------------------------
# The chart (helpers.plots.plot_alert)
# ----------------------------------------------------------------------------------------------------------------
def test_plot_alert_draws_the_line_the_pending_stretches_and_the_firing_points():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Polygon, Rectangle

    from helpers.plots import plot_alert

    # for 2d, daily: day 0 -, 1 P, 2 P, 3 F, 4 -, 5 P, 6 -  -> two pending stretches (days 1-3 and 5-6), one firing
    # point (day 3, value 0.7), first firing on day 3.
    rule = Rule("DisparateImpactRedFlag", "credit_disparate_impact", "<", 0.8, for_="2d")
    evaluation = evaluate(rule, daily([0.9, 0.7, 0.7, 0.7, 0.9, 0.7, 0.9]))
    fig, ax = plt.subplots()
    plot_alert(ax, evaluation, rule, x=range(7), xlabel="day", ylabel="disparate impact")
    spans = [p for p in ax.patches if isinstance(p, (Polygon, Rectangle))]
    extents = sorted((round(p.get_x() if isinstance(p, Rectangle) else p.get_xy()[:, 0].min(), 6),
                      round(p.get_x() + p.get_width() if isinstance(p, Rectangle) else p.get_xy()[:, 0].max(), 6))
                     for p in spans)
    assert extents == [(1, 3), (5, 6)]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [tuple(xy) for xy in dots[0].get_offsets()] == [(3, 0.7)]
    labels = ax.get_legend_handles_labels()[1]
    assert "alert line: below 0.8" in labels and "first firing (day 3)" in labels and "firing" in labels
    assert ax.get_title() == "DisparateImpactRedFlag: fires when below 0.8 for 2 days"
    plt.close(fig)
    with pytest.raises(ValueError, match=r"x has 3 positions for 7 evaluations"):
        plot_alert(None, evaluation, rule, x=[0, 1, 2])
    with pytest.raises(ValueError, match=r"evaluation has no column 'state'"):
        plot_alert(None, evaluation.drop(columns="state"), rule)


def test_plot_alert_on_times_and_for_an_absent_rule():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots import plot_alert

    # absent for 1d, daily: day 0 sample -, 1 none P, 2 none F, 3 sample -: one firing mark, no alert line.
    rule = Rule("ModelAccuracyMissing", "credit_model_accuracy", "absent", None, for_="1d")
    ax = plot_alert(None, evaluate(rule, daily([0.93, np.nan, np.nan, 0.93])), rule)
    labels = ax.get_legend_handles_labels()[1]
    assert "no sample" in labels and "firing" in labels and "first firing" in labels
    assert not any(label.startswith("alert line") for label in labels)
    assert ax.get_title() == "ModelAccuracyMissing: fires when there is no sample for 1 day"
    plt.close(ax.figure)


# ------------------------------------------------------------------------------- files and names, read like promtool
def test_a_folder_or_a_file_that_is_not_utf8_is_named_as_such(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"rule file .* is a folder"):
        load_rules(tmp_path)
    path = tmp_path / "latin1.yml"
    path.write_bytes("groups:\n  - name: caf\xe9\n    rules: []\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"rule file latin1\.yml is not UTF-8 text \(byte 21"):
        load_rules(path)


def test_an_unknown_alert_name_lists_the_valid_ones():
    with pytest.raises(KeyError, match=r"no alert named 'ModelAccuracyBelow80'.*ModelAccuracyBelow90, "):
        course_rules()["ModelAccuracyBelow80"]


def test_numpy_thresholds_compare_as_the_decimal_typed():
    rule = Rule("A", "m", "<", np.float32(0.8))
    assert rule.threshold == 0.8 and rule.holds(0.8000000001) is False  # float32(0.8) is 0.800000011920929
    assert Rule("B", "m", ">=", np.int64(19)).threshold == 19.0
    for bad in ("0.8", True, np.nan):
        with pytest.raises(ValueError, match=r"rule 'C': threshold must be a finite number"):
            Rule("C", "m", "<", bad)


def test_the_lessons_lines_are_the_rule_files_thresholds():
    # helpers.lines reads them from monitoring/alerts.yml: the rule file is the one place they are written
    text = COURSE_RULES.read_text()
    assert re.search(r"expr: credit_model_accuracy < 0\.9\n", text) and ACCURACY_LINE == 0.9
    assert re.search(r"expr: credit_disparate_impact < 0\.8\n", text) and FOUR_FIFTHS == Fraction(4, 5)
