"""The Evidently workspace: one snapshot per simulated week with the week's first day as its timestamp, the weekly
means of the daily metrics, drift share, the dashboard's panels stored once, and clear errors.

Everything is read back from the workspace folder by a new ``Workspace`` object, not from what the writer returned.
The snapshots are written in one pass for all weeks; each must hold what one Evidently Report over its week
(``week_report``) computes, under the same metric ids and locations (what the dashboard's panels match on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import workspace as W

START = pd.Timestamp("2024-03-04")
DAYS = 23  # three complete weeks (days 0-20) and two days (21, 22) that belong to no complete week
PER_DAY = 100
FEATURES = ["a", "b", "region"]  # two numerical features and a categorical one


def _frames(shift_week: int | None = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily rows with two numeric features and one categorical; in week ``shift_week`` feature ``a`` moves by 3 sd."""
    rng = np.random.default_rng(0)
    reference = pd.DataFrame(
        {"a": rng.normal(0, 1, 700), "b": rng.normal(0, 1, 700), "region": rng.choice(["n", "s"], 700)}
    )
    dates = np.repeat(pd.date_range(START, periods=DAYS, freq="D"), PER_DAY)
    frames = pd.DataFrame(
        {
            "date": dates,
            "a": rng.normal(0, 1, len(dates)),
            "b": rng.normal(0, 1, len(dates)),
            "region": rng.choice(["n", "s"], len(dates)),
        }
    )
    if shift_week is not None:
        week = (frames["date"] - START).dt.days // 7
        frames.loc[week == shift_week, "a"] += 3.0
    return frames, reference


def _daily_metrics() -> pd.DataFrame:
    """accuracy on day d is d / 100; day 2 has no value yet (its labels have not arrived)."""
    days = pd.date_range(START, periods=DAYS, freq="D")
    metrics = pd.DataFrame({"date": days, "accuracy": np.arange(DAYS) / 100, "disparate_impact": 0.75})
    metrics.loc[2, "accuracy"] = np.nan
    return metrics


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("workspace")
    ws, project = W.open_project(path=path, fresh=True)
    W.add_dashboard(ws, project, groups=["majority", "minority"])
    frames, reference = _frames()
    returned = W.add_weekly_snapshots(ws, project, frames, reference, FEATURES, _daily_metrics())
    return path, returned


def _reopen(path):
    from evidently.ui.workspace import Workspace

    ws = Workspace(str(path))
    (project,) = ws.search_project(W.PROJECT_NAME)
    return ws, project


def test_one_snapshot_per_complete_week_timestamped_with_its_first_day(written):
    path, returned = written
    ws, project = _reopen(path)
    stored = W.read_snapshots(ws, project)
    # 23 days from Monday 2024-03-04: weeks start on 03-04, 03-11 and 03-18; 03-25 and 03-26 make no full week
    assert list(stored["timestamp"]) == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-11"),
                                         pd.Timestamp("2024-03-18")]  # fmt: skip
    assert list(stored["name"]) == [
        "week 00: 2024-03-04 to 2024-03-10",
        "week 01: 2024-03-11 to 2024-03-17",
        "week 02: 2024-03-18 to 2024-03-24",
    ]
    assert len(ws.list_runs(project.id)) == 3
    assert list(returned["rows"]) == [7 * PER_DAY] * 3
    assert sorted(stored["snapshot_id"]) == sorted(returned["snapshot_id"])


def test_weekly_values_are_the_means_of_the_daily_values(written):
    ws, project = _reopen(written[0])
    stored = W.read_snapshots(ws, project)
    # week 0: days 0, 1, 3, 4, 5, 6 (day 2 has no value) -> (0+1+3+4+5+6)/6/100 = 0.0316667
    # week 1: days 7..13 -> mean 10 / 100; week 2: days 14..20 -> 17 / 100
    assert stored["accuracy"].tolist() == pytest.approx([19 / 6 / 100, 0.10, 0.17])
    assert stored["disparate_impact"].tolist() == pytest.approx([0.75, 0.75, 0.75])


def test_drift_share_is_the_share_of_drifted_features(written):
    ws, project = _reopen(written[0])
    stored = W.read_snapshots(ws, project)
    # weeks 0 and 1 are drawn like the reference; in week 2 one of the three features moved by 3 sd
    assert stored[W.DRIFT_SHARE].tolist() == pytest.approx([0.0, 0.0, 1 / 3])


def _without_values(result: dict) -> dict:
    """A stored metric result without what differs between two ways of computing it: values and widgets."""
    kept = {k: v for k, v in result.items() if k not in ("value", "widget")}
    return {k: _without_values(v) if isinstance(v, dict) else v for k, v in kept.items()}


def test_every_week_holds_what_one_report_over_the_week_computes(written):
    ws, project = _reopen(written[0])
    stored = W.read_snapshots(ws, project)
    frames, reference = _frames()
    for week in stored.itertuples():
        report = W.snapshot_values(W.week_report(frames, reference, FEATURES, week.timestamp, _daily_metrics()))
        assert set(report) == {W.DRIFT_SHARE, "accuracy", "disparate_impact"}
        assert report == pytest.approx({k: getattr(week, k) for k in report}, abs=1e-12)


