"""Notebook 01's experiment: how often each drift method calls "drift" between two samples of one world, as the
samples grow (``false_alarm_rates``). With large samples, p-value tests flag tiny, harmless differences."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.drift.inputs import column_types, require_finite
from helpers.drift.stattests import ARRAY_SAFE, COLUMN_TYPE, NUMERICAL, check_method, registered_test
from helpers.runtime import single_threaded_blas
from helpers.validation import require_whole_number

__all__ = ["false_alarm_rates"]



def false_alarm_rates(
    pool: pd.DataFrame,
    column: str = "income",
    methods: Sequence[str] = ("ks", "psi", "wasserstein"),
    sizes: Sequence[int] = (100, 400, 1600, 6400, 25600),
    trials: int = 20,
    shift: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """How often each method calls "drift" between two samples of the same data, as the samples grow.

    For each size ``n`` and trial, ``2 n`` distinct rows are drawn from ``pool``: the first ``n`` are the reference,
    the others the current sample, whose ``column`` is multiplied by ``1 + shift``. With ``shift=0`` both samples
    come from one distribution, so every "drift" is a false alarm; a small ``shift`` (0.02: incomes 2% higher, about
    a year of wage growth) is a change too small to matter. Each method runs with Evidently's default threshold; the
    same draws are used for every method and shift (same ``seed``), so methods are compared on identical samples.

    Returns:
        One row per (method, n): ``method``, ``n``, ``shift``, ``threshold``, ``alarm_rate`` (share of trials
        flagged as drift) and ``median_score``.

    Raises:
        ValueError: a categorical column, an unknown or inapplicable method, a size whose two samples do not fit in
            ``pool``, ``trials`` below 1.
    """
    tests = _checked_tests(pool, column, methods, sizes, trials, shift, seed)
    values = pool[column].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    rows = []
    with single_threaded_blas():
        for n in sizes:
            rows.extend(_rates_at_size(values, n, tests, methods, trials, shift, rng))
    return pd.DataFrame(rows)


def _checked_tests(pool, column, methods, sizes, trials, shift, seed) -> dict:
    """Check ``false_alarm_rates``' arguments, each error naming the argument, and return each method's Evidently
    stattest for the numerical ``column``, keyed by the method's name."""
    require_whole_number(seed, "seed", note="the same seed gives the same draws")
    if isinstance(shift, bool) or not isinstance(shift, (int, float, np.integer, np.floating)) or not (
        math.isfinite(float(shift)) and float(shift) > -1
    ):
        raise ValueError(f"shift must be a finite number above -1 (0.02 = values 2% higher), got {shift!r}")
    if isinstance(sizes, (str, bytes)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in sizes
    ):
        raise ValueError(f"sizes must be whole numbers of rows, got {sizes!r}")
    kind = column_types(pool, [column])[column]
    if kind != NUMERICAL:
        raise ValueError(f"false_alarm_rates scales column {column!r}, so it must be numerical; it is {kind}")
    require_finite(pool, [column], "pool")
    tests = {m: registered_test(check_method(m, column, kind), NUMERICAL) for m in methods}
    require_whole_number(trials, "trials", minimum=1)
    too_big = [n for n in sizes if 2 * n > len(pool) or n < 2]
    if too_big:
        raise ValueError(f"sizes {too_big} need 2 x n <= {len(pool)} rows of pool (and n >= 2)")
    return tests


def _rates_at_size(values, n, tests, methods, trials, shift, rng) -> list[dict]:
    """``trials`` draws of ``2 n`` distinct ``values`` (reference, then current scaled by ``1 + shift``), each
    tested by every method; one row per method: the share of trials it flagged as drift (``alarm_rate``, 0-1) and
    its median drift score (a p-value for a test such as ks, a distance for psi or wasserstein, on the scale of the
    method's ``threshold``)."""
    flags = {m: [] for m in methods}
    scores = {m: [] for m in methods}
    for _ in range(trials):
        rows_drawn = rng.choice(len(values), size=2 * n, replace=False)
        ref, cur = values[rows_drawn[:n]], values[rows_drawn[n:]] * (1.0 + shift)
        ref_s, cur_s = pd.Series(ref), pd.Series(cur)
        for method, test in tests.items():
            args = (ref, cur) if test.name in ARRAY_SAFE else (ref_s, cur_s)
            result = test(*args, COLUMN_TYPE[NUMERICAL], None)
            flags[method].append(bool(result.drifted))
            scores[method].append(float(result.drift_score))
    return [
        {
            "method": method, "n": int(n), "shift": float(shift), "threshold": test.default_threshold,
            "alarm_rate": float(np.mean(flags[method])), "median_score": float(np.median(scores[method])),
        }
        for method, test in tests.items()
    ]
