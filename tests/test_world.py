"""The simulated world: deterministic, validated, fast enough, and each scenario does what SCENARIOS says."""

import numpy as np
import pandas as pd
import pytest

from helpers.fairness import audit
from helpers.models import decide, train_baseline
from helpers.world import APPLICANT_FEATURES as FEATURES
from helpers.world import LABEL_DELAY_DAYS, REGIONS, SCENARIOS, Scenario, scenario_table, simulate_applications


@pytest.fixture(scope="module")
def worlds():
    return {name: simulate_applications(name, days=150, per_day=300, seed=1) for name in SCENARIOS}


def test_columns_and_types(worlds):
    df = worlds["stable"]
    for column in ["date", "group", "defaulted", "label_available_on", *FEATURES]:
        assert column in df.columns
    assert len(df) == 150 * 300
    assert set(df["group"]) == {"majority", "minority"}
    assert set(df["defaulted"]) == {0, 1}
    assert df["credit_score"].between(300, 850).all()
    assert (df["label_available_on"] - df["date"] == pd.Timedelta(days=LABEL_DELAY_DAYS)).all()
    assert not df[FEATURES].isna().any().any()


def test_same_arguments_same_frame_and_seeds_differ():
    a = simulate_applications("income_shock", days=20, per_day=50, seed=3)
    b = simulate_applications("income_shock", days=20, per_day=50, seed=3)
    c = simulate_applications("income_shock", days=20, per_day=50, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["income"].equals(c["income"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scenario": "recession"}, "valid scenarios are: stable, income_shock, concept_shift, proxy_bias"),
        ({"days": 0}, "days must be a whole number >= 1"),
        ({"per_day": -5}, "per_day must be a whole number >= 1"),
        ({"days": 2.5}, "days must be a whole number >= 1"),
    ],
)
def test_bad_arguments_name_what_is_valid(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_applications(**kwargs)


def test_scenarios_share_applicants_before_the_shift(worlds):
    before = {name: df[df["day"] < 90] for name, df in worlds.items()}
    for name in SCENARIOS:
        pd.testing.assert_frame_equal(before[name], before["stable"], obj=name)


def test_income_shock_moves_income_by_the_documented_amount(worlds):
    truth = SCENARIOS["income_shock"]
    shocked, stable = worlds["income_shock"], worlds["stable"]
    after = shocked["day"] >= truth.start_day
    drop = 1 - shocked.loc[after, "income"].sum() / stable.loc[after, "income"].sum()
    assert drop == pytest.approx(truth.details["mean_income_drop"], abs=0.015)
    by_region = 1 - shocked[after].groupby("region")["income"].sum() / stable[after].groupby("region")["income"].sum()
    assert by_region.idxmax() == "harbour" and by_region.idxmin() == "north"
    # defaults rise only from the concept-drift day
    between = (shocked["day"] >= truth.start_day) & (shocked["day"] < truth.concept_drift_day)
    assert shocked.loc[between, "defaulted"].mean() == pytest.approx(stable.loc[between, "defaulted"].mean(), abs=0.01)
    late = shocked["day"] >= truth.concept_drift_day
    assert shocked.loc[late, "defaulted"].mean() > stable.loc[late, "defaulted"].mean() + 0.05


def test_concept_shift_keeps_inputs_and_changes_outcomes(worlds):
    shifted, stable = worlds["concept_shift"], worlds["stable"]
    pd.testing.assert_frame_equal(shifted[FEATURES], stable[FEATURES])
    after = shifted["day"] >= SCENARIOS["concept_shift"].start_day
    assert shifted.loc[after, "defaulted"].mean() > stable.loc[after, "defaulted"].mean() + 0.05


def test_proxy_bias_shifts_debt_to_income_only_in_the_named_regions(worlds):
    truth = SCENARIOS["proxy_bias"]
    biased, stable = worlds["proxy_bias"], worlds["stable"]
    diff = biased["debt_to_income"] - stable["debt_to_income"]
    affected = biased["region"].isin(truth.details["regions"]) & (biased["day"] >= truth.start_day)
    assert (diff[~affected] == 0).all()
    assert diff[affected].mean() == pytest.approx(truth.details["dti_increase"], abs=0.02)
    pd.testing.assert_series_equal(biased["defaulted"], stable["defaulted"])  # true risk unchanged


def test_proxy_bias_pushes_a_pre_shift_model_below_four_fifths(worlds):
    df = worlds["proxy_bias"]
    model = train_baseline(df[df["day"] < 60])
    decided = decide(model, df)
    rates = decided.assign(after=decided["day"] >= 90).groupby(["after", "group"])["approved"].mean()
    assert rates[False]["minority"] / rates[False]["majority"] > 0.9
    assert rates[True]["minority"] / rates[True]["majority"] < 0.8


def test_scenario_table_lists_every_scenario():
    table = scenario_table()
    assert list(table["scenario"]) == list(SCENARIOS)
    assert table.loc[table["scenario"] == "stable", "start_day"].isna().all()


def test_minority_scores_follow_lower_fico_distribution(worlds):
    df = worlds["stable"]
    medians = df.groupby("group")["credit_score"].median()
    assert medians["minority"] < medians["majority"]
    assert np.isclose(df["group"].eq("minority").mean(), 0.28, atol=0.02)


# ----------------------------------------------------------------------------------------------------------------
# neighbourhood_shock: the lesson's opening scenario. Expected values follow from the documented change by hand:
# reported income x (1 - drop), reported debt-to-income x factor / (1 - drop), true risk unchanged outside the two
# hard-hit regions and higher (same uniform draw, larger log-odds) inside them.
# ----------------------------------------------------------------------------------------------------------------
def test_neighbourhood_shock_hits_the_regions_where_most_minority_applicants_live():
    truth = SCENARIOS["neighbourhood_shock"]
    regions = REGIONS.set_index("region")
    minority = regions["share"] * regions["minority_share"]  # share of all applicants: minority and from the region
    hit = list(truth.details["hard_hit_regions"])
    # by hand: (0.15 x 0.55 + 0.15 x 0.65) / (0.025 + 0.0375 + 0.04 + 0.0825 + 0.0975) = 0.18 / 0.2825 = 0.637
    assert minority[hit].sum() / minority.sum() == pytest.approx(0.637, abs=0.001)
    drops = truth.details["income_drop_by_region"]
    assert set(drops) == set(regions.index)
    assert min(drops[r] for r in hit) > max(d for r, d in drops.items() if r not in hit)


def test_neighbourhood_shock_changes_reported_income_and_debt_from_its_start_day(worlds):
    truth = SCENARIOS["neighbourhood_shock"]
    shocked, stable = worlds["neighbourhood_shock"], worlds["stable"]
    assert truth.start_day == truth.concept_drift_day == 90
    assert set(truth.drifted_features) == {"income", "debt_to_income"}
    after = shocked["day"] >= truth.start_day
    unchanged = [c for c in shocked.columns if c not in truth.drifted_features]
    pd.testing.assert_frame_equal(shocked.loc[:, unchanged].drop(columns="defaulted"),
                                  stable.loc[:, unchanged].drop(columns="defaulted"))  # no feed, no other column
    moved = ["income", "debt_to_income"]
    assert (shocked.loc[~after, moved] == stable.loc[~after, moved]).all().all()
    hit = shocked["region"].isin(truth.details["hard_hit_regions"])
    drop = shocked["region"].map(truth.details["income_drop_by_region"])
    factor = np.where(hit, truth.details["debt_factor_hard_hit"], 1.0)
    # incomes are rounded to 10: allow one rounding step on each side
    expected_income = stable["income"] * (1 - drop)
    assert (shocked.loc[after, "income"] - expected_income[after]).abs().max() <= 10
    expected_dti = np.clip(stable["debt_to_income"] * factor / (1 - drop), 0.01, 0.95)
    assert (shocked.loc[after, "debt_to_income"] - expected_dti[after]).abs().max() <= 0.005


def test_neighbourhood_shock_raises_true_risk_only_in_the_hard_hit_regions(worlds):
    truth = SCENARIOS["neighbourhood_shock"]
    shocked, stable = worlds["neighbourhood_shock"], worlds["stable"]
    inside = shocked["region"].isin(truth.details["hard_hit_regions"]) & (shocked["day"] >= truth.start_day)
    pd.testing.assert_series_equal(shocked.loc[~inside, "defaulted"], stable.loc[~inside, "defaulted"])
    assert (shocked.loc[inside, "defaulted"] >= stable.loc[inside, "defaulted"]).all()  # same draw, larger log-odds
    assert shocked.loc[inside, "defaulted"].mean() > stable.loc[inside, "defaulted"].mean()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neighbourhood_shock_pushes_a_pre_shift_model_below_four_fifths_only_after_the_shock(seed):
    df = simulate_applications("neighbourhood_shock", days=150, per_day=300, seed=seed)
    model = train_baseline(df[df["day"] < 60], seed=seed)
    decided = decide(model, df[df["day"] >= 60])
    before = audit(decided[decided["day"] < 90], "approved", "group", "majority")
    after = audit(decided[decided["day"] >= 90], "approved", "group", "majority")
    assert before.passes_four_fifths and before.disparate_impact > 0.9
    assert not after.passes_four_fifths and after.disparate_impact < 0.75


def test_neighbourhood_shock_is_deterministic():
    a = simulate_applications("neighbourhood_shock", days=100, per_day=40, seed=5)
    b = simulate_applications("neighbourhood_shock", days=100, per_day=40, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["scenario"] == "neighbourhood_shock"


def test_every_scenario_that_changes_the_world_carries_its_change_beside_its_ground_truth():
    for truth in SCENARIOS.values():
        assert (truth.change is None) == (truth.start_day is None), truth.name


def test_a_scenario_of_ones_own_is_applied_and_changes_only_what_it_documents():
    # a learner's scenario: from day 3, applications from north report 10% more income; nothing else changes
    def north_overstates(world, truth):
        north = world.after & (world.region == "north")
        world.observed_income = np.where(north, world.income * (1 + truth.details["overstatement"]), world.income)

    mine = Scenario(name="north_overstates", description="north reports 10% more income from day 3",
                    start_day=3, drifted_features=("income",), details={"overstatement": 0.10},
                    change=north_overstates)
    changed = simulate_applications(mine, days=6, per_day=200, seed=1)
    control = simulate_applications("stable", days=6, per_day=200, seed=1)
    assert changed.attrs["scenario"] == "north_overstates"
    moved = (changed["day"] >= 3) & (changed["region"] == "north")
    assert moved.sum() > 0
    ratio = changed.loc[moved, "income"] / control.loc[moved, "income"]
    assert ratio.between(1.09, 1.11).all()  # rounding to tens of currency units aside
    pd.testing.assert_frame_equal(changed.loc[~moved], control.loc[~moved])
    pd.testing.assert_frame_equal(changed.drop(columns="income"), control.drop(columns="income"))
