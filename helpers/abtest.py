"""A/B tests of two models read honestly: sample size, the two-proportion z-test, the peeking trap, and days.

* ``sample_size_per_arm``: how many labelled decisions each arm needs to detect a difference between two accuracies
  (or any two proportions), by the pooled-variance normal approximation for two proportions::

      n = [z(1 - alpha/2) sqrt(2 pbar qbar) + z(power) sqrt(p1 q1 + p2 q2)]^2 / (p1 - p2)^2

  (``ratio`` generalises it to a control arm ``ratio`` times the treatment arm, as when only 5% of traffic sees the
  new model). ``sample_size_arcsine`` is statsmodels' answer (``NormalIndPower`` with Cohen's arcsine effect size
  ``proportion_effectsize``): a different approximation, a slightly different number.
* ``ztest``: statsmodels' ``proportions_ztest`` (pooled variance, two-sided).
* ``peeking_simulation``: an A/B test with no real difference, checked every day and stopped at the first p < alpha,
  against the same test read once at its planned end.
* ``fixed_horizon_rate``: the exact false-positive rate of that test read once (a sum over binomial outcomes).
* ``days_to_detect``: the calendar time a test needs at a given traffic, split and label delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from helpers.validation import require_whole_number

__all__ = [
    "MAX_SIMULATED_CELLS",
    "PeekingResult",
    "days_to_detect",
    "fixed_horizon_rate",
    "peeking_simulation",
    "sample_size_arcsine",
    "sample_size_per_arm",
    "ztest",
]


#: The most cells (simulated tests x days) ``peeking_simulation`` takes: about half a minute of work. It simulates
#: in blocks of ``_BLOCK_CELLS`` cells, so memory stays near 100 MB whatever the size.
MAX_SIMULATED_CELLS = 100_000_000
_BLOCK_CELLS = 2_000_000


def _number(value, name: str, what: str) -> float:
    """``value`` as a float: Python or numpy numbers (a numpy float32 read as the decimal it prints, so
    ``np.float32(0.8)`` is 0.8, not 0.800000011920929); booleans, text and NaN are refused, naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    number = float(str(value)) if isinstance(value, np.floating) else float(value)
    if math.isnan(number):
        raise ValueError(f"{name} must be {what}, got NaN")
    return number


def _proportion(value, name: str) -> float:
    value = _number(value, name, "a proportion between 0 and 1")
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be a proportion strictly between 0 and 1, got {value!r}")
    return value


def _levels(alpha, power) -> tuple[float, float]:
    alpha = _proportion(alpha, "alpha")
    power = _proportion(power, "power")
    return alpha, power


def sample_size_per_arm(p_control: float, p_treatment: float, alpha: float = 0.05, power: float = 0.8,
                        *, ratio: float = 1.0) -> int:
    """Labelled observations the treatment arm needs (the control arm needs ``ratio`` times as many).

    Pooled-variance normal approximation for a two-sided two-proportion z-test at level ``alpha`` with the given
    ``power``; rounded up. With ``ratio=1`` (equal arms) it is the classic formula; 0.90 against 0.88 needs 3,841
    per arm. ``ratio`` = control size / treatment size (19 when the treatment gets 5% of traffic).

    Raises:
        ValueError: a proportion outside (0, 1), equal proportions (no difference can be detected), or a ratio <= 0.
    """
    p_c = _proportion(p_control, "p_control")
    p_t = _proportion(p_treatment, "p_treatment")
    alpha, power = _levels(alpha, power)
    if p_c == p_t:
        raise ValueError(f"p_control and p_treatment are equal ({p_c}): there is no difference to detect")
    k = _number(ratio, "ratio", "a positive number (control size / treatment size)")
    if not 0 < k < math.inf:
        raise ValueError(f"ratio (control size / treatment size) must be a positive number, got {ratio!r}")
    pbar = (p_t + k * p_c) / (1 + k)
    z_a, z_b = norm.ppf(1 - alpha / 2), norm.ppf(power)
    root = z_a * math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + z_b * math.sqrt(p_t * (1 - p_t) + p_c * (1 - p_c) / k)
    return math.ceil(root**2 / (p_c - p_t) ** 2)


