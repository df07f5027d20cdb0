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

Where each part lives (one subject per module): ``stattests`` (Evidently's methods, types and default choice: the
one file that reads Evidently's private registry, and ``METHODS``, the one table of facts per method), ``inputs`` (which columns, methods, thresholds and minimum rows;
the input checks), ``report`` (``drift_table``, ``save_drift_report``), ``timeline`` (``drift_timeline``,
``first_alarm``, ``alarm_summary``) and ``experiment`` (``false_alarm_rates``). Import from ``helpers.drift``.

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

from helpers.drift.experiment import false_alarm_rates
from helpers.drift.inputs import (
    MONITORED_COLUMNS,
    TIME_COLUMNS,
    column_types,
    min_window_rows,
    shared_columns,
)
from helpers.drift.report import TABLE_COLUMNS, drift_table, save_drift_report
from helpers.drift.stattests import (
    CATEGORICAL,
    DEFAULT_MIN_WINDOW_ROWS,
    METHODS,
    MIN_WINDOW_ROWS,
    NUMERICAL,
    P_VALUE_METHODS,
    SMALL_REFERENCE_ROWS,
    available_methods,
    default_method,
)
from helpers.drift.timeline import (
    STATUS_DRIFT,
    STATUS_NO_DRIFT,
    STATUS_TOO_FEW_ROWS,
    alarm_summary,
    drift_timeline,
    first_alarm,
)
from helpers.runtime import single_threaded_blas

__all__ = [
    "CATEGORICAL", "DEFAULT_MIN_WINDOW_ROWS", "METHODS", "MIN_WINDOW_ROWS", "MONITORED_COLUMNS", "NUMERICAL", "P_VALUE_METHODS",
    "SMALL_REFERENCE_ROWS", "STATUS_DRIFT", "STATUS_NO_DRIFT", "STATUS_TOO_FEW_ROWS", "TABLE_COLUMNS", "TIME_COLUMNS",
    "alarm_summary", "available_methods", "column_types", "default_method", "drift_table", "drift_timeline",
    "false_alarm_rates", "first_alarm", "min_window_rows", "save_drift_report", "shared_columns",
    "single_threaded_blas",
]
