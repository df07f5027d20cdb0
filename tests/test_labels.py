"""helpers.labels: what a lender observes, worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.labels import (
    accuracy_as_known,
    expected_accuracy,
    exploration_cost,
    explore,
    holdout_estimate,
    holdout_timeline,
    observed_outcomes,
)


def _decisions():
    return pd.DataFrame(
        {
            "approved": [1, 1, 0, 1, 0],
            "defaulted": [0, 1, 1, 1, 0],
            "label_available_on": pd.to_datetime(
                ["2024-02-01", "2024-02-02", "2024-02-01", "2024-03-01", "2024-01-15"]
            ),
        },
        index=[10, 11, 12, 13, 14],
    )


def test_declined_applicants_have_no_observed_outcome():
    observed = observed_outcomes(_decisions())
    assert observed.index.tolist() == [10, 11, 12, 13, 14] and observed.name == "observed_default"
    assert observed.tolist()[:2] == [0.0, 1.0] and observed.tolist()[3] == 1.0
    assert math.isnan(observed[12]) and math.isnan(observed[14])


def test_as_of_hides_outcomes_not_yet_on_record():
    observed = observed_outcomes(_decisions(), as_of="2024-02-01")
    assert observed[10] == 0.0
    assert observed[[11, 12, 13, 14]].isna().all()


@pytest.mark.parametrize("column", ["approved", "defaulted", "label_available_on"])
def test_a_missing_column_is_named(column):
    with pytest.raises(ValueError, match=repr(column)):
        observed_outcomes(_decisions().drop(columns=column))


@pytest.mark.parametrize("as_of", ["", 5, "not a date"])
def test_a_bad_as_of_is_named(as_of):
    with pytest.raises(ValueError, match="as_of"):
        observed_outcomes(_decisions(), as_of=as_of)


def test_approved_must_be_zero_or_one():
    frame = _decisions().assign(approved=[1, 2, 0, 1, 0])
    with pytest.raises(ValueError, match="'approved' must hold 0 or 1"):
        observed_outcomes(frame)


def test_expected_accuracy_by_hand():
    # p >= 0.5 predicts default (right with probability p), else repay (right with 1 - p): 0.9, 0.6, 0.8, 0.5
    assert expected_accuracy([0.1, 0.4, 0.8, 0.5], threshold=0.5) == pytest.approx((0.9 + 0.6 + 0.8 + 0.5) / 4)
    assert expected_accuracy(np.array([0.3]), threshold=0.25) == pytest.approx(0.3)


@pytest.mark.parametrize(
    "probabilities, pattern",
    [([0.2, float("nan")], "NaN"), ([0.2, 1.2], r"\[0, 1\]"), ([-0.1], r"\[0, 1\]"), ([], "empty")],
)
def test_expected_accuracy_refuses_bad_probabilities(probabilities, pattern):
    with pytest.raises(ValueError, match=pattern):
        expected_accuracy(probabilities, threshold=0.5)


@pytest.mark.parametrize("threshold", [0, 1, 1.5, True, "0.5"])
def test_expected_accuracy_refuses_a_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        expected_accuracy([0.2], threshold=threshold)


def _book():
    """Two decision days, worked by hand. Day 1: four applicants, day 2: three; labels 30 days later."""
    dates = pd.to_datetime(["2024-01-01"] * 4 + ["2024-01-02"] * 3)
    return pd.DataFrame({
        "date": dates,
        "label_available_on": dates + pd.Timedelta(days=30),
        "predicted_default": [0, 0, 1, 0, 0, 1, 1],
        "approved": [1, 1, 0, 1, 1, 0, 0],
        "defaulted": [0, 1, 1, 0, 0, 0, 1],
    })


def test_accuracy_as_known_counts_the_loans_made_only():
    known = accuracy_as_known(_book(), window=2)
    # day 1: loans 0, 1, 3 on record, repaid, defaulted, repaid: 2 of 3 right, 1 default; day 2: loan 4, repaid
    assert known["n"].tolist() == [4, 3] and known["n_observable"].tolist() == [3, 1]
    assert known["n_labelled"].tolist() == [3, 1] and known["correct"].tolist() == [2, 1]
    assert known["accuracy"].tolist() == pytest.approx([2 / 3, 1.0])
    assert known["positive_rate"].tolist() == pytest.approx([1 / 3, 0.0])
    assert pd.isna(known.loc[0, "pooled_accuracy"])  # a window of 2 needs two days
    assert known.loc[1, "pooled_accuracy"] == pytest.approx(3 / 4) and known.loc[1, "pooled_n_labelled"] == 4
    assert known["predicted_rate"].tolist() == pytest.approx([1 / 4, 2 / 3])
    assert str(known["accuracy"].dtype) == "Float64"


def test_the_oracle_is_asked_for_by_name():
    oracle = accuracy_as_known(_book(), ground_truth=True)
    # day 1: right on 0 (repaid), 2 (declined, defaulted), 3: 3 of 4; day 2: right on 4 and 6: 2 of 3
    assert oracle["n_labelled"].tolist() == [4, 3]
    assert oracle["accuracy"].tolist() == pytest.approx([3 / 4, 2 / 3])
    # recall: day 1 defaults are rows 1 (approved) and 2 (declined: caught): 1 of 2; day 2: row 6 caught: 1 of 1
    assert oracle["caught"].tolist() == [1, 1] and oracle["recall"].tolist() == pytest.approx([1 / 2, 1.0])
    pooled = accuracy_as_known(_book(), ground_truth=True, window=2)
    assert pooled.loc[1, "pooled_recall"] == pytest.approx(2 / 3) and pooled.loc[1, "pooled_positives"] == 3
    # on the loans made the model predicted "repay": recall there is 0 by construction
    assert accuracy_as_known(_book())["recall"].tolist()[0] == 0.0


def test_accuracy_as_known_on_a_day_and_by_group():
    book = _book()
    assert accuracy_as_known(book, as_of="2024-01-31")["n_labelled"].tolist() == [3, 0]
    waiting = accuracy_as_known(book, as_of="2024-01-30")
    assert waiting["n_labelled"].tolist() == [0, 0] and waiting["accuracy"].isna().all()
    grouped = accuracy_as_known(book.assign(segment=list("aabbaab")), by="segment", ground_truth=True)
    assert grouped[["segment", "n"]].values.tolist() == [["a", 2], ["a", 2], ["b", 2], ["b", 1]]
    assert grouped["correct"].tolist() == [1, 1, 2, 1]


@pytest.mark.parametrize(
    "change, pattern",
    [
        (lambda b: b.drop(columns="approved"), "'approved'"),
        (lambda b: b.assign(predicted_default=2), "'predicted_default'"),
        (lambda b: b.assign(date="2024-01-01"), "'date' must hold dates"),
        (lambda b: b.assign(defaulted=[0, np.nan, 1, 0, 0, 0, 1]), "'defaulted'"),
        (lambda b: b.iloc[:0], "empty"),
    ],
)
def test_accuracy_as_known_names_bad_input(change, pattern):
    with pytest.raises(ValueError, match=pattern):
        accuracy_as_known(change(_book()))


def test_accuracy_as_known_ignores_what_is_never_observed():
    book = _book().astype({"defaulted": float})
    book.loc[book["approved"] == 0, "defaulted"] = np.nan  # a lender's own data
    assert accuracy_as_known(book)["accuracy"].tolist() == pytest.approx([2 / 3, 1.0])
    with pytest.raises(ValueError, match="window"):
        accuracy_as_known(book, window=0)


def test_explore_approves_a_random_share_of_the_declined_only():
    n = 20_000
    decisions = pd.DataFrame({"predicted_default": np.tile([0, 1], n // 2), "approved": np.tile([1, 0], n // 2)})
    explored = explore(decisions, share=0.05, seed=3)
    assert explored.loc[decisions["predicted_default"] == 0, "explored"].eq(0).all()
    share = explored.loc[decisions["predicted_default"] == 1, "explored"].mean()
    assert abs(share - 0.05) < 4 * np.sqrt(0.05 * 0.95 / (n // 2))  # four standard errors
    assert (explored["approved"] == ((decisions["approved"] == 1) | (explored["explored"] == 1))).all()
    assert explored["predicted_default"].equals(decisions["predicted_default"])
    assert explore(decisions, 0.05, seed=3).equals(explored) and not explore(decisions, 0.05, seed=4).equals(explored)
    for bad in (0, 1, 5, True):
        with pytest.raises(ValueError, match="share"):
            explore(decisions, share=bad)


def test_holdout_estimate_by_hand():
    # 10 applicants: 6 approved by the model (5 repaid), 4 declined, of whom 2 explored (1 defaulted)
    frame = pd.DataFrame({
        "predicted_default": [0] * 6 + [1] * 4,
        "explored": [0] * 6 + [1, 1, 0, 0],
        "defaulted": [0, 0, 0, 0, 0, 1] + [1, 0, 1, 1],
        "label_available_on": pd.Timestamp("2024-02-01"),
    })
    est = holdout_estimate(frame)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(1, 2, alpha=0.05, method="wilson")
    assert est["accuracy"] == pytest.approx((5 + 4 * 0.5) / 10)
    assert est["accuracy_low"] == pytest.approx((5 + 4 * low) / 10)
    assert est["accuracy_high"] == pytest.approx((5 + 4 * high) / 10)
    assert est["default_rate"] == pytest.approx((1 + 4 * 0.5) / 10)
    assert (est["n_approved"], est["n_declined"], est["n_explored"]) == (6, 4, 2)
    with pytest.raises(ValueError, match="no loan among the 4 declined"):
        holdout_estimate(frame.assign(explored=0))
    with pytest.raises(ValueError, match="as_of"):
        holdout_estimate(frame, as_of="2024-01-01")  # nothing on record yet: the message names as_of


def test_exploration_cost_by_hand():
    frame = pd.DataFrame({"explored": [1, 1, 1, 0], "defaulted": [1, 0, 1, 1], "loan_amount": [1000, 2000, 3000, 9]})
    cost = exploration_cost(frame, loss_given_default=0.5)
    assert (cost["loans"], cost["defaults"]) == (3, 2) and cost["default_rate"] == pytest.approx(2 / 3)
    assert cost["lent"] == 6000 and cost["loss"] == pytest.approx((1000 + 3000) * 0.5)
    with pytest.raises(ValueError, match="loss_given_default"):
        exploration_cost(frame, loss_given_default=45)


def test_holdout_timeline_pools_a_window_by_hand():
    dates = pd.to_datetime(["2024-01-01"] * 3 + ["2024-01-02"] * 3)
    frame = pd.DataFrame({
        "date": dates, "label_available_on": dates + pd.Timedelta(days=30),
        "predicted_default": [0, 1, 1, 0, 0, 1], "explored": [0, 1, 0, 0, 0, 0], "defaulted": [0, 1, 0, 1, 0, 1],
    })
    timeline = holdout_timeline(frame, window=2)
    assert pd.isna(timeline.loc[0, "accuracy"])  # the window is not full yet
    # days 1-2: model-approved 0, 3, 4 (two repaid); 3 declined, holdout 1 of them, defaulted: (2 + 3 x 1) / 6
    assert timeline.loc[1, "accuracy"] == pytest.approx(5 / 6)
    assert timeline.loc[1, "default_rate"] == pytest.approx((1 + 3) / 6)
    assert timeline.loc[1, "known_on"] == pd.Timestamp("2024-02-01") and timeline.loc[1, "n_explored"] == 1
    alone = holdout_timeline(frame.iloc[3:], window=1)  # a declined applicant and no holdout loan: no estimate
    assert pd.isna(alone.loc[0, "accuracy"])
