"""Segment metrics with Wilson intervals, and the 1% review sampler: worked out by hand, and bad input named."""

import numpy as np
import pandas as pd
import pytest

from helpers.assistant.review import HIGH_RISK, first_review_detection, high_risk, review_estimates, sample_reviews
from helpers.assistant.segments import ALL, first_detection, segment_metrics, wilson_interval


def test_wilson_interval_by_hand():
    # 19 of 20, z = 1.959964: centre = (0.95 + z^2/40) / (1 + z^2/20) = 0.877494,
    # half = z * sqrt(0.95 * 0.05 / 20 + z^2 / 1600) / (1 + z^2/20) = 0.113625 -> (0.763869, 0.991119)
    low, high = wilson_interval(19, 20)
    assert low == pytest.approx(0.763869, abs=1e-5) and high == pytest.approx(0.991119, abs=1e-5)
    # 0 of 10: low is 0, high is z^2 / (n + z^2) = 3.841459 / 13.841459
    assert wilson_interval(0, 10) == pytest.approx((0.0, 3.841459 / 13.841459), abs=1e-6)
    lows, highs = wilson_interval(np.array([0, 19]), np.array([10, 20]))
    assert lows.shape == (2,) and highs[1] == pytest.approx(high)


@pytest.mark.parametrize(
    "args, message",
    [((1, 0), "n must be >= 1"), ((5, 3), "successes must be between 0 and n"), ((1.5, 3), "whole numbers"),
     ((1, 3, 1.2), "confidence must be between 0 and 1")],
)
def test_wilson_interval_names_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(*args)


def _log(rows):
    """rows: (day, band, urgent, predicted) -> a log with dates and a 14-day label delay."""
    frame = pd.DataFrame(rows, columns=["day", "age_band", "urgent", "predicted_urgent"])
    frame["date"] = pd.Timestamp("2025-01-06") + pd.to_timedelta(frame["day"], unit="D")
    frame["label_available_on"] = frame["date"] + pd.Timedelta(days=14)
    return frame


def test_segment_metrics_by_hand():
    log = _log([
        (0, "65+", 1, 1), (0, "65+", 1, 0), (0, "18-39", 0, 0),  # day 0: 65+ 1 of 2 right, recall 1/2
        (1, "65+", 1, 0), (1, "18-39", 1, 1),                      # day 1: 65+ 0 of 1 right
    ])
    metrics = segment_metrics(log, window=2).set_index(["period", "segment"])
    day1 = pd.Timestamp("2025-01-07")
    # window of 2 days ending on day 1: 65+ has 3 labelled, 1 right, 3 urgent, 1 caught
    old = metrics.loc[(day1, "65+")]
    assert (old["n"], old["n_labelled"], old["urgent_cases"]) == (3, 3, 3)
    assert old["accuracy"] == pytest.approx(1 / 3) and old["recall"] == pytest.approx(1 / 3)
    assert (old["accuracy_low"], old["accuracy_high"]) == pytest.approx(wilson_interval(1, 3))
    assert metrics.loc[(day1, ALL), "accuracy"] == pytest.approx(3 / 5)
    # 18-39 had no urgent case on day 0: recall is <NA>, not nan
    assert pd.isna(metrics.loc[(pd.Timestamp("2025-01-06"), "18-39"), "recall"])
    # as of day 14 only day 0's labels are in
    known = segment_metrics(log, window=2, as_of="2025-01-20").set_index(["period", "segment"])
    assert known.loc[(day1, "65+"), "n_labelled"] == 2 and known.loc[(day1, "65+"), "n"] == 3


def test_first_detection_needs_the_whole_interval_below_the_line():
    log = _log([(d, "65+", 1, int(d < 5)) for d in range(10) for _ in range(10)])
    metrics = segment_metrics(log, window=1)
    found = first_detection(metrics, "65+", "recall", threshold=0.7)
    # day 5: 0 of 10 caught, Wilson high = 3.84 / 13.84 = 0.28 < 0.7
    assert found["period"] == pd.Timestamp("2025-01-11")
    assert first_detection(metrics, "65+", "recall", threshold=0.2) is None
    with pytest.raises(ValueError, match="metrics has no segment '80\\+'"):
        first_detection(metrics, "80+")


