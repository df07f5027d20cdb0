"""What a lender knows, and when: outcomes of the loans it made, once their outcome window has closed.

The simulated credit world records every applicant's true outcome (``defaulted``), declined applicants included:
that is the simulation's ground truth, the *oracle*. A lender never learns whether a declined applicant would have
repaid, because no loan was made (the problem of *selective labels*), and it learns an approved loan's outcome only
when the outcome window ends (``label_available_on``). Monitoring in the course uses what is observable here;
numbers computed from ``defaulted`` directly are named the oracle wherever they are shown.

The course's label is "defaulted within 30 days", a simplification: lenders usually define default as 90 or more
days past due within 12 months (the Basel definition).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_date

__all__ = ["OBSERVED_COLUMNS", "observed_outcomes", "expected_accuracy"]

OBSERVED_COLUMNS = ("approved", "defaulted", "label_available_on")
"""The columns ``observed_outcomes`` needs: the decision, the true outcome and the day it is on record."""


def observed_outcomes(decisions: pd.DataFrame, as_of=None) -> pd.Series:
    """The outcome a lender has on record for each row of ``decisions`` (the frame ``models.decide`` returns).

    A float Series aligned with ``decisions``, named ``observed_default``: ``defaulted`` (0.0 or 1.0) where the loan
    was made (``approved == 1``) and, when ``as_of`` is given, its outcome was on record by then
    (``label_available_on <= as_of``); NaN everywhere else: a declined applicant's outcome is never observed, and an
    approved loan's is not known yet before its outcome window closes.
    """
    require_columns(decisions, OBSERVED_COLUMNS, "decisions")
    approved = decisions["approved"]
    if approved.isna().any() or not approved.isin([0, 1]).all():
        bad = approved[approved.isna() | ~approved.isin([0, 1])].iloc[0]
        raise ValueError(f"decisions' column 'approved' must hold 0 or 1 (1 = the loan was made), got {bad!r}")
    known = approved.to_numpy() == 1
    if as_of is not None:
        known &= (pd.to_datetime(decisions["label_available_on"]) <= require_date(as_of, "as_of")).to_numpy()
    values = np.where(known, decisions["defaulted"].to_numpy(dtype=float), np.nan)
    return pd.Series(values, index=decisions.index, name="observed_default")


def expected_accuracy(default_probability, cutoff: float) -> float:
    """The accuracy a model expects of itself if its probabilities are calibrated (confidence-based estimation).

    For each row with default probability ``p``: the decision is "default" when ``p >= cutoff``, right with
    probability ``p``; otherwise "repay", right with probability ``1 - p``. The mean of those is the expected
    accuracy, with no labels at all (the idea of NannyML's CBPE). It is only as good as the calibration: under
    concept drift the probabilities are wrong and so is the estimate.
    """
    if isinstance(cutoff, bool) or not isinstance(cutoff, (int, float, np.integer, np.floating)) or not (
        0.0 < float(cutoff) < 1.0
    ):
        raise ValueError(f"cutoff must be a default probability between 0 and 1 (exclusive), got {cutoff!r}")
    p = np.asarray(default_probability, dtype=float).ravel()
    if p.size == 0:
        raise ValueError("default_probability is empty: expected accuracy needs at least one scored row")
    if np.isnan(p).any():
        raise ValueError(f"default_probability has {int(np.isnan(p).sum())} NaN of {p.size} values; score every row")
    if ((p < 0) | (p > 1)).any():
        bad = p[(p < 0) | (p > 1)][0]
        raise ValueError(f"default_probability must lie in [0, 1], got {bad!r}")
    return float(np.where(p >= float(cutoff), p, 1.0 - p).mean())
