"""helpers.abtest: sample sizes worked out by hand, statsmodels' z-test, the peeking trap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from helpers.abtest import (
    _pooled_z,
    days_to_detect,
    peeking_simulation,
    sample_size_arcsine,
    sample_size_per_arm,
    ztest,
)


def test_pooled_formula_by_hand():
    # 0.90 vs 0.88: pbar = 0.89, z(0.975) = 1.95996, z(0.8) = 0.84162
    # n = [1.95996 sqrt(2 x 0.89 x 0.11) + 0.84162 sqrt(0.09 + 0.1056)]^2 / 0.02^2
    #   = [1.95996 x 0.44249 + 0.84162 x 0.44227]^2 / 0.0004 = (0.86726 + 0.37222)^2 / 0.0004 = 3840.3 -> 3,841
    by_hand = (1.959964 * math.sqrt(2 * 0.89 * 0.11) + 0.841621 * math.sqrt(0.9 * 0.1 + 0.88 * 0.12)) ** 2 / 0.02**2
    assert 3840 < by_hand < 3841
    assert sample_size_per_arm(0.90, 0.88) == 3841
    assert sample_size_per_arm(0.88, 0.90) == 3841  # symmetric


def test_statsmodels_arcsine_differs_slightly():
    assert sample_size_arcsine(0.90, 0.88) == 3835


def test_unequal_arms_need_fewer_treatment_observations_but_more_in_all():
    equal = sample_size_per_arm(0.90, 0.88)
    n_t = sample_size_per_arm(0.90, 0.88, ratio=19)
    assert n_t < equal and n_t * 20 > 2 * equal
    assert sample_size_per_arm(0.90, 0.88, ratio=1.0) == equal


def test_days_to_detect_at_five_percent():
    result = days_to_detect(0.90, 0.88, daily_traffic=400, share=0.05, label_delay_days=30)
    n_t = sample_size_per_arm(0.90, 0.88, ratio=19)
    assert result["n_treatment"] == n_t and result["per_day_treatment"] == 20
    assert result["days_collecting"] == math.ceil(n_t / 20)  # the treatment arm is the slow one
    assert result["days_to_decision"] == result["days_collecting"] + 30


def test_ztest_is_statsmodels_pooled_test():
    z, p = ztest(900, 1000, 880, 1000)
    pooled = 1780 / 2000
    by_hand = (0.88 - 0.90) / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert z == pytest.approx(by_hand) and p == pytest.approx(2 * norm.sf(abs(by_hand)))


def test_vectorised_z_equals_the_z_test():
    z = _pooled_z(np.array([900, 45]), np.array([1000, 50]), np.array([880, 40]), np.array([1000, 50]))
    assert z[0] == pytest.approx(ztest(900, 1000, 880, 1000)[0])
    assert z[1] == pytest.approx(ztest(45, 50, 40, 50)[0])


def test_peeking_inflates_false_positives():
    result = peeking_simulation(0.9, daily_control=190, daily_treatment=10, days=60, simulations=1000, seed=1)
    assert 0.02 < result.fixed_rate < 0.08  # one look: about alpha
    assert result.peeking_rate > 3 * result.fixed_rate  # a look a day: several times alpha
    assert result.first_stop_day.max() <= 60 and result.first_stop_day.min() >= 0
    assert (result.first_stop_day > 0).mean() == pytest.approx(result.peeking_rate)


def test_peeking_is_reproducible():
    a = peeking_simulation(0.9, 50, 50, 10, simulations=200, seed=3)
    b = peeking_simulation(0.9, 50, 50, 10, simulations=200, seed=3)
    assert a.peeking_rate == b.peeking_rate and (a.first_stop_day == b.first_stop_day).all()


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: sample_size_per_arm(0.9, 0.9), "no difference"),
        (lambda: sample_size_per_arm(1.2, 0.9), "p_control"),
        (lambda: sample_size_per_arm(0.9, 0.88, alpha=0), "alpha"),
        (lambda: sample_size_per_arm(0.9, 0.88, ratio=0), "ratio"),
        (lambda: ztest(10, 0, 5, 10), "both arms"),
        (lambda: ztest(11, 10, 5, 10), "cannot exceed"),
        (lambda: ztest(0, 10, 0, 10), "same outcome"),
        (lambda: peeking_simulation(0.9, 0, 10, 5), "daily_control"),
        (lambda: days_to_detect(0.9, 0.88, daily_traffic=0), "daily_traffic"),
        (lambda: days_to_detect(0.9, 0.88, daily_traffic=100, share=1.5), "share"),
    ],
)
def test_bad_input_is_named(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: peeking_simulation(0.9, 285, 15, 365, simulations=5_000_000),
         r"simulations x days must be at most 100,000,000 .* = 1,825,000,000"),
        (lambda: peeking_simulation(0.9, 285, 15, 10, seed=-1), "seed must be a whole number >= 0, got -1"),
        (lambda: peeking_simulation(0.9, 285, 15, 10, seed="x"), "seed must be a whole number >= 0, got 'x'"),
        (lambda: peeking_simulation(0.9, 285, 15, 10, seed=1.5), "seed"),
        (lambda: peeking_simulation(float("nan"), 285, 15, 10), "p must be a proportion .* got NaN"),
        (lambda: sample_size_per_arm(0.9, 0.88, ratio=True), "ratio"),
        (lambda: sample_size_per_arm(0.9, 0.88, ratio="19"), "ratio"),
        (lambda: days_to_detect(0.9, 0.88, daily_traffic=np.float64("inf")), "daily_traffic"),
        (lambda: days_to_detect(0.9, 0.88, daily_traffic=True), "daily_traffic"),
        (lambda: days_to_detect(0.9, 0.88, daily_traffic=100, share="5%"), "share"),
    ],
)
def test_sizes_seeds_and_types_are_refused_by_name(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


def test_numpy_scalars_are_numbers():
    # np.float32(0.88) is 0.8799999952316284 as a float; read as the decimal it prints it is 0.88
    assert sample_size_per_arm(np.float32(0.90), np.float32(0.88)) == sample_size_per_arm(0.90, 0.88) == 3841
    assert sample_size_per_arm(0.9, 0.88, ratio=np.int64(19)) == sample_size_per_arm(0.9, 0.88, ratio=19)
    assert days_to_detect(0.9, 0.88, daily_traffic=np.float32(300.0)) == days_to_detect(0.9, 0.88, daily_traffic=300)
    result = peeking_simulation(np.float32(0.9), np.int64(285), np.int64(15), np.int64(10), simulations=50,
                                seed=np.int64(3))
    assert result.days == 10


def test_fixed_horizon_rate_by_full_enumeration():
    from math import comb

    from statsmodels.stats.proportion import proportions_ztest

    from helpers.abtest import fixed_horizon_rate

    # every outcome of arms of 30 and 12 at p = 0.2, each tested with statsmodels' own z-test
    p, n_c, n_t, total = 0.2, 30, 12, 0.0
    for x_c in range(n_c + 1):
        for x_t in range(n_t + 1):
            if x_c + x_t in (0, n_c + n_t):
                continue  # zero pooled variance: z = 0, never significant
            _, pvalue = proportions_ztest([x_t, x_c], [n_t, n_c])
            if pvalue < 0.05:
                total += comb(n_c, x_c) * p**x_c * (1 - p) ** (n_c - x_c) * comb(n_t, x_t) * p**x_t * (1 - p) ** (n_t - x_t)
    assert fixed_horizon_rate(p, n_c, n_t) == pytest.approx(total, abs=1e-10)


def test_simulated_single_look_agrees_with_the_exact_rate():
    from helpers.abtest import fixed_horizon_rate

    result = peeking_simulation(0.05, 270, 14, 40, simulations=20_000, seed=2)
    exact = fixed_horizon_rate(0.05, 270 * 40, 14 * 40)
    standard_error = math.sqrt(exact * (1 - exact) / 20_000)
    assert abs(result.fixed_rate - exact) < 4 * standard_error
    with pytest.raises(ValueError, match="n_treatment must be a whole number >= 1, got 0"):
        fixed_horizon_rate(0.05, 10, 0)


def test_blocks_do_not_change_the_result(monkeypatch):
    from helpers import abtest

    whole = peeking_simulation(0.1, 90, 10, 30, simulations=500, seed=4)
    monkeypatch.setattr(abtest, "_BLOCK_CELLS", 30 * 7)  # blocks of 7 simulated tests
    blocked = peeking_simulation(0.1, 90, 10, 30, simulations=500, seed=4)
    assert np.array_equal(whole.first_stop_day, blocked.first_stop_day)
    assert (whole.peeking_rate, whole.fixed_rate) == (blocked.peeking_rate, blocked.fixed_rate)