def test_segment_metrics_names_bad_input():
    log = _log([(0, "65+", 1, 1)])
    with pytest.raises(ValueError, match="has no column 'predicted_urgent'"):
        segment_metrics(log.drop(columns="predicted_urgent"))
    with pytest.raises(ValueError, match="must hold 0 or 1"):
        segment_metrics(log.assign(urgent=3))
    with pytest.raises(ValueError, match="window must be a whole number of days >= 1"):
        segment_metrics(log, window=0)
    with pytest.raises(ValueError, match="segment value '80\\+' does not occur"):
        segment_metrics(log, segments=["80+"])
    with pytest.raises(ValueError, match="empty"):
        segment_metrics(log.iloc[:0])


def _traffic(days=20, per_day=300, seed=0):
    rng = np.random.default_rng(seed)
    n = days * per_day
    frame = _log(list(zip(np.repeat(np.arange(days), per_day), rng.choice(["18-39", "40-64", "65+"], n, p=[.5, .37, .13]),
                          rng.integers(0, 2, n), rng.integers(0, 2, n))))
    frame["urgent_probability"] = rng.uniform(size=n)
    return frame


@pytest.mark.parametrize("strategy", ["uniform", "risk"])
def test_sampler_draws_the_stated_share_every_day(strategy):
    log = _traffic()
    reviews = sample_reviews(log, share=0.01, strategy=strategy, seed=1)
    assert reviews.groupby("day").size().eq(3).all()  # round(0.01 x 300) = 3 a day
    assert len(reviews) / len(log) == pytest.approx(0.01)
    assert not reviews.index.duplicated().any()
    assert (reviews["reviewed_on"] == reviews["date"] + pd.Timedelta(days=1)).all()
    if strategy == "risk":
        assert reviews["high_risk"].all()
    assert sample_reviews(log.iloc[:50], share=0.01)["day"].tolist() == [0]  # at least one a day


def test_high_risk_is_what_HIGH_RISK_says():
    log = pd.DataFrame({
        "age_band": ["65+", "65+", "18-39", "18-39", "40-64"],
        "predicted_urgent": [0, 1, 0, 0, 0],
        "urgent_probability": [0.05, 0.95, 0.5, 0.05, 0.05],
        "unseen_share": [0.0, 0.0, 0.0, 0.0, 0.3],
    })
    assert HIGH_RISK["age_band"] == "65+"
    assert high_risk(log).tolist() == [True, False, True, False, True]


def test_risk_sampler_tops_up_uniformly_when_too_few_are_high_risk():
    log = _traffic(days=1, per_day=300).assign(urgent_probability=0.01, age_band="18-39")
    log.loc[log.index[:1], "age_band"] = "65+"
    log.loc[log.index[:1], "predicted_urgent"] = 0
    reviews = sample_reviews(log, strategy="risk")
    assert len(reviews) == 3 and reviews["high_risk"].sum() == 1


def test_review_estimates_by_hand():
    rows = [(0, "65+", 1, 0), (0, "65+", 0, 0), (1, "65+", 0, 0), (1, "65+", 1, 1), (1, "18-39", 1, 0)]
    estimates = review_estimates(_log(rows), window=2).set_index("period")
    # self-care advice to 65+ over days 0-1: 3 cases, 2 right (the urgent one on day 0 was missed)
    day1 = estimates.loc[pd.Timestamp("2025-01-07")]
    assert (day1["reviewed"], day1["correct"]) == (3, 2)
    assert (day1["accuracy_low"], day1["accuracy_high"]) == pytest.approx(wilson_interval(2, 3))
    assert review_estimates(_log(rows), window=2, advice=None).set_index("period").loc[
        pd.Timestamp("2025-01-07"), "reviewed"] == 4
    assert first_review_detection(review_estimates(_log(rows), window=2), threshold=0.9, min_reviews=4) is None


def test_sampler_and_estimates_name_bad_input():
    log = _traffic(days=2)
    with pytest.raises(ValueError, match="share must be a fraction in \\(0, 1\\]"):
        sample_reviews(log, share=1.5)
    with pytest.raises(ValueError, match="unknown strategy 'random'; valid strategies are: uniform, risk"):
        sample_reviews(log, strategy="random")
    with pytest.raises(ValueError, match="has no column 'urgent_probability'"):
        sample_reviews(log.drop(columns="urgent_probability"), strategy="risk")
    with pytest.raises(ValueError, match="no reviewed case has age_band='80\\+'"):
        review_estimates(log, segment_value="80+")
    with pytest.raises(ValueError, match="advice must be 0"):
        review_estimates(log, advice=2)
