"""Fairness audits with AI Fairness 360 (AIF360 0.6.1): outcome rates by group, the four-fifths rule, fairness over
time, and Reweighing.

Vocabulary (AIF360's):

* the **favourable** outcome is the one people want (credit granted, "good credit risk");
* the **privileged** group is the reference group (e.g. applicants aged 25 and over); every other value of the
  protected column forms the **unprivileged** group;
* **disparate impact** (DI) = P(favourable | unprivileged) / P(favourable | privileged): 1 is parity, below 1 the
  unprivileged group receives the favourable outcome less often;
* **statistical parity difference** (SPD) = P(favourable | unprivileged) - P(favourable | privileged): 0 is parity.

The **four-fifths rule** (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D)) treats a selection
rate below 4/5 of the highest group's rate as *generally* evidence of adverse impact. It is an employment-selection
heuristic, borrowed by credit and AI-fairness practice, not a legal test for lending; the same paragraph says smaller
differences can matter and that differences in small samples may not be meaningful. So: a DI below 0.8 is a reason
to investigate, not a verdict, and a DI computed on a small group needs a significance check
(``AuditResult.significance``). The boundary is decided exactly, with integers: 32/100 against 40/100 is exactly 0.8 and
passes (in floating point, (32/100)/(40/100) is 0.7999999999999999 and would fail).

AIF360 accepts only numeric, NaN-free columns and silently returns nan when a group value does not occur; the
functions here accept string groups ("female", "25+"), map them to 1/0 internally, and raise a ``ValueError`` naming
the offending column or value instead.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_no_nan, require_rows


def _import_aif360():
    """Import AIF360 without its import-time noise and without touching the root logger for good.

    On import, AIF360 calls ``logging.warning`` for each optional dependency it lacks (tensorflow, fairlearn,
    inFairness). With no handler on the root logger, the first such call runs ``logging.basicConfig`` and leaves a
    stderr handler on the root logger, which then prints every library's warnings for the rest of the session. While
    importing, the root logger gets a NullHandler (so ``basicConfig`` does nothing) and level ERROR; both are restored.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    level = root.level
    root.addHandler(guard)
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from aif360.algorithms.preprocessing import Reweighing
            from aif360.datasets import BinaryLabelDataset
            from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric
    finally:
        root.removeHandler(guard)
        root.setLevel(level)
    return BinaryLabelDataset, BinaryLabelDatasetMetric, ClassificationMetric, Reweighing


BinaryLabelDataset, BinaryLabelDatasetMetric, ClassificationMetric, Reweighing = _import_aif360()

#: The four-fifths threshold as an exact fraction.
FOUR_FIFTHS = Fraction(4, 5)
#: Names AIF360 sees: the protected column becomes 1 (privileged) / 0 (unprivileged), the outcome 1/0 (favourable).
_PROT, _LABEL = "protected", "label"
_PRIV, _UNPRIV = [{_PROT: 1}], [{_PROT: 0}]

STATUS_OK = "ok"
STATUS_BREACH = "breach"
STATUS_NO_ROWS = "no rows"
STATUS_NO_FAVOURABLE = "no favourable outcomes (DI undefined)"


