"""Data drift with Evidently 0.7: is the data the model sees now distributed like the data it learned from?

The three main functions:

* ``drift_table(reference, current)``: one comparison, one row per column (``column``, ``kind``, ``method``, ``score``,
  ``threshold``, ``drifted``), computed by an Evidently ``Report`` with ``DataDriftPreset`` and its tests, so that
  ``drifted`` is Evidently's own verdict.
* ``drift_timeline(reference, data)``: the same rows for every window (day, week ...) of a long history. One Report per
  window costs about a second; Evidently's statistical tests, called directly, cost about a millisecond per
  column-window. The timeline calls those very tests (``evidently.legacy.calculations.stattests``) with the same
  method choice, column types and thresholds as the Report, so its scores equal ``drift_table``'s for the same
  window (to floating-point rounding, ~1e-15; ``tests/test_drift.py`` proves it on several windows and methods).
* ``save_drift_report(reference, current, path)``: Evidently's interactive HTML report, written below ``build/``.

Alarms: the course evaluates a timeline's daily scores with ``helpers.alerts`` and its rule ``FeatureDriftDaily``
(``monitoring/alerts.yml``), as Prometheus would (notebooks 01 and 02). ``first_alarm`` and ``alarm_summary`` read a
timeline's verdicts directly (the window an alarm fires, optionally after N drifted windows in a row) for code that
has no rule. Around them: ``false_alarm_rates`` is notebook 01's experiment (how often each method calls "drift"
between samples of one world as samples grow); ``column_types``, ``default_method`` and ``available_methods`` expose
Evidently's choices.

What the numbers mean. ``score`` is what the method measures: a **p-value** for the statistical tests (``ks``,
``chisquare``, ``z``: drift when the p-value is below the threshold, at or below it for KS, i.e. "this difference
would be unlikely by chance"), or a **distance** (``wasserstein`` normed by the reference's standard deviation, ``psi``,
``jensenshannon``: drift when the distance reaches the threshold, i.e. "the distributions differ by at least this
much"). A p-value says how *sure* a difference is, not how *big*: with large samples tiny, harmless shifts become
"significant". A distance says how big.

How Evidently chooses when you do not (evidently 0.7.23, ``stattests.registry._get_default_stattest``; mirrored by
``default_method``). It depends on the **reference's** row count and on the number of distinct values in reference
and current together::

    reference rows  column type   distinct values  method          default threshold  drift when
    > 1000          numerical     > 5              wasserstein     0.1                score >= 0.1
    > 1000          numerical     <= 5             jensenshannon   0.1                score >= 0.1
    > 1000          categorical   any              jensenshannon   0.1                score >= 0.1
    <= 1000         numerical     > 5              ks              0.05               p-value <= 0.05
    <= 1000         either        3 to 5 *         chisquare       0.05               p-value < 0.05
    <= 1000         either        <= 2             z               0.05               p-value < 0.05
    (* categorical: any number above 2)

Column types follow Evidently's own inference (``evidently.core.datasets.infer_column_type``): floats are numerical,
integers with at most 10 distinct values are categorical (more: numerical), strings are categorical. In the
simulated world ``loan_term_months`` (5 terms) and ``existing_loans`` (0 to 9) are such small integers, so they are
categorical, like ``region``; the other five columns are numerical. Left to itself Evidently infers types from the
*current* data, so a window could flip a column's type; here the types are inferred once, from the reference
(``column_types``), and given to Evidently explicitly, so that the table and the timeline always agree.

Missing values: Evidently silently drops NaN and infinite values from each column and scores the rest. These helpers
refuse them instead, naming the column, the frame or window, and the count: drop or impute them first, and watch the
missing share as a data-quality signal of its own.

Small windows: a verdict on a handful of rows is noise (a one-row day "drifts" on every column). Each method needs a
minimum number of rows per window (``MIN_WINDOW_ROWS``: 30, or 50 for the binned distances); a smaller timeline
window is reported with ``status`` "too few rows" (no score, never drifted, no alarm), and ``drift_table`` refuses a
frame that small with an error naming the method and the minimum. ``min_rows=`` sets another minimum.

Evidently's import-time deprecation warnings and its report-time warnings are silenced here, at the source, so they
never reach a notebook's stderr.
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from helpers.paths import BUILD_DIR, build_path
from helpers.validation import require_columns, require_rows
from helpers.world import APPLICANT_FEATURES


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence Python warnings inside the block (Evidently's deprecation and runtime warnings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one BLAS thread.

    The tests' dot products (e.g. inside scipy's Wasserstein distance) are tiny; with OpenBLAS' default of one thread
    per core, waking the other threads costs far more than the work (measured on a 2-core machine: a dot product of
    24 000 numbers took ~1 ms with 2 threads once Evidently was imported, 0.01 ms with 1). Results are identical.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


with quiet():  # Evidently's import pulls in libraries that warn about their own deprecations
    from evidently import DataDefinition, Dataset, Report
    from evidently.core.datasets import infer_column_type
    from evidently.legacy.calculations import stattests as _stattests
    from evidently.legacy.calculations.stattests import get_stattest
    from evidently.legacy.calculations.stattests.registry import (
        StatTestInvalidFeatureTypeError,
        _registered_stat_tests,
        get_registered_stattest,
    )
    from evidently.legacy.core import ColumnType
    from evidently.presets import DataDriftPreset

#: The simulated world's applicant features that monitoring watches (7 numbers and the region).
MONITORED_COLUMNS = APPLICANT_FEATURES
#: Columns that place a row in time rather than describe it: never compared when ``columns`` is None.
TIME_COLUMNS = ("date", "day")

NUMERICAL = "numerical"
CATEGORICAL = "categorical"
_COLUMN_TYPE = {NUMERICAL: ColumnType.Numerical, CATEGORICAL: ColumnType.Categorical}

#: Columns of ``drift_table`` (``drift_timeline`` adds ``period`` first, and ``n`` and ``status`` last).
TABLE_COLUMNS = ["column", "kind", "method", "score", "threshold", "drifted"]

#: Evidently's default method above this many reference rows switches from p-value tests to distances.
SMALL_REFERENCE_ROWS = 1000

#: Methods whose score is a p-value (drift when it is small; a threshold must lie strictly between 0 and 1).
P_VALUE_METHODS = frozenset(
    {"anderson", "chisquare", "cramer_von_mises", "es", "fisher_exact", "g_test", "ks", "mannw", "empirical_mmd",
     "t_test", "TVD", "z"}
)

#: Fewest rows a window needs before a method's verdict means anything; a smaller window is reported as
#: ``"too few rows"`` (never as drift). Evidently's own rule is the guide: it stops trusting asymptotic p-values and
#: chooses distances by sample size. Here: 30 rows for the p-value tests (their p-values are large-sample
#: approximations; the usual rule of thumb for a normal approximation, and chi-square's five expected rows per
#: category over a handful of categories) and for Wasserstein (one value against a distribution's spread is no
#: distribution); 50 for the distances that compare shares of bins or categories (``psi``, ``jensenshannon``,
#: ``kl_div``, ``hellinger``: ten bins of five rows). A one-row window otherwise "drifts" on every column.
MIN_WINDOW_ROWS = {"psi": 50, "jensenshannon": 50, "kl_div": 50, "hellinger": 50}
#: ``MIN_WINDOW_ROWS`` for any method it does not list.
DEFAULT_MIN_WINDOW_ROWS = 30

#: ``status`` of a timeline window: Evidently's verdict, or no verdict because the window is too small.
STATUS_DRIFT, STATUS_NO_DRIFT, STATUS_TOO_FEW_ROWS = "drift", "no drift", "too few rows"


def min_window_rows(method: str) -> int:
    """Fewest rows a window needs for ``method``'s verdict (``MIN_WINDOW_ROWS``, else ``DEFAULT_MIN_WINDOW_ROWS``)."""
    return MIN_WINDOW_ROWS.get(method, DEFAULT_MIN_WINDOW_ROWS)

