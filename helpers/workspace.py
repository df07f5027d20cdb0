"""The Evidently monitoring workspace: one project, weekly snapshots with simulated dates, and a dashboard.

An Evidently *workspace* is a folder of projects; a *project* holds *snapshots* (the results of
``Report(...).run(current, reference, timestamp=...)``) and a *dashboard*: panels that plot one metric value per
snapshot over the snapshots' timestamps. ``python -m course dashboard`` (``make dashboard``) serves this folder with
the Evidently UI.

Typical use (a year replayed day by day)::

    from helpers import workspace
    ws, project = workspace.open_project(fresh=True)        # build/workspace, project "credit-monitoring"
    workspace.add_dashboard(ws, project, groups=["majority", "minority"])
    weeks = workspace.add_weekly_snapshots(ws, project, applications, reference,
                                           features=APPLICANT_FEATURES, metrics=daily)
    workspace.read_snapshots(ws, project)                   # what the workspace holds, one row per week

``daily`` has one row per simulated day: a ``date`` column and numeric columns named after what they measure:
``accuracy``, ``disparate_impact`` (approval rate of the unprivileged group / of the privileged group) and
``approval_rate_<group>`` (share of the group's applicants approved; see ``approval_column``). Each weekly snapshot
holds the share of drifted ``features`` (the week's applications against ``reference``) and the *mean of the
week's daily values* of every metric column; the dashboard's panels read exactly those values.

Evidently 0.7 has no fairness metric: the course stores disparate impact, accuracy and approval rates as Evidently's
``MeanValue`` of a column that carries each day's value on one row of that day (and is empty on the others), so the
snapshot's value is the plain mean of the week's daily values.

How the snapshots are made. ``week_report`` runs that Report over one week (``DriftedColumnsCount`` of the features,
``MeanValue`` of each metric column): about 0.2 s a week, about half of it for the plotly histograms every ``MeanValue``
draws, which the dashboard never shows. ``add_weekly_snapshots`` writes the same numbers for all the weeks in one
pass, about 10 ms a week: the drift verdicts by Evidently's statistical tests with weekly windows
(``helpers.drift.drift_timeline``, which chooses methods and thresholds as the Report does), the weekly means in
pandas, and each snapshot built from the metrics' own result objects, so that it carries the ids and locations a
Report gives them. ``tests/test_workspace.py`` checks that every week holds what ``week_report`` computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.lines import ACCURACY_LINE, FOUR_FIFTHS
from helpers.paths import BUILD_DIR, build_path, relative
from helpers.validation import require_columns, require_rows

__all__ = [
    "WORKSPACE_DIR",
    "PROJECT_NAME",
    "PROJECT_DESCRIPTION",
    "REFERENCE_LINES",
    "ACCURACY",
    "DISPARATE_IMPACT",
    "DRIFT_SHARE",
    "PANEL_TITLES",
    "approval_column",
    "open_project",
    "add_dashboard",
    "dashboard_panels",
    "add_weekly_snapshots",
    "week_report",
    "snapshot_values",
    "read_snapshots",
]

#: The course's Evidently workspace (served by ``python -m course dashboard``).
WORKSPACE_DIR = BUILD_DIR / "workspace"
#: The project the capstone writes its weekly snapshots to (its own name: notebook 04's MLflow experiment is
#: "credit-monitoring"), and the description the UI shows under it.
PROJECT_NAME = "credit-model-weekly"
PROJECT_DESCRIPTION = (
    "The capstone's year of the credit model, one snapshot per simulated week (timestamped with the week's first "
    "day): drift of the applicant features against the training data, accuracy on the outcomes on record, "
    "approval rates by group and disparate impact, with the lesson's lines (accuracy 0.90, four fifths 0.8)."
)
#: The lesson's lines, drawn in the panels as series of their own (the Evidently UI has no reference-line option:
#: its panels read only plot_type, aggregation and is_stacked), stored in every weekly snapshot as a constant
#: ``MeanValue``: column name -> (value, legend). ``snapshot_values`` leaves them out: they are not measurements.
REFERENCE_LINES = {
    "line_accuracy_0_90": (ACCURACY_LINE, "the lesson's line (0.90)"),
    "line_four_fifths_0_8": (float(FOUR_FIFTHS), "four-fifths line (0.8)"),
}
#: Metric column names the dashboard reads (daily values in ``add_weekly_snapshots``'s ``metrics``).
ACCURACY = "accuracy"
DISPARATE_IMPACT = "disparate_impact"
#: The snapshot value holding the share of drifted feature columns (0 to 1), as ``read_snapshots`` names it.
DRIFT_SHARE = "drift_share"
#: Titles of the dashboard's panels, in the order they appear.
PANEL_TITLES = (
    "Disparate impact (latest week)",
    "Share of drifted features",
    "Accuracy",
    "Disparate impact",
    "Approval rate by group",
)
DAYS_PER_WEEK = 7


def approval_column(group: str) -> str:
    """Name of the metric column holding the daily approval rate of ``group``: ``approval_rate_<group>``."""
    if not isinstance(group, str) or not group.strip():
        raise ValueError(f"group must be a non-empty string, got {group!r}")
    return f"approval_rate_{group}"


def _workspace_class():
    from evidently.ui.workspace import Workspace

    return Workspace


def open_project(
    name: str = PROJECT_NAME, path: Path | str = WORKSPACE_DIR, fresh: bool = False,
    description: str | None = PROJECT_DESCRIPTION,
):
    """Open the workspace at ``path`` (created if needed) and the project ``name`` in it (created if needed).

    Args:
        name: the project's name, shown in the Evidently UI's project list.
        path: the workspace folder (default ``build/workspace``).
        fresh: start the project from a clean slate: its snapshots are deleted and its dashboard emptied, so a
            notebook that re-creates its results each run does not pile up duplicate weeks.
        description: shown under the project's name in the UI (default ``PROJECT_DESCRIPTION``; a project that
            exists gets it too).

    Returns:
        ``(workspace, project)``: an ``evidently.ui.workspace.Workspace`` and its ``Project``.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"project name must be a non-empty string, got {name!r}")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"workspace path {relative(path)} is a file; give a folder (default build/workspace)")
    if path == WORKSPACE_DIR:
        path = build_path(WORKSPACE_DIR.name)  # the same folder, listed among the run's artefacts by make run
    path.mkdir(parents=True, exist_ok=True)
    ws = _workspace_class()(str(path))
    found = ws.search_project(name)
    project = found[0] if found else ws.create_project(name, description=description)
    if found and description is not None and project.description != description:
        project.description = description
        project.save()
    if fresh:
        for snapshot_id in ws.list_runs(project.id):
            ws.delete_run(project.id, snapshot_id)
        project.dashboard.clear_dashboard()
    return ws, project