def test_snapshots_carry_the_metric_ids_and_locations_a_report_gives(written):
    ws, project = _reopen(written[0])
    frames, reference = _frames()
    for snapshot_id in ws.list_runs(project.id):
        stored = ws.get_run(project.id, snapshot_id)
        report = W.week_report(frames, reference, FEATURES, stored.timestamp, _daily_metrics()).to_snapshot_model()
        assert stored.top_level_metrics == report.top_level_metrics
        for metric_id, result in report.metric_results.items():
            assert _without_values(stored.metric_results[metric_id].dict()) == _without_values(result.dict())


def test_a_week_without_rows_between_two_others_is_named(tmp_path):
    frames, reference = _frames(shift_week=None)
    week = (frames["date"] - START).dt.days // 7
    ws, project = W.open_project(path=tmp_path)
    with pytest.raises(ValueError, match="empty window.*2024-03-11"):
        W.add_weekly_snapshots(ws, project, frames[week != 1], reference, FEATURES)


def test_week_report_names_a_week_without_rows():
    frames, reference = _frames()
    with pytest.raises(ValueError, match="no rows in the week from 2024-04-01"):
        W.week_report(frames, reference, FEATURES, "2024-04-01")


def test_dashboard_holds_each_panel_once_with_the_course_metrics(written):
    ws, project = _reopen(written[0])
    dashboard = ws.get_dashboard(project.id)
    assert [p.title for p in dashboard.panels] == list(W.PANEL_TITLES)
    assert len(dashboard.tabs) == 1
    assert len(dashboard.tabs[0].panels) == len(set(dashboard.tabs[0].panels)) == len(W.PANEL_TITLES)
    bars = dashboard.panels[-1]
    assert [v.metric_labels["column"] for v in bars.values] == ["approval_rate_majority", "approval_rate_minority"]
    W.add_dashboard(ws, project, groups=["majority", "minority"])  # again: the same dashboard, not a second copy
    assert [p.title for p in ws.get_dashboard(project.id).panels] == list(W.PANEL_TITLES)


def test_open_project_reuses_the_project_and_fresh_empties_it(tmp_path):
    frames, reference = _frames(shift_week=None)
    ws, project = W.open_project(path=tmp_path)
    W.add_weekly_snapshots(ws, project, frames[frames["date"] < START + pd.Timedelta(days=7)], reference, ["a"])
    again_ws, again = W.open_project(path=tmp_path)
    assert again.id == project.id and len(again_ws.list_runs(again.id)) == 1
    fresh_ws, fresh = W.open_project(path=tmp_path, fresh=True)
    assert fresh.id == project.id and len(fresh_ws.list_runs(fresh.id)) == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f, r, m: (f.drop(columns="b"), r, m), "frames has no column 'b'"),
        (lambda f, r, m: (f, r.drop(columns="a"), m), "reference has no column 'a'"),
        (lambda f, r, m: (f[f["date"] < START + pd.Timedelta(days=6)], r, m), "fewer than 7 days"),
        (lambda f, r, m: (f, r, m.assign(accuracy="high")), "not numeric"),
        (lambda f, r, m: (f, r, pd.concat([m, m.head(1)])), "more than one row for 2024-03-04"),
        (lambda f, r, m: (f.head(0), r, m), "frames is empty"),
    ],
)
def test_bad_input_names_what_is_wrong(tmp_path, change, message):
    ws, project = W.open_project(path=tmp_path)
    frames, reference, metrics = change(*_frames(shift_week=None), _daily_metrics())
    with pytest.raises(ValueError, match=message):
        W.add_weekly_snapshots(ws, project, frames, reference, ["a", "b"], metrics)


@pytest.mark.parametrize("groups", ["minority", [], ["majority", ""]])
def test_bad_groups_are_named(tmp_path, groups):
    ws, project = W.open_project(path=tmp_path)
    with pytest.raises(ValueError, match="group"):
        W.add_dashboard(ws, project, groups)


def test_a_file_as_workspace_path_is_named(tmp_path):
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    with pytest.raises(ValueError, match="not-a-folder"):
        W.open_project(path=path)


def test_the_panels_draw_the_lessons_lines_stored_in_every_week_and_the_project_says_what_it_is(written):
    """The accuracy panel carries a second series at 0.90 and the disparate-impact panel one at 0.8: the Evidently
    UI has no reference-line option, so each week stores the two constants, which the course's readers leave out."""
    ws, project = _reopen(written[0])
    W.add_dashboard(ws, project, groups=["majority", "minority"])
    panels = {panel.title: panel for panel in ws.get_dashboard(project.id).panels}
    accuracy_series = [v.metric_labels.get("column") for v in panels["Accuracy"].values]
    impact_series = [v.metric_labels.get("column") for v in panels["Disparate impact"].values]
    assert accuracy_series == ["accuracy", "line_accuracy_0_90"]
    assert impact_series == ["disparate_impact", "line_four_fifths_0_8"]
    for snapshot_id in ws.list_runs(project.id):
        stored = ws.get_run(project.id, snapshot_id)
        lines = {r.metric_value_location.metric.params["column"]: r.value for r in stored.metric_results.values()
                 if str(r.metric_value_location.metric.params.get("column", "")).startswith("line_")}  # fmt: skip
        assert lines == {"line_accuracy_0_90": 0.9, "line_four_fifths_0_8": 0.8}
        assert not set(lines) & set(W.snapshot_values(stored))  # constants, not measurements
    assert project.name == W.PROJECT_NAME != "credit-monitoring"  # not notebook 04's experiment name
    assert "0.90" in project.description and "0.8" in project.description