# Evidently's default tests, as its chooser returns them (as objects: chisquare is returned even for a numerical
# column with few values, which asking for "chisquare" by name would refuse).
_DEFAULT_TESTS = {
    "wasserstein": _stattests.wasserstein_stat_test,
    "jensenshannon": _stattests.jensenshannon_stat_test,
    "ks": _stattests.ks_stat_test,
    "chisquare": _stattests.chi_stat_test,
    "z": _stattests.z_stat_test,
}
# Tests that only use numpy/scipy on their inputs: they can take plain arrays (faster) instead of Series.
_ARRAY_SAFE = {"wasserstein", "ks"}


def available_methods(kind: str | None = None) -> list[str]:
    """Names of Evidently's drift methods (all, or those that apply to ``kind``: "numerical" or "categorical")."""
    names = []
    for name, by_type in _registered_stat_tests.items():
        if kind is None and any(t in by_type for t in _COLUMN_TYPE.values()):
            names.append(name)
        elif kind is not None and _COLUMN_TYPE[kind] in by_type:
            names.append(name)
    return sorted(names)


def _method_name(label: str) -> str:
    """Evidently reports an auto-chosen method by display name ("K-S p_value"): map it back to its name ("ks")."""
    if label in _registered_stat_tests:
        return label
    for name, by_type in _registered_stat_tests.items():
        if any(test.display_name == label for test in by_type.values()):
            return name
    return label


