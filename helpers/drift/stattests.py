"""Evidently's drift methods, as its DataDriftPreset chooses and runs them: the one file that reads Evidently's
private statistical-test registry (``evidently.legacy.calculations.stattests``).

On an Evidently upgrade, read this file and run ``tests/test_drift.py``: its parity tests compare
``drift_timeline`` (which calls these tests directly) with Evidently's own Report on several windows and methods.

* ``column_types``: Evidently's type for each column (numerical or categorical), inferred once from the reference.
* ``default_method``: the method Evidently picks when none is given (the table in ``helpers.drift``'s docstring).
* ``available_methods``, ``check_method``: the registered methods, and a method name checked against a column's type.
* ``METHODS``: the one table of facts per method (p-value or distance, minimum window rows, whether it takes plain
  arrays, the test object Evidently's chooser returns); ``P_VALUE_METHODS``, ``DEFAULT_TESTS``, ``ARRAY_SAFE`` and
  ``MIN_WINDOW_ROWS`` are views of it.
* ``stattest``: the test object for a method name; ``method_name``: a method's name from the display name Evidently
  reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.runtime import quiet_warnings

with quiet_warnings():  # Evidently's import pulls in libraries that warn about their own deprecations
    from evidently.core.datasets import infer_column_type
    from evidently.legacy.calculations import stattests as _stattests
    from evidently.legacy.calculations.stattests import get_stattest
    from evidently.legacy.calculations.stattests.registry import (
        StatTestInvalidFeatureTypeError,
        _registered_stat_tests,
        get_registered_stattest,
    )
    from evidently.legacy.core import ColumnType

__all__ = [
    "CATEGORICAL", "NUMERICAL", "METHODS", "MethodFacts", "P_VALUE_METHODS", "SMALL_REFERENCE_ROWS", "COLUMN_TYPE",
    "DEFAULT_TESTS", "ARRAY_SAFE", "DEFAULT_MIN_WINDOW_ROWS", "MIN_WINDOW_ROWS", "available_methods", "check_method",
    "column_kind", "default_method", "is_comparable", "method_name", "registered_test", "stattest",
]

NUMERICAL = "numerical"
CATEGORICAL = "categorical"
#: The course's kind names mapped to Evidently's column types.
COLUMN_TYPE = {NUMERICAL: ColumnType.Numerical, CATEGORICAL: ColumnType.Categorical}

#: Evidently's default method above this many reference rows switches from p-value tests to distances.
SMALL_REFERENCE_ROWS = 1000

@dataclass(frozen=True)
class MethodFacts:
    """What the course relies on about one of Evidently's drift methods (one row of ``METHODS``)."""

    p_value: bool  #: True: the score is a p-value (drift when small; threshold strictly between 0 and 1); else a distance
    min_window_rows: int = 30  #: fewest rows a window needs before the method's verdict means anything
    array_safe: bool = False  #: the test only uses numpy/scipy on its inputs: plain arrays are faster than Series
    default_test: object = None  #: the test object Evidently's chooser returns when it picks this method, else None


#: Fewest rows a window needs for a method ``METHODS`` does not set: 30 for the p-value tests (their p-values are
#: large-sample approximations; the usual rule of thumb for a normal approximation, and chi-square's five expected
#: rows per category over a handful of categories) and for Wasserstein (one value against a distribution's spread is
#: no distribution).
DEFAULT_MIN_WINDOW_ROWS = 30
_BINNED = 50  # the distances that compare shares of bins or categories: ten bins of five rows

#: Every drift method registered in Evidently 0.7.23, and the facts the course uses about each: the one table of
#: per-method facts (``tests/test_drift.py`` fails when an upgrade adds or removes a method). A smaller window than
#: ``min_window_rows`` is reported as "too few rows", never as drift: a one-row window otherwise "drifts" on every
#: column. Default tests are returned as objects because chisquare is chosen even for a numerical column with few
#: values, which asking for "chisquare" by name would refuse.
METHODS: dict[str, MethodFacts] = {
    "anderson": MethodFacts(p_value=True),
    "chisquare": MethodFacts(p_value=True, default_test=_stattests.chi_stat_test),
    "cramer_von_mises": MethodFacts(p_value=True),
    "ed": MethodFacts(p_value=False),
    "empirical_mmd": MethodFacts(p_value=True),
    "es": MethodFacts(p_value=True),
    "fisher_exact": MethodFacts(p_value=True),
    "g_test": MethodFacts(p_value=True),
    "hellinger": MethodFacts(p_value=False, min_window_rows=_BINNED),
    "jensenshannon": MethodFacts(p_value=False, min_window_rows=_BINNED,
                                 default_test=_stattests.jensenshannon_stat_test),
    "kl_div": MethodFacts(p_value=False, min_window_rows=_BINNED),
    "ks": MethodFacts(p_value=True, array_safe=True, default_test=_stattests.ks_stat_test),
    "mannw": MethodFacts(p_value=True),
    "psi": MethodFacts(p_value=False, min_window_rows=_BINNED),
    "t_test": MethodFacts(p_value=True),
    "TVD": MethodFacts(p_value=True),
    "wasserstein": MethodFacts(p_value=False, array_safe=True, default_test=_stattests.wasserstein_stat_test),
    "z": MethodFacts(p_value=True, default_test=_stattests.z_stat_test),
}