def dashboard_panels(groups: Sequence[str]) -> list:
    """The course dashboard's panels (``evidently.sdk.panels``), in the order of ``PANEL_TITLES``.

    ``groups``: the group values whose approval rates are plotted side by side (privileged group first reads best).
    """
    from evidently.sdk.models import PanelMetric
    from evidently.sdk.panels import bar_plot_panel, counter_panel, line_plot_panel

    groups = _check_groups(groups)

    def mean_of(column: str, legend: str) -> PanelMetric:
        return PanelMetric(metric="MeanValue", metric_labels={"column": column}, legend=legend)

    drift = PanelMetric(metric="DriftedColumnsCount", metric_labels={"value_type": "share"}, legend="drift share")
    accuracy_line, four_fifths = (mean_of(name, legend) for name, (_, legend) in REFERENCE_LINES.items())
    return [
        counter_panel(
            PANEL_TITLES[0], [mean_of(DISPARATE_IMPACT, "disparate impact")], size="half",
            description="approval rate of the unprivileged group / the privileged group's; below 0.8 is a red flag",
        ),
        line_plot_panel(
            PANEL_TITLES[1], [drift], size="half",
            description="weekly: share of all applicant features whose week of applications drifted from the "
                        "training data (Evidently's default tests); MLflow's capstone drift_share is daily, over the "
                        "numerical features only: another sample and denominator, so another number",
        ),
        line_plot_panel(
            PANEL_TITLES[2], [mean_of(ACCURACY, "accuracy"), accuracy_line], size="half",
            description="mean of the week's daily accuracy, on applications whose outcome is known; the second "
                        "series is the lesson's line, 0.90",
        ),
        line_plot_panel(
            PANEL_TITLES[3], [mean_of(DISPARATE_IMPACT, "disparate impact"), four_fifths], size="half",
            description="mean of the week's daily disparate impact; the second series is the four-fifths line, 0.8",
        ),
        bar_plot_panel(
            PANEL_TITLES[4], [mean_of(approval_column(g), g) for g in groups], size="full",
            description="share of each group's applicants the model approved, per week",
        ),
    ]  # fmt: skip