# ----------------------------------------------------------------------------------------------------------------
# Column types and default methods, exactly as Evidently decides them
# ----------------------------------------------------------------------------------------------------------------
def column_types(reference: pd.DataFrame, columns: Sequence[str] | None = None) -> dict[str, str]:
    """Evidently's type for each column ("numerical" or "categorical"), inferred from ``reference``.

    Uses Evidently's own rule (floats numerical; integers with <= 10 distinct values categorical; strings
    categorical). Raises ``ValueError`` naming a column Evidently would treat as text, a date or unknown, since the
    drift helpers compare numerical and categorical columns only.
    """
    require_rows(reference, "reference")
    columns = _column_list(columns, reference)
    require_columns(reference, columns, "reference")
    kinds = {}
    for column in columns:
        inferred = infer_column_type(reference[column])
        if inferred == ColumnType.Numerical:
            kinds[column] = NUMERICAL
        elif inferred == ColumnType.Categorical:
            kinds[column] = CATEGORICAL
        else:
            raise ValueError(
                f"column {column!r} ({reference[column].dtype}) is {inferred.value!r} for Evidently, not numerical "
                f"or categorical; drift is compared on numerical and categorical columns only: leave it out of "
                f"`columns`"
            )
    return kinds


def default_method(kind: str, reference_rows: int, distinct_values: int) -> str:
    """The method Evidently's DataDriftPreset picks for a column when none is given (see the module's table).

    Args:
        kind: "numerical" or "categorical" (``column_types``).
        reference_rows: rows in the reference (Evidently decides on the reference's size, not the current's).
        distinct_values: distinct non-missing values in reference and current together.
    """
    if reference_rows > SMALL_REFERENCE_ROWS:
        if kind == NUMERICAL:
            return "wasserstein" if distinct_values > 5 else "jensenshannon"
        return "jensenshannon"
    if kind == NUMERICAL and distinct_values > 5:
        return "ks"
    return "chisquare" if distinct_values > 2 else "z"


# ----------------------------------------------------------------------------------------------------------------
# Input checks: every error names the column, the frame or window, or the method
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Plan:
    columns: list[str]
    kinds: dict[str, str]
    methods: dict[str, str | None]  # None: Evidently's default
    thresholds: dict[str, float | None]  # None: the method's default


def shared_columns(reference: pd.DataFrame, *others: pd.DataFrame) -> list[str]:
    """The columns compared when ``columns`` is None, as Evidently's Report compares every column it is given.

    Every column of ``reference`` that each of ``others`` also has, in the reference's order, less the columns that
    place a row in time (datetime columns and ``TIME_COLUMNS``: "date", "day") and those Evidently would treat as
    text or identifiers (e.g. an application id): the drift helpers compare numerical and categorical columns only.
    Name columns explicitly to compare a subset, e.g. ``MONITORED_COLUMNS`` for the simulated world's features.
    """
    require_rows(reference, "reference")
    for frame in others:
        require_rows(frame, "current")
    columns = []
    for column in reference.columns:
        if column in TIME_COLUMNS or not all(column in frame.columns for frame in others):
            continue
        if pd.api.types.is_datetime64_any_dtype(reference[column]):
            continue
        if infer_column_type(reference[column]) in (ColumnType.Numerical, ColumnType.Categorical):
            columns.append(column)
    if not columns:
        raise ValueError(
            f"reference and current share no numerical or categorical column to compare (reference has: "
            f"{', '.join(map(str, reference.columns))}); name the columns with `columns=`"
        )
    return columns


