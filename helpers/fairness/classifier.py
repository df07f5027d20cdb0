"""The classifier audit: error rates by group (AIF360's ClassificationMetric) beside the selection audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.fairness.aif import PRIVILEGED_GROUPS, UNPRIVILEGED_GROUPS, ClassificationMetric, as_dataset
from helpers.fairness.audit import AuditResult, audit_arrays
from helpers.fairness.inputs import Groups, binary, check_frame, privileged_mask, resolve_groups

__all__ = [
    "ClassificationAudit", "classification_audit",
]


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

    @property
    def tpr_gap(self) -> float:
        """TPR(unprivileged) - TPR(privileged): the share of good risks approved, compared (= equal opportunity)."""
        return float(self.by_group["tpr"].iloc[1] - self.by_group["tpr"].iloc[0])

    @property
    def fpr_gap(self) -> float:
        """FPR(unprivileged) - FPR(privileged): the share of bad risks approved anyway, compared.

        Report it beside ``tpr_gap``: the average odds difference is their mean, so a TPR gap that shrinks can hide
        an FPR gap that grows.
        """
        return float(self.by_group["fpr"].iloc[1] - self.by_group["fpr"].iloc[0])

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
    check_frame(df, [label, prediction, protected], what)
    groups = resolve_groups(df, protected, privileged, what)
    y_true = binary(df, label, favorable, what)
    y_pred = binary(df, prediction, favorable, what)
    mask = privileged_mask(df, groups)
    _require_both_outcomes(y_true, mask, groups, protected, label)
    truth = as_dataset(y_true, mask)
    predicted = truth.copy(deepcopy=True)
    predicted.labels = y_pred.reshape(-1, 1).astype(float)
    metric = ClassificationMetric(truth, predicted, unprivileged_groups=UNPRIVILEGED_GROUPS, privileged_groups=PRIVILEGED_GROUPS)
    selection = audit_arrays(y_pred, mask, groups, prediction)
    by_group = _rates_by_group(metric, y_true, mask, groups, protected)
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


def _require_both_outcomes(y_true: np.ndarray, mask: np.ndarray, groups: Groups, protected: str, label: str) -> None:
    """Refuse a group (``mask``: the privileged rows) whose true outcomes ``y_true`` (1 = favourable) are all one
    value: with no favourable row its TPR is undefined, with no unfavourable row its FPR is."""
    for name, in_group in ((groups.privileged_name, mask), (groups.unprivileged_name, ~mask)):
        positives = int(y_true[in_group].sum())
        if positives == 0 or positives == int(in_group.sum()):
            kind = "favourable" if positives == 0 else "unfavourable"
            raise ValueError(
                f"group {name!r} of column {protected!r} has no row with the {kind} true outcome in {label!r}: "
                f"its {'true' if positives == 0 else 'false'} positive rate is undefined"
            )


def _rates_by_group(metric, y_true: np.ndarray, mask: np.ndarray, groups: Groups, protected: str) -> pd.DataFrame:
    """``ClassificationAudit.by_group``: for the privileged group, then the unprivileged one, its ``rows``, its
    ``base_rate`` (share with the favourable true outcome) and AIF360's selection rate, TPR, FPR and accuracy
    (shares 0-1), indexed by the group's value of ``protected``."""
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
    return pd.DataFrame(rows, index=pd.Index([groups.privileged_name, groups.unprivileged_name], name=protected))