def sample_size_arcsine(p_control: float, p_treatment: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Per-arm size from statsmodels (``NormalIndPower().solve_power`` on ``proportion_effectsize``), rounded up.

    Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)) makes the variance constant, so the answer differs a little from
    the pooled formula (3,835 instead of 3,841 for 0.90 against 0.88).
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p_c = _proportion(p_control, "p_control")
    p_t = _proportion(p_treatment, "p_treatment")
    alpha, power = _levels(alpha, power)
    if p_c == p_t:
        raise ValueError(f"p_control and p_treatment are equal ({p_c}): there is no difference to detect")
    effect = proportion_effectsize(p_c, p_t)
    return math.ceil(NormalIndPower().solve_power(effect_size=abs(effect), alpha=alpha, power=power, ratio=1.0))


def ztest(successes_control: int, n_control: int, successes_treatment: int, n_treatment: int) -> tuple[float, float]:
    """(z, two-sided p-value) of the pooled two-proportion z-test (statsmodels ``proportions_ztest``).

    z > 0 when the treatment's rate is higher.
    """
    from statsmodels.stats.proportion import proportions_ztest

    counts = (successes_control, n_control, successes_treatment, n_treatment)
    if any(isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 0 for c in counts):
        raise ValueError(f"counts must be whole numbers >= 0, got {counts!r}")
    if n_control == 0 or n_treatment == 0:
        raise ValueError(f"both arms need observations, got n_control={n_control}, n_treatment={n_treatment}")
    if successes_control > n_control or successes_treatment > n_treatment:
        raise ValueError(f"successes cannot exceed observations: {counts!r}")
    if successes_control + successes_treatment in (0, n_control + n_treatment):
        raise ValueError("every observation has the same outcome: the pooled variance is 0 and z is undefined")
    z, p = proportions_ztest([successes_treatment, successes_control], [n_treatment, n_control])
    return float(z), float(p)


def _pooled_z(x_c: np.ndarray, n_c: np.ndarray, x_t: np.ndarray, n_t: np.ndarray) -> np.ndarray:
    """The same statistic as ``ztest``, vectorised (tests check that the two agree)."""
    pooled = (x_c + x_t) / (n_c + n_t)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x_t / n_t - x_c / n_c) / se
    return np.where(se > 0, z, 0.0)


@dataclass(frozen=True)
class PeekingResult:
    """False-positive rates of an A/B test with no real difference (both arms at the same rate).

    ``peeking_rate``: share of simulated tests that showed p < alpha on at least one daily look (stopped there);
    ``fixed_rate``: share significant when read once, at the planned end (close to alpha);
    ``first_stop_day``: per simulated test, the day it would have stopped when peeking (0 = never).
    """

    peeking_rate: float
    fixed_rate: float
    alpha: float
    days: int
    simulations: int
    first_stop_day: np.ndarray


