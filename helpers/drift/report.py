"""One comparison: an Evidently ``Report`` with ``DataDriftPreset`` and its tests (``drift_table``), and its
interactive HTML (``save_drift_report``). ``drifted`` is Evidently's own verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from helpers.drift.inputs import Plan, check_min_rows, make_plan, require_enough_rows, require_finite
from helpers.drift.stattests import CATEGORICAL, NUMERICAL, method_name
from helpers.paths import writable_build_path
from helpers.runtime import quiet_warnings, single_threaded_blas

with quiet_warnings():  # Evidently's import pulls in libraries that warn about their own deprecations
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

__all__ = ["TABLE_COLUMNS", "drift_table", "save_drift_report"]

#: Columns of ``drift_table`` (``drift_timeline`` adds ``period`` first, and ``n`` and ``status`` last).
TABLE_COLUMNS = ["column", "kind", "method", "score", "threshold", "drifted"]


def _datasets(reference: pd.DataFrame, current: pd.DataFrame, plan: Plan):
    definition = DataDefinition(
        numerical_columns=[c for c in plan.columns if plan.kinds[c] == NUMERICAL],
        categorical_columns=[c for c in plan.columns if plan.kinds[c] == CATEGORICAL],
    )
    return (
        Dataset.from_pandas(current[plan.columns].reset_index(drop=True), data_definition=definition),
        Dataset.from_pandas(reference[plan.columns].reset_index(drop=True), data_definition=definition),
    )


def _run_report(reference: pd.DataFrame, current: pd.DataFrame, plan: Plan):
    preset = DataDriftPreset(
        columns=plan.columns,
        per_column_method={c: m for c, m in plan.methods.items() if m is not None} or None,
        per_column_threshold={c: t for c, t in plan.thresholds.items() if t is not None} or None,
    )
    current_ds, reference_ds = _datasets(reference, current, plan)
    with quiet_warnings(), single_threaded_blas():
        return Report([preset], include_tests=True).run(current_ds, reference_ds)


def _table_from_snapshot(snapshot, plan: Plan) -> pd.DataFrame:
    result = snapshot.dict()
    metrics = {
        m["id"]: m
        for m in result["metrics"]
        if m["config"].get("type", "").endswith("ValueDrift") and m["config"].get("column") in plan.columns
    }
    verdicts = {}
    for test in result["tests"]:
        metric_id = test.get("metric_config", {}).get("metric_id")
        if metric_id in metrics:
            verdicts[metric_id] = str(getattr(test["status"], "value", test["status"])) == "FAIL"
    rows = {}
    for metric_id, metric in metrics.items():
        config = metric["config"]
        rows[config["column"]] = {
            "column": config["column"],
            "kind": plan.kinds[config["column"]],
            "method": method_name(str(config["method"])),
            "score": float(metric["value"]),
            "threshold": float(config["threshold"]),
            "drifted": bool(verdicts[metric_id]),
        }
    missing = [c for c in plan.columns if c not in rows]
    if missing:  # would mean Evidently changed its result format
        raise RuntimeError(f"Evidently's report has no drift result for {', '.join(missing)}")
    return pd.DataFrame([rows[c] for c in plan.columns], columns=TABLE_COLUMNS)


def drift_table(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    *,
    report_path: str | Path | None = None,
    min_rows: int | None = None,
) -> pd.DataFrame:
    """Compare ``current`` with ``reference`` column by column with an Evidently Report (DataDriftPreset + tests).

    Args:
        reference: the data the model learned from (e.g. its training period).
        current: the data to check (e.g. the days after a suspected change).
        columns: columns to compare; None means every column both frames share (``shared_columns``: less the
            date/day columns and text or id columns), as Evidently's Report compares every column it is given.
        method: None keeps Evidently's choice (see the module docstring); one method name for every column
            (``"ks"``, ``"psi"``, ``"wasserstein"``, ``"jensenshannon"``, ``"chisquare"`` ... see
            ``available_methods()``); or a dict ``{column: name}`` (columns left out keep Evidently's choice).
        threshold: None keeps each method's default; one number for every column; or a dict ``{column: number}``.
        report_path: also save this run's HTML report there (relative paths are below ``build/``).
        min_rows: fewest rows each frame needs (None: ``MIN_WINDOW_ROWS`` of the method used, 30 or 50).

    Returns:
        One row per column, in ``columns`` order: ``column``, ``kind`` (numerical/categorical, Evidently's type),
        ``method`` (Evidently's name of the method used), ``score`` (a p-value or a distance, see the module
        docstring), ``threshold`` (the one applied) and ``drifted`` (Evidently's test verdict: True = drift).

    Raises:
        ValueError: a column missing from either frame, an empty frame, NaN or infinite values (named with their
            count), an unknown method, a method that does not apply to a column's type (e.g. ``ks`` on ``region``),
            a non-positive threshold, a p-value threshold of 1 or more, a frame with too few rows for its method
            (``MIN_WINDOW_ROWS``).
    """
    min_rows = check_min_rows(min_rows)
    plan = make_plan(reference, [(current, "current")], columns, method, threshold)
    require_finite(current, plan.columns, "current")
    require_enough_rows(reference, current, plan, min_rows, "current")
    snapshot = _run_report(reference, current, plan)
    if report_path is not None:
        with quiet_warnings():
            snapshot.save_html(str(writable_build_path(report_path)))
    return _table_from_snapshot(snapshot, plan)


def save_drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    path: str | Path = "reports/drift.html",
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    min_rows: int | None = None,
) -> Path:
    """Write Evidently's interactive data-drift report (HTML, ~4 MB) and return its path.

    ``path`` is relative to ``build/`` (or an absolute path inside it); ``columns``, ``method`` and ``threshold``
    as in ``drift_table``. Open the file in a browser; never display it inline in a notebook.
    """
    target = writable_build_path(path)
    min_rows = check_min_rows(min_rows)
    plan = make_plan(reference, [(current, "current")], columns, method, threshold)
    require_finite(current, plan.columns, "current")
    require_enough_rows(reference, current, plan, min_rows, "current")
    snapshot = _run_report(reference, current, plan)
    with quiet_warnings():
        snapshot.save_html(str(target))
    return target