# ----------------------------------------------------------------------------------------------------------------
# Input mapping and checks
# ----------------------------------------------------------------------------------------------------------------
def _as_values(privileged: Any) -> list[Any]:
    if isinstance(privileged, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
        values = list(privileged)
    else:
        values = [privileged]
    if not values:
        raise ValueError("privileged must be a value or a non-empty list of values of the protected column")
    return values


def _describe_values(values: Iterable[Any], limit: int = 20) -> str:
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    values = sorted(values, key=lambda v: (str(type(v)), v) if not isinstance(v, str) else ("str", v))
    shown = ", ".join(map(repr, values[:limit]))
    return shown + (f", ... ({len(values)} values)" if len(values) > limit else "")


@dataclass(frozen=True)
class _Groups:
    """The protected column mapped to 1 (privileged) / 0 (unprivileged), with display names."""

    column: str
    values: tuple
    privileged_name: str
    unprivileged_name: str


def _groups(df: pd.DataFrame, protected: str, privileged: Any, what: str) -> _Groups:
    """Check that every privileged value occurs and that some rows are unprivileged; name the groups."""
    values = _as_values(privileged)
    present = list(pd.unique(df[protected]))
    missing = [v for v in values if not bool(df[protected].isin([v]).any())]
    if missing:
        raise ValueError(
            f"privileged value {_describe_values(missing)} does not occur in column {protected!r} of {what}; "
            f"values present: {_describe_values(present)}"
        )
    others = [v for v in present if v not in values]
    if not others:
        raise ValueError(
            f"every row of {what} is privileged ({protected!r} in {_describe_values(values)}): there is no "
            f"unprivileged group to compare with"
        )
    privileged_name = str(values[0]) if len(values) == 1 else " / ".join(map(str, values))
    unprivileged_name = str(others[0]) if len(others) == 1 else f"not {privileged_name}"
    return _Groups(protected, tuple(values), privileged_name, unprivileged_name)


def _privileged_mask(df: pd.DataFrame, groups: _Groups) -> np.ndarray:
    return df[groups.column].isin(list(groups.values)).to_numpy()


def _binary(df: pd.DataFrame, column: str, favorable: Any, what: str) -> np.ndarray:
    """The column as 1 (favourable) / 0 (any single other value); raise for a non-binary column."""
    present = list(pd.unique(df[column]))
    if favorable not in present and not (set(present) <= {0, 1} and favorable in (0, 1)):
        raise ValueError(
            f"favourable value {favorable!r} does not occur in column {column!r} of {what}; "
            f"values present: {_describe_values(present)}"
        )
    others = [v for v in present if v != favorable]
    if len(others) > 1:
        raise ValueError(
            f"column {column!r} of {what} must be binary (the favourable value {favorable!r} and one other), "
            f"found values {_describe_values(present)}"
        )
    return (df[column] == favorable).to_numpy().astype(int)


def _check(df: pd.DataFrame, columns: list[str], what: str) -> None:
    require_rows(df, what)
    require_columns(df, columns, what)
    require_no_nan(df, columns, what)


def _dataset(labels: np.ndarray, privileged_mask: np.ndarray) -> BinaryLabelDataset:
    frame = pd.DataFrame({_PROT: privileged_mask.astype(float), _LABEL: np.asarray(labels, dtype=float)})
    return BinaryLabelDataset(
        df=frame, label_names=[_LABEL], protected_attribute_names=[_PROT], favorable_label=1.0, unfavorable_label=0.0
    )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan


# ----------------------------------------------------------------------------------------------------------------
# Outcome audit (data or decisions)
# ----------------------------------------------------------------------------------------------------------------
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
            ratio=_ratio(a * n2, n1 * c) if c else math.inf,
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


def _audit_arrays(labels: np.ndarray, privileged_mask: np.ndarray, groups: _Groups, outcome: str) -> AuditResult:
    n_priv = int(privileged_mask.sum())
    n_unpriv = int(len(privileged_mask) - n_priv)
    fav_priv = int(labels[privileged_mask].sum())
    fav_unpriv = int(labels[~privileged_mask].sum())
    metric = BinaryLabelDatasetMetric(_dataset(labels, privileged_mask), unprivileged_groups=_UNPRIV,
                                      privileged_groups=_PRIV)
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
    _check(df, [outcome, protected], what)
    groups = _groups(df, protected, privileged, what)
    labels = _binary(df, outcome, favorable, what)
    return _audit_arrays(labels, _privileged_mask(df, groups), groups, outcome)


# ----------------------------------------------------------------------------------------------------------------
# Classifier audit
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassificationAudit:
    """Error rates of a classifier by group (AIF360's ClassificationMetric).

    "Positive" means the favourable value: with ``label`` = "repaid" and ``prediction`` = "approved", the true
    positive rate (TPR) is the share of applicants who would repay that the model approves, and the false positive
    rate (FPR) the share of those who would default that it approves anyway.
    """

    label: str
    prediction: str
    protected: str
    privileged_group: str
    unprivileged_group: str
    equal_opportunity_difference: float  #: TPR(unprivileged) - TPR(privileged); 0 is equal opportunity
    average_odds_difference: float  #: mean of the FPR and TPR differences; 0 is equalised odds on average
    disparate_impact: float  #: selection rate ratio, unprivileged / privileged
    statistical_parity_difference: float  #: selection rate difference, unprivileged - privileged
    accuracy: float  #: overall share of correct predictions
    by_group: pd.DataFrame  #: one row per group: rows, base_rate, selection_rate, tpr, fpr, accuracy
    selection: AuditResult  #: the audit of the predictions alone (exact four-fifths verdict and counts)

    @property
    def passes_four_fifths(self) -> bool:
        """Exact four-fifths verdict on the selection rates (see ``AuditResult.passes_four_fifths``)."""
        return self.selection.passes_four_fifths

    def table(self) -> pd.DataFrame:
        """``by_group`` rounded to 4 decimals."""
        return self.by_group.round(4)

    def as_dict(self) -> dict[str, float]:
        """Flat numeric summary (for logging to an experiment tracker)."""
        return {
            "equal_opportunity_difference": float(self.equal_opportunity_difference),
            "average_odds_difference": float(self.average_odds_difference),
            "disparate_impact": float(self.disparate_impact),
            "statistical_parity_difference": float(self.statistical_parity_difference),
            "accuracy": float(self.accuracy),
            "passes_four_fifths": float(self.passes_four_fifths),
        }


def classification_audit(
    df: pd.DataFrame, label: str, prediction: str, protected: str, privileged: Any, favorable: Any = 1
) -> ClassificationAudit:
    """Audit a classifier's decisions against the true outcomes, by group (AIF360's ClassificationMetric).

    Args:
        df: one row per person with the true outcome, the decision and the protected column.
        label: the true outcome; ``favorable`` must mean the same in ``label`` and ``prediction`` (e.g. label
            ``repaid`` = 1 - ``defaulted`` with prediction ``approved``).
        prediction: the model's decision.
        protected, privileged: as in ``audit``.
        favorable: the favourable value of both columns.

    Raises:
        ValueError: as ``audit``, and when a group has no row with the favourable or the unfavourable true outcome
            (its TPR or FPR would be undefined).
    """
    what = "classification data"
    _check(df, [label, prediction, protected], what)
    groups = _groups(df, protected, privileged, what)
    y_true = _binary(df, label, favorable, what)
    y_pred = _binary(df, prediction, favorable, what)
    mask = _privileged_mask(df, groups)
    for name, in_group in ((groups.privileged_name, mask), (groups.unprivileged_name, ~mask)):
        positives = int(y_true[in_group].sum())
        if positives == 0 or positives == int(in_group.sum()):
            kind = "favourable" if positives == 0 else "unfavourable"
            raise ValueError(
                f"group {name!r} of column {protected!r} has no row with the {kind} true outcome in {label!r}: "
                f"its {'true' if positives == 0 else 'false'} positive rate is undefined"
            )
    truth = _dataset(y_true, mask)
    predicted = truth.copy(deepcopy=True)
    predicted.labels = y_pred.reshape(-1, 1).astype(float)
    metric = ClassificationMetric(truth, predicted, unprivileged_groups=_UNPRIV, privileged_groups=_PRIV)
    selection = _audit_arrays(y_pred, mask, groups, prediction)
    rows = []
    for flag in (True, False):
        in_group = mask if flag else ~mask
        rows.append(
            {
                "role": "privileged" if flag else "unprivileged",
                "rows": int(in_group.sum()),
                "base_rate": float(y_true[in_group].mean()),
                "selection_rate": float(metric.selection_rate(privileged=flag)),
                "tpr": float(metric.true_positive_rate(privileged=flag)),
                "fpr": float(metric.false_positive_rate(privileged=flag)),
                "accuracy": float(metric.accuracy(privileged=flag)),
            }
        )
    by_group = pd.DataFrame(rows, index=pd.Index([groups.privileged_name, groups.unprivileged_name], name=protected))
    return ClassificationAudit(
        label=label,
        prediction=prediction,
        protected=protected,
        privileged_group=groups.privileged_name,
        unprivileged_group=groups.unprivileged_name,
        equal_opportunity_difference=float(metric.equal_opportunity_difference()),
        average_odds_difference=float(metric.average_odds_difference()),
        disparate_impact=selection.disparate_impact,
        statistical_parity_difference=selection.statistical_parity_difference,
        accuracy=float(metric.accuracy()),
        by_group=by_group,
        selection=selection,
    )


# ----------------------------------------------------------------------------------------------------------------
# Mitigation
# ----------------------------------------------------------------------------------------------------------------
def reweigh(df: pd.DataFrame, outcome: str, protected: str, privileged: Any, favorable: Any = 1) -> np.ndarray:
    """Sample weights from AIF360's Reweighing (Kamiran & Calders), aligned with the rows of ``df``.

    Each (group, outcome) cell gets weight P(group) x P(outcome) / P(group, outcome): after weighting, outcome and
    group are independent in the training data (the weighted DI of ``outcome`` is exactly 1). Pass the result as
    ``sample_weight`` to a scikit-learn model (``helpers.models.train_baseline(..., sample_weight=w)``).

    Raises:
        ValueError: as ``audit``, and when a (group, outcome) cell is empty (its weight would be infinite).
    """
    what = "training data"
    _check(df, [outcome, protected], what)
    groups = _groups(df, protected, privileged, what)
    labels = _binary(df, outcome, favorable, what)
    mask = _privileged_mask(df, groups)
    for name, in_group in ((groups.privileged_name, mask), (groups.unprivileged_name, ~mask)):
        for value, kind in ((1, "favourable"), (0, "unfavourable")):
            if not np.any(labels[in_group] == value):
                raise ValueError(
                    f"group {name!r} of column {protected!r} has no row with the {kind} outcome in {outcome!r}: "
                    f"Reweighing needs every (group, outcome) combination"
                )
    transformed = Reweighing(unprivileged_groups=_UNPRIV, privileged_groups=_PRIV).fit_transform(
        _dataset(labels, mask)
    )
    return np.asarray(transformed.instance_weights, dtype=float).copy()


# ----------------------------------------------------------------------------------------------------------------
# Fairness over time and the "below 0.8 for 3+ days" rule
# ----------------------------------------------------------------------------------------------------------------
def _threshold_fraction(threshold: float | Fraction, name: str = "threshold") -> Fraction:
    """A disparate-impact line as an exact fraction; it must lie in (0, 1] (a ratio of two rates, 1 = parity)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating, Fraction)):
        raise ValueError(f"{name} must be a disparate-impact ratio in (0, 1] such as 0.8, got {threshold!r}")
    if not math.isfinite(float(threshold)) or not 0 < threshold <= 1:
        raise ValueError(
            f"{name} must be a disparate-impact ratio in (0, 1] such as 0.8 (the four-fifths rule), got "
            f"{threshold!r}: above 1 every period would be a breach, even at parity"
        )
    if isinstance(threshold, Fraction):
        return threshold
    return Fraction(str(float(threshold)))  # 0.8 -> 4/5 exactly (Fraction(0.8) would be 0.8000000000000000444)


def _below(fav_u: int, n_u: int, fav_p: int, n_p: int, threshold: Fraction) -> bool:
    """rate_u < threshold x rate_p, decided with integers."""
    return fav_u * n_p * threshold.denominator < threshold.numerator * fav_p * n_u


def fairness_timeline(
    df: pd.DataFrame,
    outcome: str,
    protected: str,
    privileged: Any,
    date_column: str = "date",
    freq: str = "D",
    favorable: Any = 1,
    threshold: float = 0.8,
) -> pd.DataFrame:
    """The audit repeated per period (day by default): one row per period, empty periods included.

    Periods: for a datetime ``date_column``, calendar bins of ``freq`` (pandas offset alias: "D", "W", "MS" ...)
    from the first to the last date, labelled by their start; for an integer column (e.g. ``day``), every integer
    from the smallest to the largest value (``freq`` is ignored).

    Returns:
        Columns ``period``, ``n_privileged``, ``n_unprivileged``, ``favorable_privileged``,
        ``favorable_unprivileged``, ``rate_privileged``, ``rate_unprivileged``, ``disparate_impact``,
        ``statistical_parity_difference`` (both from AIF360), ``passes_four_fifths`` and ``breach`` (DI below
        ``threshold``, decided exactly; both nullable booleans, NA when a group is empty) and ``status``: ``"ok"``,
        ``"breach"``, ``"no rows"``, ``"no <group> rows"`` (a group absent that period: DI undefined) or
        ``"no favourable outcomes (DI undefined)"``.

    Raises:
        ValueError: as ``audit`` (checked on the whole frame), NaN or a missing ``date_column``, or a
            ``date_column`` that is neither datetime nor integer.
    """
    what = "timeline data"
    _check(df, [outcome, protected, date_column], what)
    limit = _threshold_fraction(threshold)
    groups = _groups(df, protected, privileged, what)
    labels = _binary(df, outcome, favorable, what)
    mask = _privileged_mask(df, groups)
    dates = df[date_column]
    if pd.api.types.is_datetime64_any_dtype(dates):
        try:
            keys = dates.dt.to_period(freq).dt.start_time
            periods = pd.period_range(dates.min(), dates.max(), freq=freq).start_time
        except ValueError as error:
            raise ValueError(f"freq {freq!r} is not a pandas period alias such as 'D', 'W' or 'M': {error}") from None
    elif pd.api.types.is_integer_dtype(dates):
        keys = dates
        periods = pd.RangeIndex(int(dates.min()), int(dates.max()) + 1)
    else:
        raise ValueError(
            f"column {date_column!r} must hold dates (datetime64) or whole numbers (e.g. a day number), "
            f"found dtype {dates.dtype}"
        )
    positions = pd.Series(np.arange(len(df)), index=pd.Index(keys.to_numpy()))
    by_period = positions.groupby(level=0).indices
    rows = []
    for period in periods:
        index = by_period.get(period)
        idx = positions.to_numpy()[index] if index is not None else np.array([], dtype=int)
        row: dict[str, Any] = {"period": period}
        n_p = int(mask[idx].sum())
        n_u = int(len(idx) - n_p)
        row.update(n_privileged=n_p, n_unprivileged=n_u, favorable_privileged=int(labels[idx][mask[idx]].sum()),
                   favorable_unprivileged=int(labels[idx][~mask[idx]].sum()))
        if n_p == 0 or n_u == 0:
            missing = [name for name, n in ((groups.privileged_name, n_p), (groups.unprivileged_name, n_u)) if n == 0]
            status = STATUS_NO_ROWS if len(missing) == 2 else f"no {missing[0]} rows"
            row.update(rate_privileged=_ratio(row["favorable_privileged"], n_p),
                       rate_unprivileged=_ratio(row["favorable_unprivileged"], n_u), disparate_impact=math.nan,
                       statistical_parity_difference=math.nan, passes_four_fifths=pd.NA, breach=pd.NA, status=status)
        else:
            result = _audit_arrays(labels[idx], mask[idx], groups, outcome)
            breach = _below(result.favorable_unprivileged, n_u, result.favorable_privileged, n_p, limit)
            if result.favorable_privileged == 0 and result.favorable_unprivileged == 0:
                status = STATUS_NO_FAVOURABLE
            else:
                status = STATUS_BREACH if breach else STATUS_OK
            row.update(rate_privileged=result.rate_privileged, rate_unprivileged=result.rate_unprivileged,
                       disparate_impact=result.disparate_impact,
                       statistical_parity_difference=result.statistical_parity_difference,
                       passes_four_fifths=result.passes_four_fifths, breach=breach, status=status)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["passes_four_fifths"] = out["passes_four_fifths"].astype("boolean")
    out["breach"] = out["breach"].astype("boolean")
    out.attrs.update(privileged_group=groups.privileged_name, unprivileged_group=groups.unprivileged_name,
                     threshold=float(threshold))
    return out


def breach_streak(timeline: pd.DataFrame, threshold: float = 0.8, on_empty: str = "reset") -> pd.Series:
    """Consecutive periods, up to and including each row, in which the DI has been below ``threshold``.

    The comparison is exact when the timeline has the count columns of ``fairness_timeline``. A period where a group
    is empty (DI undefined) resets the streak with ``on_empty="reset"`` (as a Prometheus alert resets when its
    series is absent) or is passed over with ``on_empty="skip"`` (the streak neither grows nor resets).
    """
    require_columns(timeline, ["period", "disparate_impact"], "timeline")
    if on_empty not in ("reset", "skip"):
        raise ValueError(f"on_empty must be 'reset' or 'skip', got {on_empty!r}")
    limit = _threshold_fraction(threshold)
    count_columns = ["favorable_unprivileged", "n_unprivileged", "favorable_privileged", "n_privileged"]
    exact = all(c in timeline.columns for c in count_columns)
    streaks, streak = [], 0
    for _, row in timeline.iterrows():
        if exact:
            fav_u, n_u, fav_p, n_p = (int(row[c]) for c in count_columns)
            empty = n_u == 0 or n_p == 0
            below = not empty and _below(fav_u, n_u, fav_p, n_p, limit)
        else:
            empty = pd.isna(row["disparate_impact"])
            below = not empty and row["disparate_impact"] < float(limit)
        if empty:
            streak = 0 if on_empty == "reset" else streak
        else:
            streak = streak + 1 if below else 0
        streaks.append(streak)
    return pd.Series(streaks, index=timeline.index, name="breach_streak", dtype=int)


def persistent_breach(timeline: pd.DataFrame, threshold: float = 0.8, periods: int = 3,
                      on_empty: str = "reset") -> Any:
    """The first period at which the DI has been below ``threshold`` for ``periods`` consecutive periods, else None.

    This is the lesson's red flag "a disparate impact ratio below 0.8 for 3+ days" (with a daily timeline), the same
    rule as a Prometheus alert with ``for: 3d``: the flag fires on the third consecutive day, not the first.
    """
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 1:
        raise ValueError(f"periods must be a whole number >= 1, got {periods!r}")
    streak = breach_streak(timeline, threshold=threshold, on_empty=on_empty)
    hits = timeline.loc[streak >= periods, "period"]
    if hits.empty:
        return None
    first = hits.iloc[0]
    return first.item() if isinstance(first, np.generic) else first  # a plain int for integer periods