def peeking_simulation(p: float, daily_control: int, daily_treatment: int, days: int, simulations: int = 2000,
                       alpha: float = 0.05, seed: int = 0) -> PeekingResult:
    """Simulate ``simulations`` A/B tests in which both arms succeed with probability ``p`` (no real difference).

    Each day adds ``daily_control`` and ``daily_treatment`` labelled observations; the z-test runs on the cumulative
    counts every day. Peeking stops at the first p < ``alpha``; the fixed-horizon test looks only on day ``days``.

    Raises:
        ValueError: a proportion outside (0, 1), sizes that are not whole numbers >= 1, more than
            ``MAX_SIMULATED_CELLS`` simulated test-days, or a seed that is not a whole number >= 0; each named.
    """
    p = _proportion(p, "p")
    alpha = _proportion(alpha, "alpha")
    for name, value in (("daily_control", daily_control), ("daily_treatment", daily_treatment), ("days", days),
                        ("simulations", simulations)):
        require_whole_number(value, name, minimum=1)
    seed = require_whole_number(seed, "seed")
    if simulations * days > MAX_SIMULATED_CELLS:
        raise ValueError(
            f"simulations x days must be at most {MAX_SIMULATED_CELLS:,} simulated test-days (about half a minute "
            f"of work), got simulations={simulations:,} x days={days:,} = {simulations * days:,}: lower simulations"
        )
    control, treatment = np.random.default_rng(seed).spawn(2)  # one stream per arm: blocks draw what one run would
    day = np.arange(1, days + 1)
    rows = max(1, _BLOCK_CELLS // days)
    first, last_day = [], []
    for start in range(0, simulations, rows):
        size = (min(rows, simulations - start), days)
        x_c = control.binomial(daily_control, p, size=size).cumsum(axis=1)
        x_t = treatment.binomial(daily_treatment, p, size=size).cumsum(axis=1)
        significant = 2 * norm.sf(np.abs(_pooled_z(x_c, daily_control * day, x_t, daily_treatment * day))) < alpha
        first.append(np.where(significant.any(axis=1), significant.argmax(axis=1) + 1, 0))
        last_day.append(significant[:, -1])
    first = np.concatenate(first)
    return PeekingResult(
        peeking_rate=float((first > 0).mean()),
        fixed_rate=float(np.concatenate(last_day).mean()),
        alpha=alpha,
        days=int(days),
        simulations=int(simulations),
        first_stop_day=first,
    )


def fixed_horizon_rate(p: float, n_control: int, n_treatment: int, alpha: float = 0.05) -> float:
    """The exact false-positive rate of the pooled z-test read once, when both arms succeed with probability ``p``.

    Sums the binomial probabilities of every pair of outcomes (x_control, x_treatment) for which the test gives
    p < ``alpha`` (outcomes beyond 1e-12 of either tail are left out: they change the sum by less than 1e-11). It
    is not exactly ``alpha``: the z-test is a normal approximation to discrete counts, least accurate when one arm is
    small or ``p`` near 0 or 1. ``peeking_simulation``'s ``fixed_rate`` estimates the same number by simulation.

    Raises:
        ValueError: a proportion outside (0, 1) or an arm size that is not a whole number >= 1.
    """
    from scipy.stats import binom

    p, alpha = _proportion(p, "p"), _proportion(alpha, "alpha")
    n_c = require_whole_number(n_control, "n_control", minimum=1)
    n_t = require_whole_number(n_treatment, "n_treatment", minimum=1)

    def support(n: int) -> np.ndarray:
        low, high = binom.ppf([1e-12, 1 - 1e-12], n, p)
        return np.arange(int(low), int(high) + 1)

    x_c, x_t = support(n_c)[:, None], support(n_t)[None, :]
    significant = 2 * norm.sf(np.abs(_pooled_z(x_c, n_c, x_t, n_t))) < alpha
    return float((binom.pmf(x_c, n_c, p) * binom.pmf(x_t, n_t, p) * significant).sum())


def days_to_detect(p_control: float, p_treatment: float, daily_traffic: float, share: float = 0.05,
                   alpha: float = 0.05, power: float = 0.8, label_delay_days: int = 0) -> dict[str, float]:
    """Calendar days an A/B test needs when ``share`` of ``daily_traffic`` decisions go to the treatment.

    Sizes come from ``sample_size_per_arm`` with ratio (1 - share) / share; each arm fills at its own pace, the test
    can be read when both are full, and the last decisions' outcomes are known ``label_delay_days`` later.

    Returns:
        ``n_treatment``, ``n_control``, ``per_day_treatment``, ``days_collecting`` (whole days until both arms are
        full) and ``days_to_decision`` (``days_collecting`` + ``label_delay_days``).
    """
    share = _proportion(share, "share")
    daily_traffic = _number(daily_traffic, "daily_traffic", "a positive number of decisions per day")
    if not 0 < daily_traffic < math.inf:
        raise ValueError(f"daily_traffic must be a positive number of decisions per day, got {daily_traffic!r}")
    require_whole_number(label_delay_days, "label_delay_days")
    ratio = (1 - share) / share
    n_t = sample_size_per_arm(p_control, p_treatment, alpha, power, ratio=ratio)
    n_c = math.ceil(ratio * n_t)
    per_day_t, per_day_c = share * daily_traffic, (1 - share) * daily_traffic
    collecting = max(math.ceil(n_t / per_day_t), math.ceil(n_c / per_day_c))
    return {
        "n_treatment": n_t,
        "n_control": n_c,
        "per_day_treatment": per_day_t,
        "days_collecting": collecting,
        "days_to_decision": collecting + int(label_delay_days),
    }
