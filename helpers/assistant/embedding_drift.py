"""Drift of messages in the model's embedding space, per segment and day.

* ``mean_shift_test(reference, current)``: Hotelling's T-squared test of whether the current window's mean embedding
  differs from the reference's: the difference of means, whitened with the reference's covariance, squared and
  scaled by the window's size, follows a chi-squared distribution with one degree of freedom per dimension when
  nothing moved. Cheap (a matrix product), so it runs on every day and segment: ``embedding_drift_timeline``.
* ``domain_auc(reference, current)``: a domain classifier, the method of Evidently's ``EmbeddingsDrift``
  (``model``), for a closer look at one window.

A domain classifier asks: can a model tell this week's messages from the reference weeks' by their embeddings alone?
It is trained with cross-validation (each message scored by a model that did not see it) and scored by ROC AUC:
0.5 means the two samples cannot be told apart; 1.0 means they are fully separable. Evidently's ``EmbeddingsDrift``
offers the same method (``model``, ROC AUC above 0.55 by default, on one 50/50 split); here it runs on every day and
segment, so it uses a smaller, cheaper set-up: at most ``REFERENCE_ROWS`` reference rows per segment, 2-fold
cross-validation, and a line of ``AUC_LINE`` that same-distribution samples of a few dozen rows stay below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from helpers.validation import require_columns, require_rows, require_whole_number

__all__ = ["AUC_LINE", "P_LINE", "REFERENCE_ROWS", "domain_auc", "embedding_drift_timeline", "mean_shift_test"]

#: A window drifts when the mean-shift test's p-value is at or below this: strict, because the test runs every day in
#: each segment (hundreds of tests) and its chi-squared approximation is optimistic with a covariance estimated from
#: a few hundred reference rows in 48 dimensions.
P_LINE = 1e-6

#: Above this cross-validated ROC AUC a window's embeddings count as drifted from the reference.
AUC_LINE = 0.7
#: Reference rows per segment (a seeded sample): enough for a stable classifier, cheap enough to run daily.
REFERENCE_ROWS = 300


def domain_auc(reference: np.ndarray, current: np.ndarray, seed: int = 0) -> float:
    """Cross-validated ROC AUC of a logistic regression telling ``current`` rows from ``reference`` rows."""
    if len(reference) < 2 or len(current) < 2:
        raise ValueError(f"domain_auc needs at least 2 rows on each side, got {len(reference)} reference and "
                         f"{len(current)} current")
    x = np.vstack([reference, current]).astype(np.float32)
    y = np.r_[np.zeros(len(reference)), np.ones(len(current))]
    folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=seed)
    score = cross_val_predict(LogisticRegression(max_iter=1000), x, y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, score))


def mean_shift_test(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """Hotelling's T-squared statistic of ``current``'s mean against ``reference`` (mean and covariance), and its
    p-value from the chi-squared distribution (degrees of freedom: the number of dimensions)."""
    from scipy.stats import chi2

    reference, current = np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64)
    if len(reference) <= reference.shape[1] or len(current) < 1:
        raise ValueError(f"mean_shift_test needs more reference rows ({len(reference)}) than dimensions "
                         f"({reference.shape[1]}) and at least one current row ({len(current)})")
    difference = current.mean(0) - reference.mean(0)
    covariance = np.cov(reference, rowvar=False) * (1 / len(current) + 1 / len(reference))
    statistic = float(difference @ np.linalg.solve(covariance, difference))
    return statistic, float(chi2.sf(statistic, df=reference.shape[1]))


def embedding_drift_timeline(
    log: pd.DataFrame, columns: list[str], reference_days: int = 28, window: int = 7, segment: str = "age_band",
    threshold: float = P_LINE,
) -> pd.DataFrame:
    """Each day from ``reference_days + window - 1`` on and each segment: the mean-shift test of the last ``window``
    days against the segment's days 0 .. ``reference_days`` - 1.

    Returns ``segment``, ``day``, ``rows`` (in the window), ``statistic``, ``p_value`` and ``drift``
    (p_value <= ``threshold``); a window with fewer than 5 rows is skipped.
    """
    require_rows(log, "log")
    require_columns(log, ["day", segment, *columns], "log")
    require_whole_number(window, "window", minimum=1)
    require_whole_number(reference_days, "reference_days", minimum=1)
    day = log["day"].to_numpy()
    values = log[columns].to_numpy(dtype=np.float64)
    rows = []
    for name in log[segment].astype(str).unique():
        mine = (log[segment].astype(str) == name).to_numpy()
        reference = values[mine & (day < reference_days)]
        for d in range(reference_days + window - 1, int(day.max()) + 1):
            current = values[mine & (day > d - window) & (day <= d)]
            if len(current) < 5:
                continue
            statistic, p = mean_shift_test(reference, current)
            rows.append({"segment": name, "day": d, "rows": len(current), "statistic": statistic, "p_value": p,
                         "drift": p <= threshold})
    return pd.DataFrame(rows)
