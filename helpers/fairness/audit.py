"""The outcome audit: how often each group receives the favourable outcome (AIF360's BinaryLabelDatasetMetric),
the exact four-fifths verdict, and a small-sample significance check."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from helpers.fairness.aif import PRIVILEGED_GROUPS, UNPRIVILEGED_GROUPS, BinaryLabelDatasetMetric, as_dataset
from helpers.fairness.inputs import Groups, binary, check_frame, privileged_mask, resolve_groups
from helpers.lines import FOUR_FIFTHS
from helpers.validation import ratio_or_nan

__all__ = [
    "GapTest", "AuditResult", "passes_four_fifths", "audit_arrays", "audit",
]



@dataclass(frozen=True)
class GapTest:
    """Is the gap between two groups' favourable rates larger than chance? (see ``AuditResult.significance``)"""

    difference: float  #: unprivileged rate - privileged rate (the SPD)
    difference_ci: tuple[float, float]  #: Newcombe (Wilson score) interval of the difference
    ratio: float  #: unprivileged rate / privileged rate (the DI)
    ratio_ci: tuple[float, float] | None  #: Katz log interval of the ratio; None when a group has no favourable row
    z: float  #: two-proportion z statistic (pooled)
    p_value: float  #: two-sided p-value of the z-test
    fisher_p_value: float  #: two-sided p-value of Fisher's exact test (exact; the safer one for small groups)
    confidence: float  #: confidence level of the intervals (e.g. 0.95)

    @property
    def significant(self) -> bool:
        """True when Fisher's exact test rejects equal rates at level 1 - confidence."""
        return self.fisher_p_value < 1 - self.confidence

    def table(self) -> pd.DataFrame:
        """One row per statistic: estimate and interval, rounded for display."""
        low, high = self.ratio_ci if self.ratio_ci else (math.nan, math.nan)
        return pd.DataFrame(
            {
                "estimate": [self.difference, self.ratio],
                "ci_low": [self.difference_ci[0], low],
                "ci_high": [self.difference_ci[1], high],
            },
            index=pd.Index(["rate difference (SPD)", "rate ratio (DI)"], name=f"{self.confidence:.0%} interval"),
        ).round(4)


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@dataclass(frozen=True)
class AuditResult:
    """Favourable-outcome rates of two groups and what AIF360's BinaryLabelDatasetMetric makes of them."""

    outcome: str
    protected: str
    privileged: tuple  #: the privileged value(s) of the protected column
    privileged_group: str  #: display name of the privileged group
    unprivileged_group: str  #: display name of the unprivileged group
    n_privileged: int
    n_unprivileged: int
    favorable_privileged: int  #: rows of the privileged group with the favourable outcome
    favorable_unprivileged: int
    rate_privileged: float  #: P(favourable | privileged), from AIF360's base_rate
    rate_unprivileged: float
    disparate_impact: float  #: AIF360's disparate_impact(); inf/nan when the privileged rate is 0 (see docstring)
    statistical_parity_difference: float  #: AIF360's statistical_parity_difference()

    @property
    def impact_ratio(self) -> Fraction | None:
        """The disparate impact as an exact fraction of counts (None when the privileged rate is 0)."""
        if self.favorable_privileged == 0:
            return None
        return Fraction(self.favorable_unprivileged * self.n_privileged, self.n_unprivileged * self.favorable_privileged)

    @property
    def passes_four_fifths(self) -> bool:
        """True when the unprivileged rate is at least 4/5 of the privileged rate, decided exactly with integers.

        This is the lesson's one-sided check (bias *against* the unprivileged group). 29 CFR 1607.4(D) compares each
        group with the highest-rate group, so when the unprivileged group has the higher rate, run ``audit`` again
        with the roles swapped to check the other direction.
        """
        return passes_four_fifths(
            self.favorable_unprivileged, self.n_unprivileged, self.favorable_privileged, self.n_privileged
        )

    @property
    def rates(self) -> dict[str, float]:
        """Favourable rate by group name."""
        return {self.privileged_group: self.rate_privileged, self.unprivileged_group: self.rate_unprivileged}

    @property
    def counts(self) -> dict[str, int]:
        """Number of rows by group name."""
        return {self.privileged_group: self.n_privileged, self.unprivileged_group: self.n_unprivileged}

    @property
    def favorable_counts(self) -> dict[str, int]:
        """Number of rows with the favourable outcome by group name."""
        return {self.privileged_group: self.favorable_privileged, self.unprivileged_group: self.favorable_unprivileged}

    def table(self) -> pd.DataFrame:
        """One row per group: rows, favourable rows and favourable rate (rounded to 4 decimals)."""
        return pd.DataFrame(
            {
                "role": ["privileged", "unprivileged"],
                "rows": [self.n_privileged, self.n_unprivileged],
                "favourable": [self.favorable_privileged, self.favorable_unprivileged],
                "favourable_rate": [round(self.rate_privileged, 4), round(self.rate_unprivileged, 4)],
            },
            index=pd.Index([self.privileged_group, self.unprivileged_group], name=self.protected),
        )

    def as_dict(self) -> dict[str, float]:
        """Flat numeric summary (for logging to an experiment tracker)."""
        return {
            "disparate_impact": float(self.disparate_impact),
            "statistical_parity_difference": float(self.statistical_parity_difference),
            "rate_privileged": float(self.rate_privileged),
            "rate_unprivileged": float(self.rate_unprivileged),
            "n_privileged": float(self.n_privileged),
            "n_unprivileged": float(self.n_unprivileged),
            "passes_four_fifths": float(self.passes_four_fifths),
        }

    def significance(self, confidence: float = 0.95) -> GapTest:
        """Could the gap be chance? Intervals for the difference and the ratio, a z-test and Fisher's exact test.

        With 149 applicants under 25, a rate moves by about 4 percentage points with each 6 applicants: a DI below
        0.8 computed on a group that small may not be meaningful (29 CFR 1607.4(D) says so too). Fisher's exact test
        is exact for any sample size; the z-test and the intervals are large-sample approximations.
        """
        from scipy.stats import fisher_exact, norm

        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, (int, float, np.integer, np.floating))
            or not 0 < confidence < 1
        ):
            raise ValueError(f"confidence must be a level between 0 and 1 (exclusive) such as 0.95, got {confidence!r}")
        z_crit = float(norm.ppf(0.5 + confidence / 2))
        a, n1 = self.favorable_unprivileged, self.n_unprivileged
        c, n2 = self.favorable_privileged, self.n_privileged
        p1, p2 = a / n1, c / n2
        # Newcombe's hybrid score interval for p1 - p2, from Wilson intervals of each rate
        l1, u1 = _wilson(a, n1, z_crit)
        l2, u2 = _wilson(c, n2, z_crit)
        diff = p1 - p2
        diff_ci = (
            diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        )
        ratio_ci = None
        if a > 0 and c > 0:
            se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
            log_rr = math.log(p1 / p2)
            ratio_ci = (math.exp(log_rr - z_crit * se), math.exp(log_rr + z_crit * se))
        pooled = (a + c) / (n1 + n2)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = diff / se0 if se0 > 0 else 0.0
        p_value = float(2 * norm.sf(abs(z)))
        fisher_p = float(fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue)
        return GapTest(
            difference=diff,
            difference_ci=diff_ci,
            ratio=ratio_or_nan(a * n2, n1 * c) if c else math.inf,
            ratio_ci=ratio_ci,
            z=z,
            p_value=p_value,
            fisher_p_value=fisher_p,
            confidence=confidence,
        )