# Views of METHODS, under the names the drift helpers use.
#: Methods whose score is a p-value (drift when it is small; a threshold must lie strictly between 0 and 1).
P_VALUE_METHODS = frozenset(name for name, facts in METHODS.items() if facts.p_value)
#: Evidently's default tests, as its chooser returns them.
DEFAULT_TESTS = {name: facts.default_test for name, facts in METHODS.items() if facts.default_test is not None}
#: Tests that can take plain arrays (faster) instead of Series.
ARRAY_SAFE = frozenset(name for name, facts in METHODS.items() if facts.array_safe)
#: The methods whose minimum window differs from ``DEFAULT_MIN_WINDOW_ROWS``.
MIN_WINDOW_ROWS = {n: f.min_window_rows for n, f in METHODS.items() if f.min_window_rows != DEFAULT_MIN_WINDOW_ROWS}


def available_methods(kind: str | None = None) -> list[str]:
    """Names of Evidently's drift methods (all, or those that apply to ``kind``: "numerical" or "categorical")."""
    names = []
    for name, by_type in _registered_stat_tests.items():
        if kind is None and any(t in by_type for t in COLUMN_TYPE.values()):
            names.append(name)
        elif kind is not None and COLUMN_TYPE[kind] in by_type:
            names.append(name)
    return sorted(names)


def method_name(label: str) -> str:
    """Evidently reports an auto-chosen method by display name ("K-S p_value"): map it back to its name ("ks")."""
    if label in _registered_stat_tests:
        return label
    for name, by_type in _registered_stat_tests.items():
        if any(test.display_name == label for test in by_type.values()):
            return name
    return label


def column_kind(series: pd.Series) -> str:
    """Evidently's type for a column ("numerical" or "categorical"), by Evidently's own inference.

    Floats are numerical; integers with <= 10 distinct values categorical; strings categorical. Raises
    ``ValueError`` naming a column Evidently would treat as text, a date or unknown, since the drift helpers
    compare numerical and categorical columns only.
    """
    inferred = infer_column_type(series)
    if inferred == ColumnType.Numerical:
        return NUMERICAL
    if inferred == ColumnType.Categorical:
        return CATEGORICAL
    raise ValueError(
        f"column {series.name!r} ({series.dtype}) is {inferred.value!r} for Evidently, not numerical "
        f"or categorical; drift is compared on numerical and categorical columns only: leave it out of "
        f"`columns`"
    )


def is_comparable(series: pd.Series) -> bool:
    """True when Evidently would treat the column as numerical or categorical (not text, an id or a date)."""
    return infer_column_type(series) in (ColumnType.Numerical, ColumnType.Categorical)


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


def check_method(name, column: str, kind: str) -> str | None:
    """``name`` if it is one of Evidently's methods and applies to a ``kind`` column (None: Evidently's default)."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise ValueError(f"method for column {column!r} must be a method name (a string), got {name!r}")
    if name not in _registered_stat_tests:
        raise ValueError(
            f"unknown drift method {name!r} (for column {column!r}); valid methods: {', '.join(available_methods())}"
        )
    try:
        get_registered_stattest(name, COLUMN_TYPE[kind])
    except StatTestInvalidFeatureTypeError:
        raise ValueError(
            f"method {name!r} does not apply to column {column!r}, which is {kind} for Evidently "
            f"(integers with <= 10 distinct values and strings are categorical); methods for {kind} columns: "
            f"{', '.join(available_methods(kind))}"
        ) from None
    return name


def stattest(name: str, kind: str, reference: pd.Series):
    """Evidently's test object for method ``name`` on a ``kind`` column (as the Report resolves it)."""
    return get_stattest(reference, reference, COLUMN_TYPE[kind], name)


def registered_test(name: str, kind: str):
    """Evidently's registered test object for method ``name`` on a ``kind`` column (``check_method`` it first)."""
    return get_registered_stattest(name, COLUMN_TYPE[kind])