def _column_list(columns: Sequence[str] | str | None, *frames: pd.DataFrame) -> list[str]:
    if columns is None:
        return shared_columns(*frames)
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("columns is empty: name at least one column to compare (None means every shared column)")
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ValueError(f"columns lists {', '.join(map(repr, duplicates))} more than once")
    return columns


def _per_column(value, columns: list[str], what: str) -> dict:
    if isinstance(value, Mapping):
        unknown = [c for c in value if c not in columns]
        if unknown:
            raise ValueError(
                f"{what} names {', '.join(map(repr, unknown))}, which is not among the compared columns: "
                f"{', '.join(columns)}"
            )
        return {c: value.get(c) for c in columns}
    return {c: value for c in columns}


def _check_method(name, column: str, kind: str) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str):
        raise ValueError(f"method for column {column!r} must be a method name (a string), got {name!r}")
    if name not in _registered_stat_tests:
        raise ValueError(
            f"unknown drift method {name!r} (for column {column!r}); valid methods: {', '.join(available_methods())}"
        )
    try:
        get_registered_stattest(name, _COLUMN_TYPE[kind])
    except StatTestInvalidFeatureTypeError:
        raise ValueError(
            f"method {name!r} does not apply to column {column!r}, which is {kind} for Evidently "
            f"(integers with <= 10 distinct values and strings are categorical); methods for {kind} columns: "
            f"{', '.join(available_methods(kind))}"
        ) from None
    return name


def _check_threshold(value, column: str, method: str | None, kind: str, reference_rows: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"threshold for column {column!r} must be a number, got {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"threshold for column {column!r} must be a positive finite number, got {value!r}")
    # Evidently's own choice is a p-value test for a small reference (see default_method)
    p_value = method in P_VALUE_METHODS if method is not None else reference_rows <= SMALL_REFERENCE_ROWS
    if p_value and not float(value) < 1:
        shown = f"method {method!r}" if method else f"Evidently's default method for {reference_rows} reference rows"
        raise ValueError(
            f"threshold for column {column!r} is {value!r}, but {shown} scores a p-value, so its threshold is a "
            f"significance level strictly between 0 and 1 (e.g. 0.05); every p-value is below {value!r}, so "
            f"identical data would be flagged as drifted"
        )
    return float(value)


def _check_min_rows(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"min_rows must be a whole number of rows >= 1 (or None: MIN_WINDOW_ROWS), got {value!r}")
    return int(value)


def _bad_values(series: pd.Series) -> np.ndarray:
    """Boolean mask of missing (and, for numbers, infinite) values: those Evidently would silently drop."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return ~np.isfinite(series.to_numpy(dtype=float, na_value=np.nan))
    return series.isna().to_numpy()


def _require_finite(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    bad = {c: int(_bad_values(frame[c]).sum()) for c in columns}
    bad = {c: k for c, k in bad.items() if k}
    if bad:
        detail = ", ".join(f"{c!r} ({k} of {len(frame)} rows)" for c, k in bad.items())
        raise ValueError(
            f"{what} has missing or infinite values in {detail}; Evidently would drop them silently and score "
            f"the remaining rows. Drop or impute them first (and monitor the missing share on its own)"
        )


def _plan(reference, others: list[tuple[pd.DataFrame, str]], columns, method, threshold) -> _Plan:
    require_rows(reference, "reference")
    for frame, what in others:
        require_rows(frame, what)
    columns = _column_list(columns, reference, *(frame for frame, _ in others))
    kinds = column_types(reference, columns)
    for frame, what in others:
        require_rows(frame, what)
        require_columns(frame, columns, what)
        for column in columns:
            if kinds[column] == NUMERICAL and not pd.api.types.is_numeric_dtype(frame[column]):
                raise ValueError(
                    f"column {column!r} is numerical in the reference but {frame[column].dtype} in {what}: "
                    f"a numerical drift method cannot compare them; fix the column's type"
                )
    _require_finite(reference, columns, "reference")
    methods = {c: _check_method(m, c, kinds[c]) for c, m in _per_column(method, columns, "method").items()}
    thresholds = {
        c: _check_threshold(t, c, methods[c], kinds[c], len(reference))
        for c, t in _per_column(threshold, columns, "threshold").items()
    }
    return _Plan(columns, kinds, methods, thresholds)


def _method_for(plan: _Plan, column: str, reference: pd.Series, current: pd.Series) -> str:
    """The method used for ``column``: the one asked for, else Evidently's default for these two samples."""
    if plan.methods[column] is not None:
        return plan.methods[column]
    distinct = len(pd.unique(np.concatenate([reference.dropna().to_numpy(), current.dropna().to_numpy()])))
    return default_method(plan.kinds[column], len(reference), distinct)


def _require_enough_rows(reference, current, plan: _Plan, min_rows: int | None, what: str) -> None:
    """A comparison on fewer rows than its method needs has no verdict: say so instead of reporting drift."""
    for frame, name in ((reference, "reference"), (current, what)):
        for column in plan.columns:
            method = _method_for(plan, column, reference[column], current[column])
            needed = min_rows or min_window_rows(method)
            if len(frame) < needed:
                raise ValueError(
                    f"{name} has {len(frame)} rows: too few rows for a drift verdict; method {method!r} (column "
                    f"{column!r}) needs at least {needed} rows (min_rows, default MIN_WINDOW_ROWS). Compare a "
                    f"longer window"
                )


# ----------------------------------------------------------------------------------------------------------------
# One comparison: an Evidently Report
# ----------------------------------------------------------------------------------------------------------------
def _datasets(reference: pd.DataFrame, current: pd.DataFrame, plan: _Plan):
    definition = DataDefinition(
        numerical_columns=[c for c in plan.columns if plan.kinds[c] == NUMERICAL],
        categorical_columns=[c for c in plan.columns if plan.kinds[c] == CATEGORICAL],
    )
    return (
        Dataset.from_pandas(current[plan.columns].reset_index(drop=True), data_definition=definition),
        Dataset.from_pandas(reference[plan.columns].reset_index(drop=True), data_definition=definition),
    )


def _run_report(reference: pd.DataFrame, current: pd.DataFrame, plan: _Plan):
    preset = DataDriftPreset(
        columns=plan.columns,
        per_column_method={c: m for c, m in plan.methods.items() if m is not None} or None,
        per_column_threshold={c: t for c, t in plan.thresholds.items() if t is not None} or None,
    )
    current_ds, reference_ds = _datasets(reference, current, plan)
    with quiet(), single_threaded_blas():
        return Report([preset], include_tests=True).run(current_ds, reference_ds)


def _table_from_snapshot(snapshot, plan: _Plan) -> pd.DataFrame:
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
            "method": _method_name(str(config["method"])),
            "score": float(metric["value"]),
            "threshold": float(config["threshold"]),
            "drifted": bool(verdicts[metric_id]),
        }
    missing = [c for c in plan.columns if c not in rows]
    if missing:  # would mean Evidently changed its result format
        raise RuntimeError(f"Evidently's report has no drift result for {', '.join(missing)}")
    return pd.DataFrame([rows[c] for c in plan.columns], columns=TABLE_COLUMNS)