def passes_four_fifths(favorable_unprivileged: int, n_unprivileged: int, favorable_privileged: int,
                       n_privileged: int) -> bool:
    """Exact four-fifths check from counts: (a / n_u) >= 4/5 x (c / n_p), decided as 5 a n_p >= 4 c n_u.

    >>> passes_four_fifths(32, 100, 40, 100)   # exactly 0.8: passes
    True
    >>> passes_four_fifths(31, 100, 40, 100)
    False
    """
    counts = (favorable_unprivileged, n_unprivileged, favorable_privileged, n_privileged)
    if any(isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0 for k in counts):
        raise ValueError(f"counts must be whole numbers >= 0, got {counts!r}")
    if n_unprivileged == 0 or n_privileged == 0:
        raise ValueError(f"both groups need at least one row, got n_unprivileged={n_unprivileged}, "
                         f"n_privileged={n_privileged}")
    for favourable, rows, group in ((favorable_unprivileged, n_unprivileged, "unprivileged"),
                                    (favorable_privileged, n_privileged, "privileged")):
        if favourable > rows:
            raise ValueError(f"favorable_{group} ({favourable}) cannot exceed n_{group} ({rows}): a group's favourable "
                             f"rows are some of its rows")
    return Fraction(favorable_unprivileged, n_unprivileged) >= FOUR_FIFTHS * Fraction(favorable_privileged, n_privileged)


