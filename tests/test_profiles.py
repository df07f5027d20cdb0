"""Mergeable profiles: every engine gives pandas' counts exactly, merging is associative and commutative, and the
statistics from merged profiles equal Evidently's (and plain pandas') on the same windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers.drift.stattests import COLUMN_TYPE, stattest
from helpers.labels import observed_outcomes
from helpers.models import decide, train_baseline
from helpers.paths import build_path
from helpers.profiles import (
    ENGINES,
    Profile,
    chi_square,
    disparate_impact,
    jensen_shannon,
    make_spec,
    merge,
    merge_all,
    observed_performance,
    partition_of,
    profile_dask,
    profile_duckdb,
    profile_frame,
    profile_pandas,
    psi,
    sketch_ks,
    write_partitions,
)
from helpers.world import simulate_applications

NUMERIC = ["income", "debt_to_income", "credit_score", "loan_amount"]
CATEGORICAL = ["region", "loan_term_months"]


@pytest.fixture(scope="module")
def lender_data():
    """15 weeks of the neighbourhood shock (from day 90) as a lender records it: observed outcomes, no oracle."""
    world = simulate_applications("neighbourhood_shock", days=105, per_day=40, seed=3)
    decisions = decide(train_baseline(world[world["day"] < 56], seed=3), world)
    decisions["observed_default"] = observed_outcomes(decisions, as_of=world["date"].max())
    decisions["week"] = decisions["day"] // 7
    return decisions.drop(columns=["defaulted"])


@pytest.fixture(scope="module")
def spec(lender_data):
    return make_spec(lender_data[lender_data["week"] < 8], NUMERIC, CATEGORICAL)


@pytest.fixture(scope="module")
def paths(lender_data):
    return write_partitions(lender_data, build_path("test-profiles", "applications"), by=("week", "group"))


@pytest.fixture(scope="module")
def by_engine(paths, spec):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    with cluster, Client(cluster) as client:
        dask_profiles = profile_dask(paths, spec, client)
        by_address = profile_dask(paths, spec, cluster.scheduler_address)  # as a real cluster is reached
    return {"pandas": profile_pandas(paths, spec), "duckdb": profile_duckdb(paths, spec), "dask": dask_profiles,
            "dask by address": by_address}  # fmt: skip


def window(profiles: dict, first: int, last: int) -> Profile:
    return merge_all(p for name, p in profiles.items() if first <= partition_of(name)["week"] <= last)


def test_partitions_hold_every_row_once(lender_data, paths):
    assert len(paths) == 15 * 2
    assert sum(len(pd.read_parquet(p, partitioning=None)) for p in paths) == len(lender_data)
    assert partition_of(paths[0]) == {"week": 0, "group": "majority"}


@pytest.mark.parametrize("engine", [*(e for e in ENGINES if e != "pandas"), "dask by address"])
def test_every_engine_gives_the_pandas_counts_exactly(by_engine, engine):
    expected, got = by_engine["pandas"], by_engine[engine]
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name].counts == expected[name].counts, name
        assert got[name].sketch("income").n == expected[name].rows


def test_merged_partitions_equal_the_profile_of_the_whole(lender_data, by_engine, spec):
    whole = profile_frame(lender_data, spec)
    merged = merge_all(by_engine["pandas"].values())
    assert merged.counts == whole.counts
    assert merged.rows == len(lender_data) == merged.sketch("credit_score").n
    # hand-countable parts of the same profile
    assert merged.counts[("group", "minority", "approved")] == int(
        lender_data.loc[lender_data["group"] == "minority", "approved"].sum()
    )
    assert merged.counts[("category", "region", "harbour")] == int((lender_data["region"] == "harbour").sum())


def _frames(draw_values):
    """Small frames with every column a profile reads; observed outcomes NaN where unobserved."""
    return st.lists(
        st.tuples(
            st.floats(-5, 5, allow_nan=False),
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["x", "y"]),
            st.integers(0, 1),
            st.sampled_from([0.0, 1.0, np.nan]),
        ),
        max_size=draw_values,
    ).map(lambda rows: pd.DataFrame(rows, columns=["v", "region", "group", "approved", "observed_default"]))


SMALL_SPEC = make_spec(pd.DataFrame({"v": np.linspace(-3, 3, 50), "region": "a"}), ["v"], ["region"], bins=4)


@settings(max_examples=60, deadline=None)
@given(_frames(12), _frames(12), _frames(12))
def test_merging_is_associative_and_commutative(a, b, c):
    pa, pb, pc = (profile_frame(f, SMALL_SPEC) for f in (a, b, c))
    assert merge(pa, pb).counts == merge(pb, pa).counts
    assert merge(merge(pa, pb), pc).counts == merge(pa, merge(pb, pc)).counts
    whole = profile_frame(pd.concat([f for f in (a, b, c) if len(f)] or [a], ignore_index=True), SMALL_SPEC)
    merged = merge_all([pa, pb, pc])
    assert {k: n for k, n in merged.counts.items() if n} == {k: n for k, n in whole.counts.items() if n}
    assert merged.sketch("v").n == len(a) + len(b) + len(c)


def _evidently(method: str, reference: pd.Series, current: pd.Series) -> float:
    test = stattest(method, "categorical", reference)
    return float(test(reference, current, COLUMN_TYPE["categorical"], None).drift_score)


@pytest.mark.parametrize("method,ours", [("psi", psi), ("jensenshannon", jensen_shannon), ("chisquare", chi_square)])
@pytest.mark.parametrize("weeks", [(8, 9), (13, 14), (0, 14)])
def test_merged_statistics_equal_evidentlys(lender_data, by_engine, spec, method, ours, weeks):
    reference, current = window(by_engine["dask"], 0, 7), window(by_engine["dask"], *weeks)
    ref_rows = lender_data[lender_data["week"] <= 7]
    cur_rows = lender_data[lender_data["week"].between(*weeks)]
    for column in CATEGORICAL:  # Evidently's categorical statistic on the raw column
        expected = _evidently(method, ref_rows[column], cur_rows[column])
        assert ours(reference, current, column) == pytest.approx(expected, rel=1e-9, abs=1e-12), column
    edges = np.asarray(spec.edges["income"])  # on a numeric feature: Evidently's statistic of the binned feature
    binned = [pd.Series(np.searchsorted(edges, f["income"], side="right")) for f in (ref_rows, cur_rows)]
    expected = _evidently(method, *binned)
    assert ours(reference, current, "income") == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_disparate_impact_and_observed_performance_equal_pandas(lender_data, by_engine):
    rows = lender_data[lender_data["week"].between(13, 14)]
    result = disparate_impact(window(by_engine["duckdb"], 13, 14), "majority", "minority")
    rates = rows.groupby("group")["approved"].mean()
    assert result["ratio"] == pytest.approx(rates["minority"] / rates["majority"], rel=1e-12)
    assert result["low"] < result["ratio"] < result["high"]
    early = lender_data[lender_data["week"] <= 9]
    table = observed_performance(window(by_engine["duckdb"], 0, 9))
    known = early[early["approved"] == 1].dropna(subset=["observed_default"])
    assert table.loc["all", "observed_default_rate"] == pytest.approx(known["observed_default"].mean(), rel=1e-12)
    assert table.loc["all", "declined"] == int((early["approved"] == 0).sum())
    assert table.loc["all", "approved_pending"] == int(
        ((early["approved"] == 1) & early["observed_default"].isna()).sum()
    )


def test_sketch_ks_is_within_its_error_of_the_exact_d(lender_data, by_engine):
    ref_rows, cur_rows = lender_data[lender_data["week"] <= 7], lender_data[lender_data["week"] >= 13]
    exact = stats.ks_2samp(ref_rows["income"], cur_rows["income"]).statistic
    approx = sketch_ks(window(by_engine["pandas"], 0, 7), window(by_engine["pandas"], 13, 14), "income")
    assert abs(approx["d"] - exact) <= approx["error"]
    assert approx["rejects"] and approx["k"] == 200


def test_bad_input_names_what_is_wrong(lender_data, spec, paths):
    with pytest.raises(ValueError, match="debt_to_income"):
        profile_frame(lender_data.drop(columns=["debt_to_income"]), spec)
    with pytest.raises(ValueError, match="income"):
        profile_frame(lender_data.assign(income=np.nan), spec)
    with pytest.raises(ValueError, match="'approved'.*0 or 1"):
        profile_frame(lender_data.assign(approved=2), spec)
    with pytest.raises(ValueError, match="bins"):
        make_spec(lender_data, NUMERIC, bins=1)
    with pytest.raises(ValueError, match="sketch_k"):
        make_spec(lender_data, NUMERIC, sketch_k=70000)
    full = profile_frame(lender_data, spec)
    with pytest.raises(ValueError, match="reference profile is empty"):
        psi(Profile(), full, "income")
    with pytest.raises(ValueError, match="'employment_years' is not in the profile"):
        psi(full, full, "employment_years")
    with pytest.raises(ValueError, match="group 'nobody'"):
        disparate_impact(full, "majority", "nobody")
    with pytest.raises(ValueError, match="scheduler"):
        profile_dask(paths, spec, scheduler=None)
    with pytest.raises(ValueError, match="paths is empty"):
        profile_pandas([], spec)
    with pytest.raises(FileNotFoundError, match="no Parquet file"):
        profile_duckdb([build_path("test-profiles", "missing.parquet")], spec)
    with pytest.raises(KeyError, match="no sketch for 'region'"):
        full.sketch("region")


@pytest.mark.parametrize("k", [50, 200, 2000])
def test_sketch_ks_decides_as_datasketches_and_stays_within_its_error(k):
    """``rejects`` is DataSketches' own ks_test; ``d > floor`` is its rule read from kolmogorov_smirnov_impl.hpp."""
    rng = np.random.default_rng(k)
    for shift in (0.0, 0.05, 0.1, 0.2, 0.3, 1.0):
        x, y = rng.normal(size=20_000), rng.normal(loc=shift, size=30_000)
        reference = profile_frame(_one_column(x), small_spec(k))
        current = profile_frame(_one_column(y), small_spec(k))
        result = sketch_ks(reference, current, "v")
        assert result["rejects"] == (result["d"] > result["floor"]), (shift, result)
        assert abs(result["d"] - stats.ks_2samp(x, y).statistic) <= result["error"], (shift, result)
    assert result["rejects"]  # a one-sd shift (D about 0.38) is seen by every sketch size


def _one_column(values) -> pd.DataFrame:
    return pd.DataFrame({"v": values, "region": "a", "group": "x", "approved": 1, "observed_default": np.nan})


def small_spec(k):  # SMALL_SPEC with another sketch size
    return make_spec(pd.DataFrame({"v": np.linspace(-3, 3, 50), "region": "a"}), ["v"], ["region"], bins=4, sketch_k=k)