def add_dashboard(ws, project, groups: Sequence[str]):
    """Replace the project's dashboard with the course's panels (``dashboard_panels``) and return its model.

    The panels go to the dashboard's one tab ("General", created by the first ``add_panel``): ``add_panel`` is
    called without ``tab=``, because in Evidently 0.7.23 naming a tab that already exists stores the panel twice.
    Calling this again gives the same dashboard, not a second copy.
    """
    project.dashboard.clear_dashboard()
    for panel in dashboard_panels(groups):
        project.dashboard.add_panel(panel)
    return ws.get_dashboard(project.id)


def _check_groups(groups: Sequence[str]) -> list[str]:
    if isinstance(groups, str) or not isinstance(groups, Sequence) or not groups:
        raise ValueError(
            f"groups must be a non-empty list of group values, e.g. ['majority', 'minority'], got {groups!r}"
        )
    for g in groups:
        approval_column(g)  # names the bad value
    return list(groups)


_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True)
class _Weeks:
    """Where each row of ``frames`` and of ``metrics`` falls: its week number (0, 1 ...), or -1 outside every
    complete week (before ``first``, or in the incomplete last week)."""

    first: pd.Timestamp
    count: int
    rows: np.ndarray
    metrics: np.ndarray


def _week_numbers(frames: pd.DataFrame, metrics: pd.DataFrame, date_column: str, start) -> _Weeks:
    dates = pd.to_datetime(frames[date_column]).dt.normalize()
    first = pd.Timestamp(start).normalize() if start is not None else dates.min()
    offset = (dates - first).dt.days.to_numpy()
    count = (int(offset.max()) + 1) // DAYS_PER_WEEK  # weeks whose seven days all lie within the data
    inside = (offset >= 0) & (offset < count * DAYS_PER_WEEK)
    rows = np.where(inside, offset // DAYS_PER_WEEK, -1)
    # a day's metric counts when the day has rows (as in a Report over the rows, where the value sits on one of them)
    metric_dates = pd.to_datetime(metrics[date_column]).dt.normalize()
    has_rows = metric_dates.isin(dates[inside]).to_numpy()
    metric_offset = (metric_dates - first).dt.days.to_numpy()
    return _Weeks(first, count, rows, np.where(has_rows, metric_offset // DAYS_PER_WEEK, -1))


def _metric_table(rows: pd.DataFrame, week_metrics: pd.DataFrame, date_column: str, names: list[str]) -> pd.DataFrame:
    """The week's rows with one column per metric: each day's value on the first row of that day, NaN elsewhere."""
    table = pd.DataFrame(np.nan, index=rows.index, columns=names, dtype=float)
    row_days = pd.to_datetime(rows[date_column]).dt.normalize()
    first_row_of_day = row_days.groupby(row_days).head(1)
    by_day = dict(zip(row_days.loc[first_row_of_day.index], first_row_of_day.index))
    for _, day in week_metrics.iterrows():
        index = by_day.get(pd.Timestamp(day[date_column]).normalize())
        if index is not None:
            table.loc[index, names] = day[names].astype(float).to_numpy()
    return table


def _check_inputs(frames, reference, features, metrics, date_column) -> tuple[list[str], pd.DataFrame, list[str]]:
    """The checks both ``add_weekly_snapshots`` and ``week_report`` make; returns (features, metrics, metric names)."""
    features = list(features) if not isinstance(features, str) else [features]
    if not features:
        raise ValueError("features is empty: name the columns to check for drift")
    require_rows(frames, "frames")
    require_rows(reference, "reference")
    require_columns(frames, [date_column, *features], "frames")
    require_columns(reference, features, "reference")
    if metrics is None:
        metrics = pd.DataFrame({date_column: pd.Series(dtype="datetime64[ns]")})
    require_columns(metrics, [date_column], "metrics")
    names = [c for c in metrics.columns if c != date_column]
    clash = [c for c in names if c in features]
    if clash:
        raise ValueError(f"metrics column(s) {clash} are also features; rename them")
    bad = [c for c in names if not pd.api.types.is_numeric_dtype(metrics[c]) or pd.api.types.is_bool_dtype(metrics[c])]
    if bad:
        raise ValueError(f"metrics column(s) {bad} are not numeric; give daily numbers (e.g. accuracy 0.91)")
    if metrics[date_column].duplicated().any():
        day = pd.Timestamp(metrics.loc[metrics[date_column].duplicated(), date_column].iloc[0]).date()
        raise ValueError(f"metrics has more than one row for {day}: give one row per day")
    return features, metrics, names


def _report_metrics(features: list[str], names: list[str]) -> list:
    """The metrics of a weekly snapshot, in order: ``DriftedColumnsCount`` of the features, ``MeanValue`` of each
    metric column (the dashboard's panels read these)."""
    from evidently.metrics import DriftedColumnsCount, MeanValue

    return [DriftedColumnsCount(columns=features), *[MeanValue(column=name) for name in names]]


def _snapshot(calculations: list, values: list, timestamp: pd.Timestamp, name: str):
    """An Evidently snapshot holding ``values`` as the results of the metrics' ``calculations``, as ``Report.run``
    stores them: each result made by the metric's own calculation (``result()``), with the metric's location (what
    the dashboard's panels match on) and Evidently's default widget for a value (counters)."""
    from evidently.core.metric_types import get_default_render
    from evidently.core.report import Snapshot
    from evidently.core.serialization import ReportModel, SnapshotModel

    results, widgets = {}, []
    for calculation, value in zip(calculations, values):
        result = calculation.result(*value) if isinstance(value, tuple) else calculation.result(value)
        result.widget = get_default_render(calculation.display_name(), result)
        for widget in result.widget:
            widget.linked_metrics = [calculation.id]  # the metric's fingerprint, as Report.run links it
        result.set_metric_location(calculation.to_metric_config())
        results[calculation.id] = result
        widgets.extend(result.widget)
    model = SnapshotModel(report=ReportModel(items=[]), name=name, timestamp=timestamp.to_pydatetime(), metadata={},
                          tags=[], metric_results=results, top_level_metrics=list(results), widgets=widgets,
                          tests_widgets=[])  # fmt: skip
    return Snapshot.load_model(model)


def add_weekly_snapshots(ws, project, frames: pd.DataFrame, reference: pd.DataFrame, features: Sequence[str],
                         metrics: pd.DataFrame | None = None, date_column: str = "date", start=None) -> pd.DataFrame:
    """Write one Evidently snapshot per simulated week to ``project``, timestamped with the week's first day.

    Week ``k`` covers days ``start + 7k`` to ``start + 7k + 6``; only complete weeks are written (a year of 365
    days gives 52 snapshots; its last day belongs to no complete week). Each snapshot holds what ``week_report``
    (one Evidently ``Report([DriftedColumnsCount(columns=features), MeanValue(column=m) ...])`` over the week's rows)
    computes, made for all the weeks in one pass (see the module docstring), and is added with
    ``ws.add_run(project.id, snapshot, include_data=False)`` (the results, not the rows).

    Args:
        ws, project: from ``open_project``.
        frames: the daily applications, one row each, with ``date_column`` and the ``features``.
        reference: the data the model was trained on (the drift baseline), with the ``features``.
        features: the columns checked for drift, typed as Evidently infers them from the reference
            (``helpers.drift.column_types``: floats numerical, small integers and strings categorical).
        metrics: optional, one row per day: ``date_column`` and numeric columns (``accuracy``,
            ``disparate_impact``, ``approval_rate_<group>``, ...). A day may lack a value (NaN): a week's value is
            the mean of the days that have one.
        date_column: the column holding each row's simulated date.
        start: the first day of week 0 (default: the earliest date in ``frames``).

    Returns:
        One row per snapshot written: ``week`` (0, 1 ...), ``timestamp`` (the week's first day), ``rows``
        (applications in the week), ``drift_share`` and the week's mean of each metric column, ``snapshot_id``.

    Raises:
        ValueError: a missing column, an empty frame, a non-numeric metric column, fewer than seven days of data, a
            complete week without rows, missing values in a feature (see ``drift_timeline``).
    """
    features, metrics, names = _check_inputs(frames, reference, features, metrics, date_column)
    weeks = _week_numbers(frames, metrics, date_column, start)
    if weeks.count == 0:
        raise ValueError(f"frames cover fewer than {DAYS_PER_WEEK} days from the start: no complete week to write "
                         f"(column {date_column!r})")  # fmt: skip
    drifted = _drifted_per_week(frames, reference, features, weeks, date_column)
    means = metrics[names].astype(float).groupby(weeks.metrics).mean()  # NaN (a day without a value) is skipped
    sizes = np.bincount(weeks.rows[weeks.rows >= 0], minlength=weeks.count)

    lines = {name: value for name, (value, _) in REFERENCE_LINES.items()}  # the panels' lines, in every week
    calculations = [metric.to_calculation() for metric in _report_metrics(features, [*names, *lines])]
    written = []
    for k in range(weeks.count):
        week_start = weeks.first + pd.Timedelta(days=k * DAYS_PER_WEEK)
        if sizes[k] == 0:
            continue  # only before the first rows: drift_timeline refuses an empty week between two others
        count = int(drifted.loc[week_start])
        share = count / len(features)
        weekly = {name: float(means.at[k, name]) if k in means.index else float("nan") for name in names}
        name = f"week {k:02d}: {week_start.date()} to {(week_start + pd.Timedelta(days=DAYS_PER_WEEK - 1)).date()}"
        snapshot = _snapshot(calculations, [(count, share), *weekly.values(), *lines.values()], week_start, name)
        ref = ws.add_run(project.id, snapshot, include_data=False)
        written.append({"week": k, "timestamp": week_start, "rows": int(sizes[k]), DRIFT_SHARE: share, **weekly,
                        "snapshot_id": str(ref.id)})  # fmt: skip
    return pd.DataFrame(written)


def _drifted_per_week(frames, reference, features: list[str], weeks: _Weeks, date_column: str) -> pd.Series:
    """Drifted features per week (indexed by each week's first day), by Evidently's tests with weekly windows."""
    from helpers.drift import drift_timeline

    inside = frames.loc[weeks.rows >= 0, [date_column, *features]]
    # weekly windows that start on the first day of week 0: pandas' weeks ending the day before it
    anchor = _WEEKDAYS[(weeks.first.dayofweek + DAYS_PER_WEEK - 1) % DAYS_PER_WEEK]
    drift = drift_timeline(reference, inside.assign(**{date_column: pd.to_datetime(inside[date_column])}),
                           date_column=date_column, freq=f"W-{anchor}", columns=features, min_rows=1)  # fmt: skip
    return drift.groupby("period")["drifted"].sum()


def week_report(
    frames: pd.DataFrame,
    reference: pd.DataFrame,
    features: Sequence[str],
    week_start,
    metrics: pd.DataFrame | None = None,
    date_column: str = "date",
):
    """One Evidently ``Report`` over the week from ``week_start``: what a weekly snapshot of ``add_weekly_snapshots``
    holds, computed the direct way (about 0.2 s a week); returns Evidently's ``Snapshot``.

    The Report runs ``DriftedColumnsCount(columns=features)`` and ``MeanValue`` of each metric column over the
    week's rows against ``reference``; each day's metric values sit on one row of that day (NaN on the others), so
    ``MeanValue`` is the mean of the week's daily values; the panels' ``REFERENCE_LINES`` are constant columns.
    ``snapshot_values`` reads the numbers back.
    """
    from evidently import DataDefinition, Dataset, Report

    from helpers.drift import CATEGORICAL, column_types
    from helpers.runtime import quiet_warnings, single_threaded_blas

    features, metrics, names = _check_inputs(frames, reference, features, metrics, date_column)
    lines = {name: value for name, (value, _) in REFERENCE_LINES.items()}  # as every stored week carries them
    metrics, names = metrics.assign(**lines), [*names, *lines]
    first = pd.Timestamp(week_start).normalize()
    days = (pd.to_datetime(frames[date_column]).dt.normalize() - first).dt.days
    rows = frames[days.between(0, DAYS_PER_WEEK - 1)]
    if rows.empty:
        raise ValueError(f"frames have no rows in the week from {first.date()} (column {date_column!r})")
    metric_days = (pd.to_datetime(metrics[date_column]).dt.normalize() - first).dt.days
    week_metrics = metrics[metric_days.between(0, DAYS_PER_WEEK - 1)]
    kinds = column_types(reference, features)
    definition = DataDefinition(
        numerical_columns=[f for f in features if kinds[f] != CATEGORICAL] + names,
        categorical_columns=[f for f in features if kinds[f] == CATEGORICAL],
    )
    current = pd.concat([rows[features], _metric_table(rows, week_metrics, date_column, names)], axis=1)
    reference_data = reference[features].assign(**{name: np.nan for name in names})  # the metrics describe the week
    with quiet_warnings(), single_threaded_blas():  # quiet: statistics of an empty metric column divide 0 by 0
        return Report(_report_metrics(features, names)).run(
            Dataset.from_pandas(current.reset_index(drop=True), data_definition=definition),
            Dataset.from_pandas(reference_data.reset_index(drop=True), data_definition=definition),
            timestamp=first.to_pydatetime(),
        )


def snapshot_values(snapshot) -> dict[str, float]:
    """The course's values in a snapshot (``Report.run``'s result or a stored one from ``ws.get_run``):
    ``drift_share`` and the ``MeanValue`` of each metric column, by column name (the panels' ``REFERENCE_LINES``
    left out: they are constants, not measurements)."""
    values = {}
    for result in snapshot.metric_results.values():
        location = getattr(result, "metric_value_location", None)
        params = location.metric.params if location is not None else {}
        kind = str(params.get("type", ""))
        if kind.endswith("DriftedColumnsCount"):
            values[DRIFT_SHARE] = float(result.share.value)
        elif kind.endswith("MeanValue") and str(params["column"]) not in REFERENCE_LINES:
            value = result.value
            values[str(params["column"])] = float("nan") if value is None else float(value)
    return values


def read_snapshots(ws, project) -> pd.DataFrame:
    """What the workspace holds for ``project``, read back from its files: one row per snapshot, by timestamp.

    Columns: ``timestamp`` (the simulated date the snapshot carries), ``name``, ``drift_share`` and the weekly mean
    of each metric column, ``snapshot_id``.
    """
    rows = []
    for snapshot_id in ws.list_runs(project.id):
        model = ws.get_run(project.id, snapshot_id)
        rows.append({"timestamp": pd.Timestamp(model.timestamp), "name": model.name, **snapshot_values(model),
                     "snapshot_id": str(snapshot_id)})  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["timestamp", "name", DRIFT_SHARE, "snapshot_id"])
    ordered = ["timestamp", "name", *[c for c in frame.columns if c not in ("timestamp", "name", "snapshot_id")],
               "snapshot_id"]  # fmt: skip
    return frame[ordered].sort_values("timestamp").reset_index(drop=True)
