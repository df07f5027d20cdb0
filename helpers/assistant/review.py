"""Human review of a 1% sample: which conversations a clinician reads, and what the reviews alone can tell.

The lesson's mitigation for silent failure is human-in-the-loop: "doctors review 1% of high-risk diagnoses". A
clinician reads the sampled conversation the next day and records the right decision, so the truth of a reviewed
case is known at once instead of ``LABEL_DELAY_DAYS`` later.

* ``high_risk(log)``: the course's definition of a high-risk case (see ``HIGH_RISK``).
* ``sample_reviews(log, share, strategy)``: each day, ``share`` of that day's messages (rounded, at least one),
  drawn uniformly from all messages (``"uniform"``) or from the high-risk ones (``"risk"``; topped up uniformly
  when there are too few).
* ``review_estimates(reviews, ...)``: a segment's accuracy from the reviews of the last ``window`` days, with its
  Wilson interval, each day; ``first_review_detection`` the first day that interval lies below a line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.assistant.segments import wilson_interval
from helpers.lines import ACCURACY_LINE
from helpers.validation import (
    require_columns,
    require_date,
    require_no_nan,
    require_number,
    require_proportion,
    require_rows,
    require_seed,
    require_whole_number,
)

__all__ = [
    "HIGH_RISK",
    "REVIEW_SHARE",
    "STRATEGIES",
    "first_review_detection",
    "high_risk",
    "review_estimates",
    "sample_reviews",
]

#: The lesson's review budget: 1% of the day's conversations.
REVIEW_SHARE = 0.01
#: How reviews are drawn each day.
STRATEGIES = ("uniform", "risk")
#: What makes a case high-risk here: a patient aged 65 or over (the group in which diabetes most often presents
#: atypically) was advised self-care (the advice that hurts when it is wrong: a missed diabetes), or the model was
#: unsure (urgent probability between 0.2 and 0.8), or the message holds words the model never saw in training
#: (a share of unseen words of at least 0.1).
HIGH_RISK = {"age_band": "65+", "advice": 0, "unsure_between": (0.2, 0.8), "min_unseen_share": 0.1}


def high_risk(log: pd.DataFrame, unseen_share: str = "unseen_share") -> pd.Series:
    """True for the high-risk cases of ``log`` (``HIGH_RISK``): self-care advice to 65+, an unsure model, unseen words.

    Needs ``age_band``, ``predicted_urgent`` and ``urgent_probability``; ``unseen_share`` (e.g.
    ``helpers.assistant.triage.unseen_word_share`` of the messages) is used when the column is present.
    """
    require_columns(log, ["age_band", "predicted_urgent", "urgent_probability"], "log")
    low, high = HIGH_RISK["unsure_between"]
    risky = (log["age_band"].astype(str) == HIGH_RISK["age_band"]) & (log["predicted_urgent"] == HIGH_RISK["advice"])
    risky |= log["urgent_probability"].between(low, high)
    if unseen_share in log.columns:
        risky |= log[unseen_share] >= HIGH_RISK["min_unseen_share"]
    return risky.rename("high_risk")


def sample_reviews(
    log: pd.DataFrame,
    share: float = REVIEW_SHARE,
    strategy: str = "uniform",
    seed: int = 0,
    date_column: str = "date",
) -> pd.DataFrame:
    """The conversations a clinician reviews: each day ``round(share * messages that day)`` of them (at least 1).

    Args:
        log: one row per message (needs ``age_band`` and ``urgent_probability`` for ``strategy="risk"``).
        share: the review budget as a share of each day's messages, e.g. 0.01.
        strategy: ``"uniform"`` (every message equally likely) or ``"risk"`` (only high-risk messages, see
            ``high_risk``; when a day has fewer high-risk messages than its budget, the rest is drawn uniformly).
        seed: random seed of the draw.

    Returns:
        The reviewed rows of ``log`` (same columns, original index), with ``reviewed_on`` (the next day) and
        ``high_risk`` added, sorted by date.

    Raises:
        ValueError: an empty log, a missing column, a share outside (0, 1], an unknown strategy.
    """
    require_rows(log, "log")
    require_columns(log, [date_column], "log")
    require_no_nan(log, [date_column], "log")
    if not 0 < (share := require_number(share, "share")) <= 1:
        raise ValueError(f"share must be a fraction in (0, 1], e.g. 0.01 for 1%, got {share!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; valid strategies are: {', '.join(STRATEGIES)}")
    risky = high_risk(log) if strategy == "risk" else pd.Series(False, index=log.index)
    rng = np.random.default_rng(require_seed(seed))
    picked = []
    for _, day in log.groupby(log[date_column].dt.normalize(), sort=True):
        budget = max(1, int(round(share * len(day))))
        pool = day.index[risky.loc[day.index].to_numpy()] if strategy == "risk" else day.index
        if len(pool) >= budget:
            chosen = rng.choice(pool, size=budget, replace=False)
        else:
            rest = day.index.difference(pool)
            chosen = np.concatenate([pool, rng.choice(rest, size=budget - len(pool), replace=False)])
        picked.extend(chosen.tolist())
    reviews = log.loc[sorted(picked)].copy()
    needed = {"age_band", "predicted_urgent", "urgent_probability"}
    reviews["high_risk"] = high_risk(reviews).to_numpy() if needed <= set(log.columns) else False
    reviews["reviewed_on"] = reviews[date_column].dt.normalize() + pd.Timedelta(days=1)
    return reviews.sort_values(date_column, kind="stable")


def review_estimates(
    reviews: pd.DataFrame,
    segment_value: str = "65+",
    advice: int | None = 0,
    segment: str = "age_band",
    window: int = 14,
    confidence: float = 0.95,
    label: str = "urgent",
    prediction: str = "predicted_urgent",
    date_column: str = "date",
) -> pd.DataFrame:
    """Each day, the accuracy of the reviewed ``segment_value`` cases of the last ``window`` days, with an interval.

    ``advice``: only the cases given that decision (0 = self-care, the default: the advice that hurts when wrong;
    1 = see a doctor); None for every reviewed case of the segment.

    Returns:
        One row per day from the first to the last review: ``period``, ``reviewed`` (cases in the window),
        ``correct``, ``accuracy`` with ``accuracy_low``/``accuracy_high`` (Wilson; ``<NA>`` when no case was
        reviewed in the window) and ``known_on`` (the day after ``period``, when its last review is in).

    Raises:
        ValueError: an empty frame, a missing column, a bad window, a segment value that never occurs.
    """
    require_rows(reviews, "reviews")
    require_columns(reviews, [segment, label, prediction, date_column], "reviews")
    require_whole_number(window, "window", minimum=1, unit="days")
    values = set(reviews[segment].astype(str))
    if segment_value not in values:
        raise ValueError(
            f"no reviewed case has {segment}={segment_value!r}; the reviews hold: {', '.join(sorted(values))}"
        )
    days = pd.date_range(reviews[date_column].min().normalize(), reviews[date_column].max().normalize(), freq="D")
    part = reviews[reviews[segment].astype(str) == segment_value]
    if advice is not None:
        if advice not in (0, 1):
            raise ValueError(f"advice must be 0 (self-care), 1 (see a doctor) or None (both), got {advice!r}")
        part = part[part[prediction] == advice]
    correct = (part[label] == part[prediction]).astype(int)
    daily = pd.DataFrame({"reviewed": 1, "correct": correct.to_numpy()}, index=part[date_column].dt.normalize())
    daily = daily.groupby(level=0).sum().reindex(days, fill_value=0)
    pooled = daily.rolling(window, min_periods=1).sum().astype(int)
    ok = pooled["reviewed"].to_numpy() > 0
    n = np.where(ok, pooled["reviewed"].to_numpy(), 1)
    low, high = wilson_interval(np.where(ok, pooled["correct"].to_numpy(), 0), n, confidence)
    out = pooled.rename_axis("period").reset_index()
    out["accuracy"] = pd.arrays.FloatingArray(np.where(ok, out["correct"] / n, 0.0), mask=~ok)
    out["accuracy_low"] = pd.arrays.FloatingArray(np.where(ok, low, 0.0), mask=~ok)
    out["accuracy_high"] = pd.arrays.FloatingArray(np.where(ok, high, 0.0), mask=~ok)
    out["known_on"] = out["period"] + pd.Timedelta(days=1)
    return out


def first_review_detection(
    estimates: pd.DataFrame, threshold: float = ACCURACY_LINE, min_reviews: int = 1, after=None
) -> pd.Series | None:
    """The first day the reviews' interval lies entirely below ``threshold`` (``accuracy_high`` < threshold), or None.

    ``min_reviews``: a day counts only when its window holds at least this many reviewed cases.
    """
    require_columns(estimates, ["period", "reviewed", "accuracy_high"], "estimates")
    rows = estimates if after is None else estimates[estimates["period"] >= require_date(after, "after")]
    below = rows[
        rows["accuracy_high"].notna() & (rows["accuracy_high"].astype(float) < require_proportion(threshold, "threshold"))
        & (rows["reviewed"] >= min_reviews)
    ]
    return None if below.empty else below.iloc[0]
