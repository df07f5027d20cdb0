"""helpers.fairness: AIF360 audits reproduce plain counts, the four-fifths rule is exact, bad input is named."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from helpers import fairness
from helpers.data import GERMAN_CREDIT_COLUMNS, data_path, load_german_credit


def _groups_frame(fav_u: int, n_u: int, fav_p: int, n_p: int, unprivileged="B", privileged="A") -> pd.DataFrame:
    """A frame with the given favourable counts per group (outcome 1 = favourable)."""
    return pd.DataFrame(
        {
            "group": [privileged] * n_p + [unprivileged] * n_u,
            "outcome": [1] * fav_p + [0] * (n_p - fav_p) + [1] * fav_u + [0] * (n_u - fav_u),
        }
    )


@pytest.fixture(scope="module")
def german():
    df = load_german_credit()
    df["age_group"] = np.where(df["age"] >= 25, "25+", "under 25")
    return df


@pytest.fixture(scope="module")
def raw_german():
    """The raw file read with plain pandas (no decoding), as an independent reference."""
    return pd.read_csv(data_path("uci_german_credit.data"), sep=" ", header=None, names=GERMAN_CREDIT_COLUMNS)


# ---------------------------------------------------------------------------------------------------------------
# The real data: reference figures
# ---------------------------------------------------------------------------------------------------------------
def test_age_audit_reproduces_reference_figures(german, raw_german):
    result = fairness.audit(german, "good_credit", "age_group", "25+")
    assert result.n_unprivileged == 149 and result.n_privileged == 851
    assert result.rate_unprivileged == pytest.approx(0.590604, abs=1e-6)
    assert result.rate_privileged == pytest.approx(0.719154, abs=1e-6)
    assert result.disparate_impact == pytest.approx(0.821248, abs=1e-6)
    assert result.statistical_parity_difference == pytest.approx(-0.128550, abs=1e-6)
    # the same rates with plain pandas on the raw file (class 1 = good)
    good = raw_german["credit"] == 1
    young = raw_german["age"] < 25
    assert result.rate_unprivileged == pytest.approx(good[young].mean(), abs=1e-12)
    assert result.rate_privileged == pytest.approx(good[~young].mean(), abs=1e-12)
    assert result.disparate_impact == pytest.approx(good[young].mean() / good[~young].mean(), abs=1e-12)
    assert result.passes_four_fifths  # 0.821 >= 0.8
    assert result.impact_ratio == Fraction(88 * 851, 149 * 612)
    assert result.rates == {"25+": result.rate_privileged, "under 25": result.rate_unprivileged}
    assert result.counts == {"25+": 851, "under 25": 149}


def test_sex_audit_reproduces_reference_figures(german, raw_german):
    result = fairness.audit(german, "good_credit", "sex", "male")
    assert result.n_unprivileged == 310
    assert result.disparate_impact == pytest.approx(0.896567, abs=1e-6)
    assert result.statistical_parity_difference == pytest.approx(-0.074801, abs=1e-6)
    female = raw_german["status_sex"].isin(["A92", "A95"])
    good = raw_german["credit"] == 1
    assert result.disparate_impact == pytest.approx(good[female].mean() / good[~female].mean(), abs=1e-12)
    assert result.privileged_group == "male" and result.unprivileged_group == "female"


def test_privileged_may_be_a_list_and_outcome_may_be_strings(german):
    ages = sorted(german.loc[german["age"] >= 25, "age"].unique())
    by_list = fairness.audit(german, "credit", "age", ages, favorable="good")
    by_label = fairness.audit(german, "good_credit", "age_group", "25+")
    assert by_list.disparate_impact == pytest.approx(by_label.disparate_impact, abs=1e-12)
    assert by_list.n_unprivileged == 149


def test_age_gap_significance(german):
    test = fairness.audit(german, "good_credit", "age_group", "25+").significance()
    from scipy.stats import fisher_exact

    assert test.fisher_p_value == pytest.approx(fisher_exact([[88, 61], [612, 239]]).pvalue)
    low, high = test.difference_ci
    assert low < test.difference < high < 0  # the gap is real at 95%
    r_low, r_high = test.ratio_ci
    assert r_low < 0.8 < r_high  # ... but the data cannot tell whether DI is above or below 0.8
    assert test.significant
    assert list(test.table().columns) == ["estimate", "ci_low", "ci_high"]


# ---------------------------------------------------------------------------------------------------------------
# Four-fifths exactness
# ---------------------------------------------------------------------------------------------------------------
def test_four_fifths_boundary_is_exact():
    assert (32 / 100) / (40 / 100) < 0.8  # why floats cannot decide it
    result = fairness.audit(_groups_frame(32, 100, 40, 100), "outcome", "group", "A")
    assert result.impact_ratio == Fraction(4, 5)
    assert result.passes_four_fifths
    assert not fairness.audit(_groups_frame(31, 100, 40, 100), "outcome", "group", "A").passes_four_fifths
    assert fairness.passes_four_fifths(32, 100, 40, 100)
    assert fairness.passes_four_fifths(4, 5, 1, 1)
    assert not fairness.passes_four_fifths(79, 100, 1, 1)


def test_passes_four_fifths_rejects_bad_counts():
    with pytest.raises(ValueError, match="n_unprivileged=0"):
        fairness.passes_four_fifths(0, 0, 1, 2)
    with pytest.raises(ValueError, match="whole numbers"):
        fairness.passes_four_fifths(0.5, 2, 1, 2)


def test_zero_privileged_rate_gives_inf_not_a_warning(recwarn):
    result = fairness.audit(_groups_frame(3, 10, 0, 10), "outcome", "group", "A")
    assert math.isinf(result.disparate_impact)
    assert result.impact_ratio is None
    assert result.passes_four_fifths
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ---------------------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------------------
def test_missing_column_is_named(german):
    with pytest.raises(ValueError, match="no column 'gender'"):
        fairness.audit(german, "good_credit", "gender", "male")


def test_privileged_value_that_does_not_occur_is_named_with_values_present(german):
    with pytest.raises(ValueError, match=r"privileged value 'Male' does not occur in column 'sex'.*'female', 'male'"):
        fairness.audit(german, "good_credit", "sex", "Male")
    with pytest.raises(ValueError, match="privileged value 'nonbinary'"):
        fairness.audit(german, "good_credit", "sex", ["male", "nonbinary"])
    with pytest.raises(ValueError, match=r"privileged value 17 does not occur in column 'age'.*values present: 19, 20"):
        fairness.audit(german, "good_credit", "age", [17, 25])


def test_no_unprivileged_rows():
    frame = _groups_frame(0, 0, 3, 5)
    with pytest.raises(ValueError, match="no unprivileged group"):
        fairness.audit(frame, "outcome", "group", "A")


def test_nan_is_named(german):
    frame = german[["good_credit", "sex"]].copy()
    frame.loc[3, "sex"] = None
    with pytest.raises(ValueError, match=r"NaN.*'sex' \(1 of 1000 rows\)"):
        fairness.audit(frame, "good_credit", "sex", "male")


def test_non_binary_outcome_is_named(german):
    with pytest.raises(ValueError, match=r"column 'installment_rate' .* must be binary .* found values 1, 2, 3, 4"):
        fairness.audit(german, "installment_rate", "sex", "male")
    with pytest.raises(ValueError, match="column 'purpose' .* must be binary"):
        fairness.audit(german, "purpose", "sex", "male", favorable="business")
    with pytest.raises(ValueError, match="favourable value 1 does not occur in column 'credit'"):
        fairness.audit(german, "credit", "sex", "male")


def test_empty_frame():
    with pytest.raises(ValueError, match="empty"):
        fairness.audit(pd.DataFrame({"outcome": [], "group": []}), "outcome", "group", "A")


# ---------------------------------------------------------------------------------------------------------------
# Classifier audit and Reweighing
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def decisions():
    rng = np.random.default_rng(1)
    n = 2000
    group = np.where(rng.uniform(size=n) < 0.3, "minority", "majority")
    repaid = (rng.uniform(size=n) < np.where(group == "minority", 0.7, 0.8)).astype(int)
    approved = np.where(rng.uniform(size=n) < 0.8, repaid, 1 - repaid)
    approved = np.where((group == "minority") & (rng.uniform(size=n) < 0.1), 0, approved)
    return pd.DataFrame({"group": group, "repaid": repaid, "approved": approved})


def test_classification_audit_matches_plain_rates(decisions):
    result = fairness.classification_audit(decisions, "repaid", "approved", "group", "majority")

    def rates(g):
        d = decisions[decisions.group == g]
        tpr = d.loc[d.repaid == 1, "approved"].mean()
        fpr = d.loc[d.repaid == 0, "approved"].mean()
        return tpr, fpr, d.approved.mean()

    tpr_p, fpr_p, sel_p = rates("majority")
    tpr_u, fpr_u, sel_u = rates("minority")
    assert result.equal_opportunity_difference == pytest.approx(tpr_u - tpr_p)
    assert result.average_odds_difference == pytest.approx(((fpr_u - fpr_p) + (tpr_u - tpr_p)) / 2)
    assert result.disparate_impact == pytest.approx(sel_u / sel_p)
    assert result.by_group.loc["minority", "tpr"] == pytest.approx(tpr_u)
    assert result.by_group.loc["majority", "fpr"] == pytest.approx(fpr_p)
    assert result.accuracy == pytest.approx((decisions.repaid == decisions.approved).mean())
    assert set(result.as_dict()) >= {"equal_opportunity_difference", "average_odds_difference", "disparate_impact"}


def test_classification_audit_needs_both_outcomes_per_group(decisions):
    frame = decisions.copy()
    frame.loc[frame.group == "minority", "repaid"] = 1
    with pytest.raises(ValueError, match="group 'minority' .* no row with the unfavourable true outcome"):
        fairness.classification_audit(frame, "repaid", "approved", "group", "majority")


def test_reweigh_makes_outcome_independent_of_group(decisions):
    weights = fairness.reweigh(decisions, "repaid", "group", "majority")
    assert isinstance(weights, np.ndarray) and weights.shape == (len(decisions),)
    frame = decisions.assign(w=weights)
    weighted = frame.groupby("group").apply(lambda d: np.average(d.repaid, weights=d.w), include_groups=False)
    assert weighted["minority"] == pytest.approx(weighted["majority"])
    assert weights.sum() == pytest.approx(len(decisions))
    # aligned with rows: every (group, outcome) cell gets one weight, P(g) P(y) / P(g, y)
    cell = frame[(frame.group == "minority") & (frame.repaid == 1)]
    expected = (frame.group == "minority").mean() * (frame.repaid == 1).mean() / len(cell) * len(frame)
    assert np.allclose(cell.w, expected)


def test_reweigh_rejects_an_empty_cell(decisions):
    frame = decisions.copy()
    frame.loc[frame.group == "minority", "repaid"] = 0
    with pytest.raises(ValueError, match="group 'minority' .* favourable outcome in 'repaid'"):
        fairness.reweigh(frame, "repaid", "group", "majority")


# ---------------------------------------------------------------------------------------------------------------
# Timeline and the persistence rule
# ---------------------------------------------------------------------------------------------------------------
def _daily(rates_u: list[float | None], n: int = 100, rate_p: float = 0.5) -> pd.DataFrame:
    """One block of rows per day; rate None = no unprivileged rows that day."""
    frames = []
    for day, rate in enumerate(rates_u):
        fav_p = int(round(rate_p * n))
        block = _groups_frame(0 if rate is None else int(round(rate * n)), 0 if rate is None else n, fav_p, n,
                              unprivileged="minority", privileged="majority")
        block["date"] = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
        block["day"] = day
        frames.append(block)
    return pd.concat(frames, ignore_index=True)


def test_timeline_one_row_per_day_with_empty_groups_reported():
    frame = _daily([0.5, 0.39, None, 0.40, 0.3])
    timeline = fairness.fairness_timeline(frame, "outcome", "group", "majority").frame
    assert list(timeline["period"].dt.day) == [1, 2, 3, 4, 5]
    assert list(timeline["status"]) == ["ok", "breach", "no minority rows", "ok", "breach"]
    assert timeline.loc[3, "passes_four_fifths"]  # 40/100 vs 50/100 is exactly 0.8
    assert pd.isna(timeline.loc[2, "disparate_impact"]) and pd.isna(timeline.loc[2, "breach"])
    assert timeline.loc[1, "disparate_impact"] == pytest.approx(0.78)


def test_timeline_fills_days_without_rows():
    frame = _daily([0.5, 0.5, 0.5])
    frame = frame[frame.day != 1]
    timeline = fairness.fairness_timeline(frame, "outcome", "group", "majority").frame
    assert list(timeline["status"]) == ["ok", "no rows", "ok"]
    by_day = fairness.fairness_timeline(frame, "outcome", "group", "majority", date_column="day").frame
    assert list(by_day["period"]) == [0, 1, 2] and by_day.loc[1, "status"] == "no rows"


def test_weekly_timeline():
    frame = _daily([0.5] * 14)
    weekly = fairness.fairness_timeline(frame, "outcome", "group", "majority", freq="W").frame
    assert weekly["n_unprivileged"].sum() == 1400 and len(weekly) == 2  # Monday 2024-01-01 to Sunday: two weeks
    assert list(weekly["period"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]


def test_timeline_verdicts_use_its_one_line():
    # One line in one place: a timeline built at 0.7 judges 0.3/0.5 = 0.6 a breach and 0.375/0.5 = 0.75 not,
    # and records the line it used; 0.4/0.5 is exactly 0.8, so at the default line it is not a breach.
    timeline = fairness.fairness_timeline(_daily([0.5, 0.3, 0.375]), "outcome", "group", "majority", threshold=0.7)
    assert list(timeline.frame["status"]) == ["ok", "breach", "ok"] and timeline.threshold == 0.7
    exact = fairness.fairness_timeline(_daily([0.4]), "outcome", "group", "majority").frame
    assert list(exact["status"]) == ["ok"] and not exact.loc[0, "breach"]


def test_timeline_bad_input():
    frame = _daily([0.5, 0.5])
    with pytest.raises(ValueError, match="no column 'when'"):
        fairness.fairness_timeline(frame, "outcome", "group", "majority", date_column="when")
    with pytest.raises(ValueError, match="privileged value 'white'"):
        fairness.fairness_timeline(frame, "outcome", "group", "white")
    with pytest.raises(ValueError, match="column 'group' must hold dates"):
        fairness.fairness_timeline(frame, "outcome", "group", "majority", date_column="group")
    with pytest.raises(ValueError, match="freq 'fortnightly'"):
        fairness.fairness_timeline(frame, "outcome", "group", "majority", freq="fortnightly")
    with pytest.raises(ValueError, match=r"threshold must be a disparate-impact ratio in \(0, 1\]"):
        fairness.fairness_timeline(frame, "outcome", "group", "majority", threshold=0)


# ---------------------------------------------------------------------------------------------------------------
# Import hygiene
# ---------------------------------------------------------------------------------------------------------------
def test_import_leaves_root_logger_untouched_and_stderr_clean():
    code = (
        "import logging\n"
        "root = logging.getLogger()\n"
        "before = (list(root.handlers), root.level)\n"
        "import helpers.fairness\n"
        "assert 'aif360.metrics' in __import__('sys').modules\n"
        "after = (list(root.handlers), root.level)\n"
        "assert after == before, (before, after)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize("in_the_block", [True, False])
def test_aif360_imported_in_the_block_is_quiet_and_leaves_the_root_logger_as_it_was(in_the_block):
    # what notebooks 00 and 03 do: the block first (helpers.runtime does not import AIF360), then AIF360's classes;
    # without the block AIF360's import warnings reach stderr, and its basicConfig handler formats later warnings
    code = (
        "import logging\n"
        "root = logging.getLogger()\n"
        "before = (list(root.handlers), root.level)\n"
        "from helpers.runtime import importing_aif360\n"
        "assert 'aif360' not in __import__('sys').modules\n"
        f"with importing_aif360() if {in_the_block} else __import__('contextlib').nullcontext():\n"
        "    from aif360.datasets import BinaryLabelDataset\n"
        "    from aif360.metrics import ClassificationMetric\n"
        "print((list(root.handlers), root.level) == before)\n"
        "logging.getLogger('elsewhere').warning('a later warning')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    if in_the_block:  # only Python's last-resort handler speaks (bare message): nothing else was printed or left
        assert done.stdout == "True\n" and done.stderr == "a later warning\n", (done.stdout, done.stderr)
    else:
        assert done.stdout == "False\n" and "WARNING:elsewhere:a later warning" in done.stderr


def test_tpr_and_fpr_gaps_are_reported_apart_and_average_to_the_odds_difference():
    """Worked by hand: 10 people per group; the average odds difference is the mean of the two gaps."""
    import pandas as pd

    from helpers.fairness import classification_audit

    # privileged: 6 good (5 approved), 4 bad (1 approved): TPR 5/6, FPR 1/4
    # unprivileged: 5 good (3 approved), 5 bad (2 approved): TPR 3/5, FPR 2/5
    label = [1] * 6 + [0] * 4 + [1] * 5 + [0] * 5
    approved = [1] * 5 + [0] + [1] + [0] * 3 + [1] * 3 + [0] * 2 + [1] * 2 + [0] * 3
    df = pd.DataFrame({"good": label, "approved": approved, "group": ["p"] * 10 + ["u"] * 10})
    result = classification_audit(df, label="good", prediction="approved", protected="group", privileged="p")
    assert abs(result.tpr_gap - (3 / 5 - 5 / 6)) < 1e-12
    assert abs(result.fpr_gap - (2 / 5 - 1 / 4)) < 1e-12
    assert abs(result.tpr_gap - result.equal_opportunity_difference) < 1e-12
    assert abs((result.tpr_gap + result.fpr_gap) / 2 - result.average_odds_difference) < 1e-12