def audit_arrays(labels: np.ndarray, privileged_mask: np.ndarray, groups: Groups, outcome: str) -> AuditResult:
    n_priv = int(privileged_mask.sum())
    n_unpriv = int(len(privileged_mask) - n_priv)
    fav_priv = int(labels[privileged_mask].sum())
    fav_unpriv = int(labels[~privileged_mask].sum())
    metric = BinaryLabelDatasetMetric(as_dataset(labels, privileged_mask), unprivileged_groups=UNPRIVILEGED_GROUPS,
                                      privileged_groups=PRIVILEGED_GROUPS)
    rate_priv = float(metric.base_rate(privileged=True))
    rate_unpriv = float(metric.base_rate(privileged=False))
    if fav_priv == 0:  # AIF360 would divide by zero (RuntimeWarning + inf/nan)
        di = math.inf if fav_unpriv else math.nan
    else:
        di = float(metric.disparate_impact())
    return AuditResult(
        outcome=outcome,
        protected=groups.column,
        privileged=groups.values,
        privileged_group=groups.privileged_name,
        unprivileged_group=groups.unprivileged_name,
        n_privileged=n_priv,
        n_unprivileged=n_unpriv,
        favorable_privileged=fav_priv,
        favorable_unprivileged=fav_unpriv,
        rate_privileged=rate_priv,
        rate_unprivileged=rate_unpriv,
        disparate_impact=di,
        statistical_parity_difference=float(metric.statistical_parity_difference()),
    )


def audit(df: pd.DataFrame, outcome: str, protected: str, privileged: Any, favorable: Any = 1) -> AuditResult:
    """Compare how often each group receives the favourable outcome (AIF360's BinaryLabelDatasetMetric).

    Args:
        df: one row per person (an applicant, a decision).
        outcome: binary column: the true outcome (a data audit) or the model's decision (a decision audit).
        protected: the column that defines the groups; strings are fine ("female", "25+").
        privileged: the privileged value, or a list of values; every other value is unprivileged.
        favorable: the value of ``outcome`` that is favourable (1 = good credit / approved by default).

    Returns:
        An ``AuditResult``: ``disparate_impact``, ``statistical_parity_difference``, ``passes_four_fifths`` (exact),
        ``rates``/``counts`` by group, ``table()`` for display and ``significance()`` for a small-sample check.
        When the privileged group never receives the favourable outcome, ``disparate_impact`` is ``inf`` (or ``nan``
        if neither group does): the ratio is undefined, look at ``statistical_parity_difference`` instead.

    Raises:
        ValueError: a missing column, an empty frame, NaN in ``outcome`` or ``protected``, a non-binary outcome, a
            privileged value that does not occur (the message lists the values present), or no unprivileged rows.
    """
    what = "audit data"
    check_frame(df, [outcome, protected], what)
    groups = resolve_groups(df, protected, privileged, what)
    labels = binary(df, outcome, favorable, what)
    return audit_arrays(labels, privileged_mask(df, groups), groups, outcome)
