"""The Evidently monitoring workspace: one project, weekly snapshots with simulated dates, and a dashboard.

An Evidently *workspace* is a folder of projects; a *project* holds *snapshots* (the results of
``Report(...).run(current, reference, timestamp=...)``) and a *dashboard*: panels that plot one metric value per
snapshot over the snapshots' timestamps. ``python -m helpers dashboard`` (``make dashboard``) serves this folder with
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

Evidently 0.7 has no fairness metric: the course stores disparate impact, accuracy and approval rates with
Evidently's ``MeanValue`` over a column that carries each day's value on one row of that day (and is empty on the
others), so the snapshot's value is the plain mean of the week's daily values.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.paths import BUILD_DIR, relative
from helpers.validation import require_columns, require_rows

__all__ = [
    "WORKSPACE_DIR",
    "PROJECT_NAME",
    "ACCURACY",
    "DISPARATE_IMPACT",
    "DRIFT_SHARE",
    "PANEL_TITLES",
    "approval_column",
    "open_project",
    "add_dashboard",
    "dashboard_panels",
    "add_weekly_snapshots",
    "read_snapshots",
]

#: The course's Evidently workspace (served by ``python -m helpers dashboard``).
WORKSPACE_DIR = BUILD_DIR / "workspace"
#: The project the capstone writes its weekly snapshots to.
PROJECT_NAME = "credit-monitoring"
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
    name: str = PROJECT_NAME, path: Path | str = WORKSPACE_DIR, fresh: bool = False, description: str | None = None
):
    """Open the workspace at ``path`` (created if needed) and the project ``name`` in it (created if needed).

    Args:
        name: the project's name, shown in the Evidently UI's project list.
        path: the workspace folder (default ``build/workspace``).
        fresh: start the project from a clean slate: its snapshots are deleted and its dashboard emptied, so a
            notebook that re-creates its results each run does not pile up duplicate weeks.
        description: shown under the project's name in the UI.

    Returns:
        ``(workspace, project)``: an ``evidently.ui.workspace.Workspace`` and its ``Project``.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"project name must be a non-empty string, got {name!r}")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"workspace path {relative(path)} is a file; give a folder (default build/workspace)")
    path.mkdir(parents=True, exist_ok=True)
    ws = _workspace_class()(str(path))
    found = ws.search_project(name)
    project = found[0] if found else ws.create_project(name, description=description)
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
    return [
        counter_panel(
            PANEL_TITLES[0], [mean_of(DISPARATE_IMPACT, "disparate impact")], size="half",
            description="approval rate of the unprivileged group / the privileged group's; below 0.8 is a red flag",
        ),
        line_plot_panel(
            PANEL_TITLES[1], [drift], size="half",
            description="share of applicant features whose weekly distribution drifted from the reference",
        ),
        line_plot_panel(
            PANEL_TITLES[2], [mean_of(ACCURACY, "accuracy")], size="half",
            description="mean of the week's daily accuracy, on applications whose outcome is known",
        ),
        line_plot_panel(
            PANEL_TITLES[3], [mean_of(DISPARATE_IMPACT, "disparate impact")], size="half",
            description="mean of the week's daily disparate impact; the four-fifths line is 0.8",
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


@dataclass(frozen=True)
class _Week:
    start: pd.Timestamp
    rows: pd.DataFrame
    metrics: pd.DataFrame


def _weeks(frames: pd.DataFrame, metrics: pd.DataFrame, date_column: str, start) -> list[_Week]:
    dates = pd.to_datetime(frames[date_column]).dt.normalize()
    first = pd.Timestamp(start).normalize() if start is not None else dates.min()
    offset = (dates - first).dt.days
    metric_dates = pd.to_datetime(metrics[date_column]).dt.normalize()
    metric_offset = (metric_dates - first).dt.days
    last = int(offset.max())
    complete = (last + 1) // DAYS_PER_WEEK  # weeks whose seven days all lie within the data
    weeks = []
    for k in range(complete):
        lo, hi = k * DAYS_PER_WEEK, (k + 1) * DAYS_PER_WEEK
        rows = frames[(offset >= lo) & (offset < hi)]
        if len(rows) == 0:
            continue
        week_metrics = metrics[(metric_offset >= lo) & (metric_offset < hi)]
        weeks.append(_Week(first + pd.Timedelta(days=lo), rows, week_metrics))
    return weeks


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


def add_weekly_snapshots(
    ws,
    project,
    frames: pd.DataFrame,
    reference: pd.DataFrame,
    features: Sequence[str],
    metrics: pd.DataFrame | None = None,
    date_column: str = "date",
    start=None,
) -> pd.DataFrame:
    """Write one Evidently snapshot per simulated week to ``project``, timestamped with the week's first day.

    Week ``k`` covers days ``start + 7k`` to ``start + 7k + 6``; only complete weeks are written (a year of 365
    days gives 52 snapshots; its last day belongs to no complete week). Each snapshot is one
    ``Report([DriftedColumnsCount(columns=features), MeanValue(column=m) ...]).run(week, reference,
    timestamp=week start)``, added with ``ws.add_run(project.id, snapshot, include_data=False)`` (the results, not
    the rows).

    Args:
        ws, project: from ``open_project``.
        frames: the daily applications, one row each, with ``date_column`` and the ``features``.
        reference: the data the model was trained on (the drift baseline), with the ``features``.
        features: the columns checked for drift (numeric dtypes as numerical, others as categorical).
        metrics: optional, one row per day: ``date_column`` and numeric columns (``accuracy``,
            ``disparate_impact``, ``approval_rate_<group>``, ...). A day may lack a value (NaN): a week's value is
            the mean of the days that have one.
        date_column: the column holding each row's simulated date.
        start: the first day of week 0 (default: the earliest date in ``frames``).

    Returns:
        One row per snapshot written: ``week`` (0, 1 ...), ``timestamp`` (the week's first day), ``rows``
        (applications in the week), ``drift_share`` and the week's mean of each metric column, ``snapshot_id``.

    Raises:
        ValueError: a missing column, an empty frame, a non-numeric metric column, fewer than seven days of data.
    """
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import DriftedColumnsCount, MeanValue

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

    weeks = _weeks(frames, metrics, date_column, start)
    if not weeks:
        raise ValueError(
            f"frames cover fewer than {DAYS_PER_WEEK} days from the start: no complete week to write (column "
            f"{date_column!r})"
        )
    numeric = [
        f for f in features if pd.api.types.is_numeric_dtype(frames[f]) and not pd.api.types.is_bool_dtype(frames[f])
    ]
    definition = DataDefinition(
        numerical_columns=numeric + names, categorical_columns=[f for f in features if f not in numeric]
    )
    reference_data = reference[features].copy()
    for name in names:
        reference_data[name] = np.nan  # the metrics describe the monitored weeks, not the reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statistics of the empty metric columns divide 0 by 0
        reference_dataset = Dataset.from_pandas(reference_data, data_definition=definition)
    report_metrics = [DriftedColumnsCount(columns=features), *[MeanValue(column=name) for name in names]]

    written = []
    for k, week in enumerate(weeks):
        current = pd.concat(
            [week.rows[features], _metric_table(week.rows, week.metrics, date_column, names)], axis=1
        ).reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a metric column empty all week: 0 / 0
            snapshot = Report(report_metrics).run(
                Dataset.from_pandas(current, data_definition=definition),
                reference_dataset,
                timestamp=week.start.to_pydatetime(),
            )
        end = week.start + pd.Timedelta(days=DAYS_PER_WEEK - 1)
        name = f"week {k:02d}: {week.start.date()} to {end.date()}"
        ref = ws.add_run(project.id, snapshot, include_data=False, name=name)
        values = _values(ws.get_run(project.id, ref.id))
        written.append(
            {"week": k, "timestamp": week.start, "rows": len(week.rows), **values, "snapshot_id": str(ref.id)}
        )
    return pd.DataFrame(written)


def _values(model) -> dict[str, float]:
    """The course's values in a stored snapshot: ``drift_share`` and the ``MeanValue`` of each metric column."""
    values = {}
    for result in model.metric_results.values():
        location = getattr(result, "metric_value_location", None)
        params = location.metric.params if location is not None else {}
        kind = str(params.get("type", ""))
        if kind.endswith("DriftedColumnsCount"):
            values[DRIFT_SHARE] = float(result.share.value)
        elif kind.endswith("MeanValue"):
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
        rows.append({"timestamp": pd.Timestamp(model.timestamp), "name": model.name, **_values(model),
                     "snapshot_id": str(snapshot_id)})  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["timestamp", "name", DRIFT_SHARE, "snapshot_id"])
    ordered = ["timestamp", "name", *[c for c in frame.columns if c not in ("timestamp", "name", "snapshot_id")],
               "snapshot_id"]  # fmt: skip
    return frame[ordered].sort_values("timestamp").reset_index(drop=True)
