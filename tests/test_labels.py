"""helpers.labels: what a lender observes, worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.labels import expected_accuracy, observed_outcomes


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
    assert expected_accuracy([0.1, 0.4, 0.8, 0.5], cutoff=0.5) == pytest.approx((0.9 + 0.6 + 0.8 + 0.5) / 4)
    assert expected_accuracy(np.array([0.3]), cutoff=0.25) == pytest.approx(0.3)


@pytest.mark.parametrize(
    "probabilities, pattern",
    [([0.2, float("nan")], "NaN"), ([0.2, 1.2], r"\[0, 1\]"), ([-0.1], r"\[0, 1\]"), ([], "empty")],
)
def test_expected_accuracy_refuses_bad_probabilities(probabilities, pattern):
    with pytest.raises(ValueError, match=pattern):
        expected_accuracy(probabilities, cutoff=0.5)


@pytest.mark.parametrize("cutoff", [0, 1, 1.5, True, "0.5"])
def test_expected_accuracy_refuses_a_bad_cutoff(cutoff):
    with pytest.raises(ValueError, match="cutoff"):
        expected_accuracy([0.2], cutoff=cutoff)
