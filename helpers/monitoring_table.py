"""The daily monitoring table: one row per evening, holding only what a lender's monitoring knows that evening.

* ``daily_table(decisions, first, last, ...)``: for each day from ``first`` to ``last`` (dates), the day's approval
  rates by group and their ratio (disparate impact, known on decision day), the model's expected accuracy (CBPE,
  ``helpers.labels.expected_accuracy``: no labels needed), and two accuracies known that evening, each placed on
  the day its last outcome arrived: ``accuracy_loans_made`` (the ``window``-day accuracy on the loans the model
  approved, which a declined applicant never enters) and ``accuracy`` (the whole population's accuracy estimated from the loans made
  and the paid exploration holdout, pooled over ``holdout_window`` days: ``helpers.labels.holdout_timeline``).
  Drift columns computed elsewhere (``helpers.drift.drift_timeline``) are joined by date when given.
* ``simulated_monitoring(scenario, ...)``: the table for a simulated world end to end (a model trained on its first
  days, a 2% holdout), with the column names the live MLflow demo logs (``python -m course live``).

The simulation's ground truth (every applicant's outcome) never enters the table: it is what the table is graded
against, and a notebook that shows it names it the oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.labels import expected_accuracy, holdout_timeline
from helpers.models import DEFAULT_CUTOFF
from helpers.performance import performance_timeline
from helpers.validation import require_columns, require_date, require_rows, require_whole_number

__all__ = ["TABLE_COLUMNS", "daily_table", "simulated_monitoring"]

#: Columns of ``daily_table`` besides the per-group approval rates (``approval_rate_<group>``) and joined drift.
TABLE_COLUMNS = [
    "date", "approval_rate", "disparate_impact", "expected_accuracy", "accuracy_loans_made", "accuracy",
]


def daily_table(
    decisions: pd.DataFrame, first, last, *, protected: str = "group", privileged: str = "majority",
    window: int = 7, holdout_window: int = 28, drift: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per evening from ``first`` to ``last`` (dates, inclusive): what the monitoring knows that evening.

    ``decisions`` is ``helpers.labels.explore``'s frame (the model's decisions with the holdout), covering the
    decision days the accuracies need (their outcomes arrive later, so an evening's accuracy describes decisions
    30 days old or more). ``disparate_impact`` is the unprivileged groups' approval rate over the ``privileged``
    group's (with two groups, AIF360's disparate impact); ``drift``, if given, is a frame indexed by date (e.g.
    ``drift_timeline``'s scores pivoted by column, or a share) whose columns are joined as they are. Days without a
    value hold NaN: no sample that evening (an alert rule sees no data, as Prometheus would).
    """
    require_rows(decisions, "decisions")
    require_columns(decisions, ["date", "approved", "predicted_default", "default_probability", protected],
                    "decisions")
    start, end = require_date(first, "first"), require_date(last, "last")
    if start > end:
        raise ValueError(f"first ({start.date()}) is after last ({end.date()})")
    require_whole_number(window, "window", minimum=1, unit="days")
    dates = pd.date_range(start, end, name="date")
    rates = decisions.groupby(["date", protected])["approved"].mean().unstack().reindex(dates)
    if privileged not in rates.columns:
        raise ValueError(f"privileged group {privileged!r} does not occur in decisions[{protected!r}]; "
                         f"its values are: {', '.join(map(str, rates.columns))}")
    others = [g for g in rates.columns if g != privileged]
    table = pd.DataFrame(index=dates)
    table["approval_rate"] = decisions.groupby("date")["approved"].mean().reindex(dates)
    table["disparate_impact"] = rates[others[0]] / rates[privileged] if len(others) == 1 else np.nan
    for group in rates.columns:
        table[f"approval_rate_{group}"] = rates[group]
    table["expected_accuracy"] = decisions.groupby("date")["default_probability"].apply(
        expected_accuracy, threshold=DEFAULT_CUTOFF).reindex(dates)
    own = decisions.assign(approved_by_model=1 - decisions["predicted_default"])  # the holdout's loans left out
    made = performance_timeline(own, window=window, observed="approved_by_model")
    made = made.set_index("labels_complete_on")["rolling_accuracy"]
    table["accuracy_loans_made"] = made.astype(float).reindex(dates)
    holdout = holdout_timeline(decisions, window=holdout_window).set_index("known_on")["accuracy"]
    table["accuracy"] = holdout.astype(float).reindex(dates)
    if drift is not None:
        table = table.join(drift.reindex(dates))
    return table.reset_index()


def simulated_monitoring(scenario: str = "proxy_bias", days: int = 180, per_day: int = 300, seed: int = 0,
                         holdout_share: float = 0.02) -> pd.DataFrame:
    """The daily table of a simulated world, as ``python -m course live`` plays it back.

    A baseline model trained on the first 60 days (or the first half, for shorter runs) decides every application,
    with a random ``holdout_share`` of the declined approved anyway. Columns: ``date``; ``accuracy`` (the whole
    population's, estimated from the loans made and the holdout, 28 days pooled, on the day it is known);
    ``fairness_ratio`` (disparate impact of approvals, minority rate / majority rate); ``drift_share`` (share of the
    applicant features whose day drifted from the training days, Evidently's default tests);
    ``approval_rate_majority`` and ``approval_rate_minority``.
    """
    from helpers.drift import drift_timeline
    from helpers.labels import explore
    from helpers.models import decide, train_baseline
    from helpers.world import APPLICANT_FEATURES, PRIVILEGED_GROUP, PROTECTED, simulate_applications

    applications = simulate_applications(scenario, days=days, per_day=per_day, seed=seed)
    train = applications[applications["day"] < min(60, max(1, days // 2))]
    decisions = explore(decide(train_baseline(train, seed=seed), applications), share=holdout_share, seed=seed)
    drift = drift_timeline(train, applications, columns=APPLICANT_FEATURES).groupby("period")["drifted"].mean()
    table = daily_table(decisions, applications["date"].min(), applications["date"].max(), protected=PROTECTED,
                        privileged=PRIVILEGED_GROUP, drift=drift.rename("drift_share").to_frame())
    return table.rename(columns={"disparate_impact": "fairness_ratio"})[
        ["date", "accuracy", "fairness_ratio", "drift_share", "approval_rate_majority", "approval_rate_minority"]]