def _build_target(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_absolute():
        return build_path(*path.parts)
    try:
        path.resolve().relative_to(BUILD_DIR.resolve())
    except ValueError:
        raise ValueError(f"reports are written below build/ ({BUILD_DIR}); got {path}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


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
    min_rows = _check_min_rows(min_rows)
    plan = _plan(reference, [(current, "current")], columns, method, threshold)
    _require_finite(current, plan.columns, "current")
    _require_enough_rows(reference, current, plan, min_rows, "current")
    snapshot = _run_report(reference, current, plan)
    if report_path is not None:
        with quiet():
            snapshot.save_html(str(_build_target(report_path)))
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
    target = _build_target(path)
    min_rows = _check_min_rows(min_rows)
    plan = _plan(reference, [(current, "current")], columns, method, threshold)
    _require_finite(current, plan.columns, "current")
    _require_enough_rows(reference, current, plan, min_rows, "current")
    snapshot = _run_report(reference, current, plan)
    with quiet():
        snapshot.save_html(str(target))
    return target


# ----------------------------------------------------------------------------------------------------------------
# Many windows: Evidently's statistical tests, called directly
# ----------------------------------------------------------------------------------------------------------------
def _periods(dates: pd.Series, freq: str, what: str) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(
            f"{what} column {dates.name!r} must hold dates (datetime64), got {dates.dtype}; "
            f"convert it with pd.to_datetime"
        )
    if dates.isna().any():
        raise ValueError(f"{what} column {dates.name!r} has {int(dates.isna().sum())} missing dates")
    try:
        return dates.dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as error:
        raise ValueError(f"freq {freq!r} is not a pandas period frequency such as 'D', 'W' or 'M' ({error})") from None


def _window_label(period) -> str:
    period = pd.Timestamp(period)
    return str(period.date()) if period == period.normalize() else str(period)


def drift_timeline(
    reference: pd.DataFrame,
    data: pd.DataFrame,
    date_column: str = "date",
    freq: str = "D",
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    min_rows: int | None = None,
) -> pd.DataFrame:
    """Drift of every window of ``data`` against ``reference``: ``drift_table`` for each period, fast.

    Each window (``freq``: "D" days, "W" weeks, "M" months ...) is compared with the whole reference by Evidently's own
    statistical tests, with the same column types (``column_types`` of the reference), the same method choice
    (Evidently's default, ``default_method``, decided per window exactly as the Report decides it) and thresholds as
    ``drift_table``, so each window's scores and verdicts are those ``drift_table(reference, window)`` reports.

    Args:
        reference: the data the model learned from.
        data: the history to monitor, with a datetime column ``date_column``.
        date_column: the column that places each row in a window.
        freq: window length, a pandas period alias.
        columns, method, threshold: as in ``drift_table``.
        min_rows: fewest rows a window needs for a verdict (None: ``MIN_WINDOW_ROWS`` of its method, 30 or 50).

    Returns:
        One row per (window, column), sorted by window then in ``columns`` order: ``period`` (the window's start),
        ``column``, ``kind``, ``method``, ``score``, ``threshold``, ``drifted``, ``n`` (rows in the window) and
        ``status``: ``"drift"``, ``"no drift"`` or ``"too few rows"`` (a window smaller than its method needs: no
        verdict, ``score`` NaN and ``drifted`` False, so it never raises an alarm).

    Raises:
        ValueError: as ``drift_table``, plus a missing or non-date ``date_column``, an unknown ``freq``, and an empty
            window between the first and last period (a day without data is a broken feed, not a quiet day: the
            error lists the empty windows); NaN errors name the windows that hold them.
    """
    require_rows(data, "data")
    require_columns(data, [date_column], "data")
    min_rows = _check_min_rows(min_rows)
    plan = _plan(reference, [(data, "data")], columns, method, threshold)
    periods = _periods(data[date_column], freq, "data")

    order = np.argsort(periods.to_numpy(), kind="stable")
    sorted_periods = periods.to_numpy()[order]
    starts, first_index = np.unique(sorted_periods, return_index=True)
    bounds = list(zip(first_index, [*first_index[1:], len(order)]))
    expected = pd.period_range(pd.Timestamp(starts[0]), pd.Timestamp(starts[-1]), freq=freq).start_time
    empty = expected.difference(pd.DatetimeIndex(starts))
    if len(empty):
        shown = ", ".join(_window_label(p) for p in empty[:5])
        shown += f" (+{len(empty) - 5} more)" if len(empty) > 5 else ""
        raise ValueError(
            f"data has {len(empty)} empty window(s) between its first and last {freq!r} period: {shown}; "
            f"a window without rows cannot be compared: fill the gap or choose a longer freq"
        )
    for column in plan.columns:
        bad = _bad_values(data[column])
        if bad.any():
            windows = sorted(set(periods[bad]))
            shown = ", ".join(_window_label(p) for p in windows[:5]) + (" ..." if len(windows) > 5 else "")
            raise ValueError(
                f"data has missing or infinite values in {column!r} ({int(bad.sum())} rows, in window(s) {shown}); "
                f"Evidently would drop them silently. Drop or impute them first"
            )

    n_reference = len(reference)
    with single_threaded_blas(), ThreadPoolExecutor(max_workers=_workers()) as pool:
        # columns are independent; numpy and pandas release the GIL in the tests' sorting, searching and counting
        per_column = list(
            pool.map(
                lambda c: _column_scores(
                    reference[c], data[c].to_numpy()[order], bounds, plan, c, n_reference, min_rows
                ),
                plan.columns,
            )
        )
    records: dict[str, list] = {k: [] for k in ("period", "column", "method", "score", "threshold", "drifted", "n")}
    for w, (start, stop) in enumerate(bounds):
        for column, scores in zip(plan.columns, per_column):
            name, score, threshold_used, drifted = scores[w]
            records["period"].append(starts[w])
            records["column"].append(column)
            records["method"].append(name)
            records["score"].append(score)
            records["threshold"].append(threshold_used)
            records["drifted"].append(drifted)
            records["n"].append(int(stop - start))
    out = pd.DataFrame(records)
    out.insert(2, "kind", out["column"].map(plan.kinds))
    out["period"] = pd.to_datetime(out["period"])
    out["status"] = np.where(
        out["score"].isna(), STATUS_TOO_FEW_ROWS, np.where(out["drifted"], STATUS_DRIFT, STATUS_NO_DRIFT)
    )
    return out


def _check_seed(seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (the same seed gives the same draws), got {seed!r}")


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _column_scores(
    reference: pd.Series, values: np.ndarray, bounds, plan: _Plan, column: str, n_reference: int,
    min_rows: int | None = None,
):
    """(method, score, threshold, drifted) per window for one column, by Evidently's tests.

    A window with fewer rows than its method needs gets score NaN and drifted False (``"too few rows"``); the
    threshold shown is the one that would have applied.
    """
    kind = plan.kinds[column]
    column_type = _COLUMN_TYPE[kind]
    ref_values = reference.to_numpy()
    if kind == CATEGORICAL and not pd.api.types.is_numeric_dtype(reference):
        # Strings are compared by their counts: integer codes give the same counts, hashed ~4x faster.
        codes, _ = pd.factorize(np.concatenate([ref_values, values]))
        ref_values, values = codes[:n_reference], codes[n_reference:]
    ref_sorted = np.sort(ref_values, kind="stable")  # every method is order-free; sorted input sorts faster
    ref_series = pd.Series(ref_sorted)
    ref_unique = pd.unique(ref_sorted)
    fixed = plan.methods[column]
    fixed_test = get_stattest(ref_series, ref_series, column_type, fixed) if fixed is not None else None
    threshold = plan.thresholds[column]
    scores = []
    for start, stop in bounds:
        current = values[start:stop]
        if fixed_test is not None:
            test = fixed_test
        else:
            distinct = len(ref_unique)
            if n_reference <= SMALL_REFERENCE_ROWS or (kind == NUMERICAL and distinct <= 5):
                # only then does the choice depend on the exact count of distinct values
                distinct = len(pd.unique(np.concatenate([ref_unique, current])))
            test = _DEFAULT_TESTS[default_method(kind, n_reference, distinct)]
        if len(current) < (min_rows or min_window_rows(test.name)):
            used = threshold if threshold is not None else test.default_threshold
            scores.append((test.name, math.nan, float(used), False))
            continue
        if test.name in _ARRAY_SAFE:
            result = test(ref_sorted, current, column_type, threshold)
        else:
            result = test(ref_series, pd.Series(current), column_type, threshold)
        scores.append((test.name, float(result.drift_score), float(result.actual_threshold), bool(result.drifted)))
    return scores


def false_alarm_rates(
    pool: pd.DataFrame,
    column: str = "income",
    methods: Sequence[str] = ("ks", "psi", "wasserstein"),
    sizes: Sequence[int] = (100, 400, 1600, 6400, 25600),
    trials: int = 20,
    shift: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """How often each method calls "drift" between two samples of the same data, as the samples grow.

    For each size ``n`` and trial, ``2 n`` distinct rows are drawn from ``pool``: the first ``n`` are the reference,
    the others the current sample, whose ``column`` is multiplied by ``1 + shift``. With ``shift=0`` both samples
    come from one distribution, so every "drift" is a false alarm; a small ``shift`` (0.02: incomes 2% higher, about
    a year of wage growth) is a change too small to matter. Each method runs with Evidently's default threshold; the
    same draws are used for every method and shift (same ``seed``), so methods are compared on identical samples.

    Returns:
        One row per (method, n): ``method``, ``n``, ``shift``, ``threshold``, ``alarm_rate`` (share of trials
        flagged as drift) and ``median_score``.

    Raises:
        ValueError: a categorical column, an unknown or inapplicable method, a size whose two samples do not fit in
            ``pool``, ``trials`` below 1.
    """
    _check_seed(seed)
    if isinstance(shift, bool) or not isinstance(shift, (int, float, np.integer, np.floating)) or not (
        math.isfinite(float(shift)) and float(shift) > -1
    ):
        raise ValueError(f"shift must be a finite number above -1 (0.02 = values 2% higher), got {shift!r}")
    if isinstance(sizes, (str, bytes)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in sizes
    ):
        raise ValueError(f"sizes must be whole numbers of rows, got {sizes!r}")
    kind = column_types(pool, [column])[column]
    if kind != NUMERICAL:
        raise ValueError(f"false_alarm_rates scales column {column!r}, so it must be numerical; it is {kind}")
    _require_finite(pool, [column], "pool")
    tests = {m: get_registered_stattest(_check_method(m, column, kind), ColumnType.Numerical) for m in methods}
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise ValueError(f"trials must be a whole number >= 1, got {trials!r}")
    too_big = [n for n in sizes if 2 * n > len(pool) or n < 2]
    if too_big:
        raise ValueError(f"sizes {too_big} need 2 x n <= {len(pool)} rows of pool (and n >= 2)")
    values = pool[column].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    rows = []
    with single_threaded_blas():
        for n in sizes:
            flags = {m: [] for m in methods}
            scores = {m: [] for m in methods}
            for _ in range(trials):
                rows_drawn = rng.choice(len(values), size=2 * n, replace=False)
                ref, cur = values[rows_drawn[:n]], values[rows_drawn[n:]] * (1.0 + shift)
                ref_s, cur_s = pd.Series(ref), pd.Series(cur)
                for method, test in tests.items():
                    args = (ref, cur) if test.name in _ARRAY_SAFE else (ref_s, cur_s)
                    result = test(*args, ColumnType.Numerical, None)
                    flags[method].append(bool(result.drifted))
                    scores[method].append(float(result.drift_score))
            for method, test in tests.items():
                rows.append(
                    {
                        "method": method, "n": int(n), "shift": float(shift), "threshold": test.default_threshold,
                        "alarm_rate": float(np.mean(flags[method])), "median_score": float(np.median(scores[method])),
                    }
                )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------------------
# Reading a timeline
# ----------------------------------------------------------------------------------------------------------------
def first_alarm(timeline: pd.DataFrame, column: str, consecutive: int = 1) -> pd.Timestamp | None:
    """The window in which a drift alarm on ``column`` fires: the first window that completes ``consecutive``
    drifted windows in a row (Prometheus' ``for:``), or None when it never fires.

    With ``consecutive=1`` this is simply the first drifted window. A window with too few rows for a verdict
    (``status`` "too few rows") never fires and ends a run of drifted windows, as a missing series resets a
    Prometheus ``for:``.
    """
    require_columns(timeline, ["period", "column", "drifted"], "timeline")
    if not isinstance(column, str):
        raise ValueError(f"column must be a column name (a string), got {column!r}")
    if isinstance(consecutive, bool) or not isinstance(consecutive, (int, np.integer)) or consecutive < 1:
        raise ValueError(f"consecutive must be a whole number >= 1, got {consecutive!r}")
    rows = timeline[timeline["column"] == column].sort_values("period")
    if rows.empty:
        raise ValueError(
            f"timeline has no rows for column {column!r}; its columns are: {', '.join(timeline['column'].unique())}"
        )
    too_few = (rows["status"] == STATUS_TOO_FEW_ROWS) if "status" in rows.columns else pd.Series(False, rows.index)
    run = 0
    for period, drifted, no_verdict in zip(rows["period"], rows["drifted"], too_few):
        run = run + 1 if drifted and not no_verdict else 0
        if run >= consecutive:
            return pd.Timestamp(period)
    return None


def alarm_summary(timeline: pd.DataFrame, consecutive: int = 1) -> pd.DataFrame:
    """Per column: windows compared, windows drifted, the window where the alarm fires (``first_alarm``), and
    ``too_few_rows``: windows without a verdict because they were smaller than their method needs."""
    require_columns(timeline, ["period", "column", "drifted"], "timeline")
    rows = []
    for column, part in timeline.groupby("column", sort=False):
        too_few = int((part["status"] == STATUS_TOO_FEW_ROWS).sum()) if "status" in part.columns else 0
        rows.append(
            {
                "column": column,
                "windows": len(part),
                "drifted_windows": int(part["drifted"].sum()),
                "alarm": first_alarm(part, column, consecutive),
                "too_few_rows": too_few,
            }
        )
    out = pd.DataFrame(rows, columns=["column", "windows", "drifted_windows", "alarm", "too_few_rows"])
    return out.astype({"alarm": "datetime64[ns]"})
