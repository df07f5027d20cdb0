"""helpers.drift: Evidently's verdicts in a table, the same scores fast over a timeline, and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import drift
from helpers.drift import (
    MONITORED_COLUMNS,
    alarm_summary,
    column_types,
    default_method,
    drift_table,
    drift_timeline,
    first_alarm,
    save_drift_report,
)
from helpers.paths import BUILD_DIR
from helpers.world import SCENARIOS, simulate_applications

REFERENCE_DAYS = 60


@pytest.fixture(scope="module")
def shock():
    # the features and the time columns: with columns=None the helpers compare every shared column but date/day
    return simulate_applications("income_shock", days=150, per_day=400, seed=0)[["date", "day", *MONITORED_COLUMNS]]


@pytest.fixture(scope="module")
def reference(shock):
    return shock[shock["day"] < REFERENCE_DAYS]


def _day(frame, day):
    return frame[frame["day"] == day]


# ----------------------------------------------------------------------------------------------------------------
# What Evidently decides, mirrored
# ----------------------------------------------------------------------------------------------------------------
def test_column_types_follow_evidentlys_inference(reference):
    from evidently.core.datasets import infer_column_type
    from evidently.legacy.core import ColumnType

    kinds = column_types(reference)
    assert kinds == {
        "income": "numerical", "debt_to_income": "numerical", "credit_score": "numerical",
        "employment_years": "numerical", "loan_amount": "numerical",
        "loan_term_months": "categorical", "existing_loans": "categorical", "region": "categorical",
    }
    # the same answer Evidently gives a single daily window (it infers from the current data when left alone)
    window = _day(reference, 5)
    for column, kind in kinds.items():
        expected = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
        assert infer_column_type(window[column]) == expected, column


@pytest.mark.parametrize("reference_rows", [200, 1000, 1001, 5000])
@pytest.mark.parametrize("distinct", [2, 3, 5, 6, 12])
@pytest.mark.parametrize("kind", ["numerical", "categorical"])
def test_default_method_is_evidentlys_choice(reference_rows, distinct, kind):
    from evidently.legacy.calculations.stattests import get_stattest
    from evidently.legacy.core import ColumnType

    rng = np.random.default_rng(reference_rows + distinct)
    ref = pd.Series(rng.integers(0, distinct, reference_rows))
    cur = pd.Series(rng.integers(0, distinct, 300))
    ref.iloc[:distinct] = np.arange(distinct)  # every value occurs
    column_type = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    expected = get_stattest(ref, cur, column_type, None).name
    assert default_method(kind, reference_rows, pd.concat([ref, cur]).nunique()) == expected


def test_large_reference_defaults_are_wasserstein_and_jensenshannon_at_0_1(shock, reference):
    table = drift_table(reference, _day(shock, 30))
    numerical = table["kind"] == "numerical"
    assert set(table.loc[numerical, "method"]) == {"wasserstein"}
    assert set(table.loc[~numerical, "method"]) == {"jensenshannon"}
    assert set(table["threshold"]) == {0.1}
    assert list(table.columns) == ["column", "kind", "method", "score", "threshold", "drifted"]
    assert list(table["column"]) == MONITORED_COLUMNS


# ----------------------------------------------------------------------------------------------------------------
# drift_table: Evidently's verdicts
# ----------------------------------------------------------------------------------------------------------------
def test_drift_table_finds_the_income_shock_and_nothing_else(shock, reference):
    truth = SCENARIOS["income_shock"]
    current = shock[(shock["day"] >= truth.start_day) & (shock["day"] < truth.start_day + 30)]
    table = drift_table(reference, current)
    assert set(table.loc[table["drifted"], "column"]) == set(truth.drifted_features)
    # distances drift when score >= threshold
    assert (table["drifted"] == (table["score"] >= table["threshold"])).all()


def test_drift_table_before_the_shock_is_quiet(shock, reference):
    table = drift_table(reference, shock[(shock["day"] >= 60) & (shock["day"] < 90)])
    assert not table["drifted"].any()


def test_p_value_methods_drift_when_the_score_is_small(shock, reference):
    current = shock[(shock["day"] >= 90) & (shock["day"] < 100)]
    table = drift_table(reference, current, columns=["income", "credit_score", "region"],
                        method={"income": "ks", "credit_score": "ks", "region": "chisquare"})
    assert list(table["method"]) == ["ks", "ks", "chisquare"]
    assert set(table["threshold"]) == {0.05}
    income = table.set_index("column").loc["income"]
    assert income["drifted"] and income["score"] < 1e-6


def test_thresholds_per_column_and_for_all(shock, reference):
    current = _day(shock, 100)
    one = drift_table(reference, current, columns=["income", "region"], threshold=0.6)
    assert set(one["threshold"]) == {0.6}
    assert not one["drifted"].any()  # a daily income score is ~0.5: under a 0.6 line
    mixed = drift_table(reference, current, columns=["income", "region"], threshold={"income": 0.3})
    assert mixed.set_index("column")["threshold"].to_dict() == {"income": 0.3, "region": 0.1}


# ----------------------------------------------------------------------------------------------------------------
# drift_timeline: the same scores, fast
# ----------------------------------------------------------------------------------------------------------------
def _assert_same(timeline_rows: pd.DataFrame, table: pd.DataFrame) -> None:
    left = timeline_rows.set_index("column").loc[table["column"]]
    right = table.set_index("column")
    assert list(left["method"]) == list(right["method"])
    assert list(left["kind"]) == list(right["kind"])
    np.testing.assert_allclose(left["threshold"].to_numpy(), right["threshold"].to_numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(left["score"].to_numpy(), right["score"].to_numpy(), rtol=1e-9, atol=1e-15)
    assert list(left["drifted"]) == list(right["drifted"])


@pytest.mark.parametrize(
    "method, threshold",
    [
        (None, None),
        ("psi", None),
        ("jensenshannon", 0.05),
        ({"income": "ks", "debt_to_income": "wasserstein", "credit_score": "psi", "loan_term_months": "chisquare",
          "region": "psi"}, {"employment_years": 0.12}),
    ],
    ids=["defaults", "psi", "jensenshannon", "mixed"],
)
def test_timeline_reproduces_drift_table_on_several_windows(shock, reference, method, threshold):
    data = shock[shock["day"].between(89, 90)]  # two days keep the test fast
    timeline = drift_timeline(reference, data, method=method, threshold=threshold)
    for day in (89, 90):  # the day before the shift and its first day
        window = _day(shock, day)
        table = drift_table(reference, window, method=method, threshold=threshold)
        _assert_same(timeline[timeline["period"] == window["date"].iloc[0]], table)


def test_timeline_reproduces_drift_table_with_a_small_reference(shock):
    # below 1001 reference rows Evidently switches to p-value tests: ks, chisquare, and z for two values
    frame = shock.assign(large_loan=np.where(shock["loan_amount"] > 15_000, "yes", "no"))
    reference = frame[frame["day"] < 2]  # 800 rows
    columns = ["income", "credit_score", "loan_term_months", "region", "large_loan"]
    timeline = drift_timeline(reference, frame[frame["day"] >= 88], columns=columns)
    methods = set()
    for day in (88, 95, 120):
        window = _day(frame, day)
        table = drift_table(reference, window, columns=columns)
        methods |= set(table["method"])
        _assert_same(timeline[timeline["period"] == window["date"].iloc[0]], table)
    assert methods == {"ks", "chisquare", "z"}


def test_timeline_shape_and_weekly_windows(shock, reference):
    data = shock[shock["day"] >= 60]
    daily = drift_timeline(reference, data, columns=["income", "region"])
    assert list(daily.columns) == [
        "period", "column", "kind", "method", "score", "threshold", "drifted", "n", "status"
    ]
    assert set(daily["status"]) <= {"drift", "no drift"}  # 400-row days are never "too few rows"
    assert len(daily) == 2 * data["day"].nunique()
    assert (daily["n"] == 400).all()
    assert daily["period"].is_monotonic_increasing
    weekly = drift_timeline(reference, data, freq="W", columns=["income"])
    assert weekly["n"].sum() == len(data)
    assert (weekly["period"].dt.dayofweek == 0).all()  # weeks start on Monday


def test_timeline_detects_the_shock_on_its_first_day(shock, reference):
    timeline = drift_timeline(reference, shock[shock["day"] >= 60], threshold=0.25)
    start = shock.loc[shock["day"] == SCENARIOS["income_shock"].start_day, "date"].iloc[0]
    assert first_alarm(timeline, "income") == start
    summary = alarm_summary(timeline).set_index("column")
    assert summary.loc["income", "drifted_windows"] == 150 - 90
    assert summary.drop(index="income")["alarm"].isna().all()


def test_first_alarm_needs_consecutive_windows():
    days = pd.date_range("2024-01-01", periods=6, freq="D")
    timeline = pd.DataFrame({"period": days, "column": "x", "drifted": [True, False, True, True, True, False]})
    assert first_alarm(timeline, "x") == days[0]
    assert first_alarm(timeline, "x", consecutive=2) == days[3]
    assert first_alarm(timeline, "x", consecutive=3) == days[4]
    assert first_alarm(timeline, "x", consecutive=4) is None
    with pytest.raises(ValueError, match="no rows for column 'y'"):
        first_alarm(timeline, "y")
    with pytest.raises(ValueError, match="consecutive"):
        first_alarm(timeline, "x", consecutive=0)


# ----------------------------------------------------------------------------------------------------------------
# Tiny windows: "too few rows", never drift
# ----------------------------------------------------------------------------------------------------------------
def _thinned(shock, days_with_one_row):
    """Days 60-119 of the shock world, with only one row left on each day of ``days_with_one_row``."""
    data = shock[shock["day"].between(60, 119)]
    tiny = data["day"].isin(days_with_one_row)
    keep = ~tiny | ~data.duplicated("day")  # the first row of each tiny day
    return data[keep]


def test_one_row_windows_are_too_few_rows_not_drift(shock, reference):
    # Days 95-97 are deep in the income shock (it starts on day 90): with 400 rows they drift; with one row they
    # must say "too few rows" for every column, in the timeline, the summary and the alarm.
    data = _thinned(shock, [95, 96, 97])
    timeline = drift_timeline(reference, data, threshold=0.25)
    tiny = timeline[timeline["n"] == 1]
    assert len(tiny) == 3 * len(drift.MONITORED_COLUMNS)
    assert (tiny["status"] == "too few rows").all() and not tiny["drifted"].any() and tiny["score"].isna().all()
    assert (timeline.loc[timeline["n"] == 400, "status"] != "too few rows").all()
    summary = alarm_summary(timeline).set_index("column")
    assert (summary["too_few_rows"] == 3).all()
    start = shock.loc[shock["day"] == 90, "date"].iloc[0]
    assert first_alarm(timeline, "income") == start  # the full days still raise the alarm on day 90


def test_a_one_row_window_never_raises_the_alarm(shock, reference):
    # stable world, one day cut to a single row: before the minimum, every column "drifted" on that day
    stable = simulate_applications("stable", days=100, per_day=400, seed=1)
    data = _thinned(stable, [70])
    timeline = drift_timeline(reference, data, threshold=0.25)
    assert (timeline.loc[timeline["n"] == 1, "status"] == "too few rows").all()
    assert alarm_summary(timeline)["alarm"].isna().all()


def test_too_few_rows_breaks_a_run_of_drifted_windows():
    days = pd.date_range("2024-01-01", periods=5, freq="D")
    timeline = pd.DataFrame({"period": days, "column": "x", "drifted": [True, True, False, True, True],
                             "status": ["drift", "drift", "too few rows", "drift", "drift"]})
    assert first_alarm(timeline, "x", consecutive=2) == days[1]
    assert first_alarm(timeline, "x", consecutive=3) is None  # the gap resets the run, as a missing series would


def test_minimum_window_is_per_method_and_can_be_set(shock, reference):
    assert drift.min_window_rows("ks") == 30 and drift.min_window_rows("psi") == 50
    window = _day(shock, 100).iloc[:40]  # enough for wasserstein (30), not for jensenshannon (50) on region
    with pytest.raises(ValueError, match=r"current has 40 rows: too few rows.*'jensenshannon' \(column 'region'\)"):
        drift_table(reference, window, columns=["income", "region"])
    table = drift_table(reference, window, columns=["income", "region"], min_rows=40)
    assert list(table.columns) == drift.TABLE_COLUMNS
    timeline = drift_timeline(reference, window, columns=["income", "region"])
    assert timeline.set_index("column")["status"].to_dict() == {"income": "drift", "region": "too few rows"}


# ----------------------------------------------------------------------------------------------------------------
# Reports on disk
# ----------------------------------------------------------------------------------------------------------------
def test_save_drift_report_writes_html_below_build(shock, reference):
    path = save_drift_report(reference, _day(shock, 100), "test-reports/drift.html", columns=["income", "region"])
    assert path == BUILD_DIR / "test-reports" / "drift.html"
    assert path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html") or "<html" in path.read_text(
        encoding="utf-8"
    )[:2000].lower()
    with pytest.raises(ValueError, match="below build/"):
        save_drift_report(reference, _day(shock, 100), "/tmp/elsewhere.html")


def test_drift_table_can_save_the_same_run(shock, reference):
    target = BUILD_DIR / "test-reports" / "table.html"
    target.unlink(missing_ok=True)
    drift_table(reference, _day(shock, 100), columns=["income"], report_path="test-reports/table.html")
    assert target.stat().st_size > 10_000


# ----------------------------------------------------------------------------------------------------------------
# Bad input: every error names what is wrong
# ----------------------------------------------------------------------------------------------------------------
def test_missing_column_is_named(shock, reference):
    with pytest.raises(ValueError, match=r"current has no column 'income'"):
        drift_table(reference, _day(shock, 100).drop(columns="income"), columns=MONITORED_COLUMNS)
    with pytest.raises(ValueError, match=r"reference has no column 'salary'"):
        drift_table(reference, _day(shock, 100), columns=["salary"])
    with pytest.raises(ValueError, match=r"data has no column 'when'"):
        drift_timeline(reference, shock, date_column="when")


def test_empty_frames_and_windows_are_refused(shock, reference):
    with pytest.raises(ValueError, match="current is empty"):
        drift_table(reference, shock.iloc[:0])
    with pytest.raises(ValueError, match="reference is empty"):
        drift_timeline(shock.iloc[:0], shock)
    gap = shock[(shock["day"] >= 60) & (shock["day"] != 70)]
    with pytest.raises(ValueError, match=r"1 empty window.*2024-03-11"):
        drift_timeline(reference, gap)


def test_nan_is_refused_with_its_column_count_and_window(shock, reference):
    current = _day(shock, 100).copy()
    current.iloc[:3, current.columns.get_loc("income")] = np.nan
    with pytest.raises(ValueError, match=r"current has missing or infinite values in 'income' \(3 of 400 rows\)"):
        drift_table(reference, current)
    data = shock[shock["day"] >= 60].copy()
    data.loc[data["day"] == 75, "region"] = None
    with pytest.raises(ValueError, match=r"'region' \(400 rows, in window\(s\) 2024-03-16\)"):
        drift_timeline(reference, data)
    ref = reference.copy()
    ref.iloc[0, ref.columns.get_loc("debt_to_income")] = np.inf
    with pytest.raises(ValueError, match=r"reference has missing or infinite values in 'debt_to_income'"):
        drift_table(ref, _day(shock, 100))


def test_unknown_method_lists_the_valid_ones(shock, reference):
    with pytest.raises(ValueError, match=r"unknown drift method 'kolmogorov' \(for column 'income'\); valid .*ks"):
        drift_table(reference, _day(shock, 100), method="kolmogorov")
    with pytest.raises(ValueError, match=r"unknown drift method 'kolmogorov'"):
        drift_timeline(reference, shock, method={"income": "kolmogorov"})


def test_numeric_only_method_on_a_categorical_column_is_refused(shock, reference):
    with pytest.raises(ValueError, match=r"method 'ks' does not apply to column 'region', which is categorical"):
        drift_table(reference, _day(shock, 100), columns=["income", "region"], method="ks")
    with pytest.raises(ValueError, match=r"method 'wasserstein' does not apply to column 'loan_term_months'"):
        drift_timeline(reference, shock, method={"loan_term_months": "wasserstein"})


def test_text_in_a_numerical_column_is_refused(shock, reference):
    current = _day(shock, 100).astype({"income": str})
    with pytest.raises(ValueError, match=r"column 'income' is numerical in the reference but object in current"):
        drift_table(reference, current)


def test_other_bad_arguments(shock, reference):
    current = _day(shock, 100)
    with pytest.raises(ValueError, match=r"threshold for column 'income' must be a positive"):
        drift_table(reference, current, threshold=-0.1)
    with pytest.raises(ValueError, match=r"method names 'salary', which is not among the compared columns"):
        drift_table(reference, current, method={"salary": "ks"})
    with_ids = simulate_applications("income_shock", days=2, per_day=50, seed=0)
    with pytest.raises(ValueError, match=r"column 'application_id' .* is 'text' for Evidently"):
        drift_table(with_ids, with_ids, columns=["application_id"])  # named explicitly: refused, not skipped
    with pytest.raises(ValueError, match="columns is empty"):
        drift_table(reference, current, columns=[])
    with pytest.raises(ValueError, match=r"data column 'day' must hold dates"):
        drift_timeline(reference, shock, date_column="day")
    with pytest.raises(ValueError, match=r"freq 'fortnightly'"):
        drift_timeline(reference, shock, freq="fortnightly")


def test_available_methods_cover_the_issue(shock):
    names = drift.available_methods()
    assert {"ks", "psi", "wasserstein", "jensenshannon", "chisquare"} <= set(names)
    assert "ks" in drift.available_methods("numerical") and "ks" not in drift.available_methods("categorical")


# ----------------------------------------------------------------------------------------------------------------
# The method experiment of notebook 01
# ----------------------------------------------------------------------------------------------------------------
def test_false_alarm_rates_p_values_versus_distances(shock, reference):
    stable = simulate_applications("stable", days=100, per_day=400, seed=1)
    same = drift.false_alarm_rates(stable, "income", sizes=(100, 16000), trials=8, seed=0)
    assert list(same.columns) == ["method", "n", "shift", "threshold", "alarm_rate", "median_score"]
    assert len(same) == 3 * 2 and set(same["threshold"]) == {0.05, 0.1}
    rates = same.set_index(["method", "n"])["alarm_rate"]
    assert rates["wasserstein", 100] >= 0.5 and rates["wasserstein", 16000] == 0  # noise shrinks with n
    shifted = drift.false_alarm_rates(stable, "income", sizes=(16000,), trials=8, shift=0.02, seed=0)
    rates = shifted.set_index("method")["alarm_rate"]
    assert rates["ks"] == 1 and rates["wasserstein"] == 0 and rates["psi"] == 0  # certainty versus size
    again = drift.false_alarm_rates(stable, "income", sizes=(16000,), trials=8, shift=0.02, seed=0)
    pd.testing.assert_frame_equal(shifted, again)


def test_false_alarm_rates_bad_input(shock):
    with pytest.raises(ValueError, match=r"column 'region'.* must be numerical; it is categorical"):
        drift.false_alarm_rates(shock, "region")
    with pytest.raises(ValueError, match=r"sizes \[40000\] need 2 x n <= 60000 rows"):
        drift.false_alarm_rates(shock, "income", sizes=(100, 40000))
    with pytest.raises(ValueError, match="trials must be"):
        drift.false_alarm_rates(shock, "income", trials=0)
    with pytest.raises(ValueError, match="method 'chisquare' does not apply to column 'income'"):
        drift.false_alarm_rates(shock, "income", methods=("ks", "chisquare"))


# ----------------------------------------------------------------------------------------------------------------
# columns=None: every column the frames share, as Evidently's Report compares every column it is given
# ----------------------------------------------------------------------------------------------------------------
def _weather(days, shift, seed):
    rng = np.random.default_rng(seed)
    n = days * 50
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.repeat(np.arange(days), 50), unit="D"),
        "day": np.repeat(np.arange(days), 50),
        "temperature": rng.normal(15 + shift, 5, n),
        "city": rng.choice(["Oslo", "Lima", "Pune"], n),
        "station_id": [f"S{seed}-{i:06d}" for i in range(n)],  # an id: text for Evidently, never compared
    })


def test_columns_none_means_every_shared_column_of_any_frame():
    reference = _weather(40, 0.0, seed=1).assign(only_in_reference=1.5)
    current = _weather(10, 10.0, seed=2).assign(only_in_current="x")
    table = drift_table(reference, current)
    # shared, not a time column (the datetime 'timestamp', 'day'), not an id: temperature and city, reference order
    assert list(table["column"]) == ["temperature", "city"]
    assert table.set_index("column").loc["temperature", "drifted"]  # +10 degrees on a 5-degree spread
    assert not table.set_index("column").loc["city", "drifted"]
    timeline = drift_timeline(reference, current, date_column="timestamp")
    assert set(timeline["column"]) == {"temperature", "city"} and timeline["period"].nunique() == 10
    assert column_types(reference) == {"temperature": "numerical", "city": "categorical",
                                        "only_in_reference": "numerical"}


def test_columns_none_on_the_simulated_world_leaves_out_ids_and_dates():
    world = simulate_applications("stable", days=20, per_day=100, seed=0)
    compared = drift.shared_columns(world[world["day"] < 10], world[world["day"] >= 10])
    # application_id (text), date, label_available_on (datetimes) and day (time) are left out
    assert compared == [*MONITORED_COLUMNS, "group", "defaulted"]


def test_columns_none_with_nothing_to_compare_says_so():
    reference = pd.DataFrame({"day": [1, 2, 3], "a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="share no numerical or categorical column.*columns="):
        drift_table(reference, pd.DataFrame({"day": [4], "b": [1.0]}))


def test_method_facts_live_in_one_table_that_covers_evidentlys_registry():
    """helpers.drift.stattests.METHODS is the one home of per-method facts; the other names are views of it."""
    from helpers.drift import stattests as st

    assert set(st.METHODS) == set(st.available_methods()), "a method was added to or removed from Evidently"
    assert st.P_VALUE_METHODS == {n for n, f in st.METHODS.items() if f.p_value}
    assert set(st.DEFAULT_TESTS) == {st.default_method(k, r, v) for k in ("numerical", "categorical")
                                     for r in (1000, 1001) for v in (2, 5, 50)}
    assert st.MIN_WINDOW_ROWS == {"psi": 50, "jensenshannon": 50, "kl_div": 50, "hellinger": 50}


@pytest.mark.parametrize("method", ["anderson", "cramer_von_mises", "ed", "empirical_mmd", "es", "hellinger",
                                    "jensenshannon", "kl_div", "ks", "mannw", "psi", "t_test", "wasserstein"])
def test_p_value_or_distance_as_evidently_scores_it(method):
    """Worked from what the two kinds of score mean: on two samples of one distribution a p-value is far from 0,
    and on a large shift it is near 0; a distance grows with the shift instead."""
    import numpy as np
    import pandas as pd

    from helpers.drift.stattests import COLUMN_TYPE, METHODS, NUMERICAL, registered_test

    COLUMN_NUMERICAL = COLUMN_TYPE[NUMERICAL]
    rng = np.random.default_rng(0)
    a, b = pd.Series(rng.normal(0, 1, 400)), pd.Series(rng.normal(0, 1, 400))
    test = registered_test(method, NUMERICAL)
    same = test(a, b, COLUMN_NUMERICAL, None).drift_score
    shifted = test(a, b + 3, COLUMN_NUMERICAL, None).drift_score
    if METHODS[method].p_value:
        assert shifted < 0.01 < same, (same, shifted)
    else:
        assert shifted > same, (same, shifted)
