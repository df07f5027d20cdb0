"""What a lender knows, and when: outcomes of the loans it made, once their outcome window has closed.

The simulated credit world records every applicant's true outcome (``defaulted``), declined applicants included:
that is the simulation's ground truth, the *oracle*. A lender never learns whether a declined applicant would have
repaid, because no loan was made (the problem of *selective labels*), and it learns an approved loan's outcome only
when the outcome window ends (``label_available_on``). Monitoring in the course uses what is observable here;
numbers computed from ``defaulted`` directly are named the oracle wherever they are shown.

* ``observed_outcomes``: the outcome on record for each decision (NaN for declined applicants and late labels).
* ``accuracy_as_known``: the course's one computation of accuracy (and outcome rate) per period as known on a day,
  pooled over a window; observable outcomes unless the caller asks for the oracle (``ground_truth=True``).
* ``expected_accuracy``: confidence-based performance estimation (CBPE), with no labels at all.
* ``explore`` / ``holdout_estimate`` / ``exploration_cost``: the paid exploration holdout: approve a small random
  share of the applicants the model declines, and estimate from it what the whole population's accuracy is.

The course's label is "defaulted within 30 days", a simplification: lenders usually define default as 90 or more
days past due within 12 months (the Basel definition).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_date, require_rows, require_whole_number

__all__ = [
    "KNOWN_COLUMNS",
    "OBSERVED_COLUMNS",
    "accuracy_as_known",
    "expected_accuracy",
    "exploration_cost",
    "explore",
    "holdout_estimate",
    "observed_outcomes",
]

OBSERVED_COLUMNS = ("approved", "defaulted", "label_available_on")
"""The columns ``observed_outcomes`` needs: the decision, the true outcome and the day it is on record."""

KNOWN_COLUMNS = [
    "period", "n", "n_observable", "n_labelled", "correct", "positives", "caught", "accuracy", "positive_rate",
    "recall", "pooled_n_labelled", "pooled_accuracy", "pooled_positive_rate", "pooled_positives", "pooled_recall",
    "predicted_rate", "labels_complete_on",
]
"""Columns of ``accuracy_as_known`` (``by``'s column comes first when it is given)."""


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


def expected_accuracy(default_probability, threshold: float) -> float:
    """The accuracy a model expects of itself if its probabilities are calibrated (confidence-based estimation).

    For each row with default probability ``p``: the decision is "default" when ``p >= threshold``, right with
    probability ``p``; otherwise "repay", right with probability ``1 - p``. The mean of those is the expected
    accuracy, with no labels at all (the idea of NannyML's CBPE). It is only as good as the calibration: under
    concept drift the probabilities are wrong and so is the estimate.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) or not (
        0.0 < float(threshold) < 1.0
    ):
        raise ValueError(f"threshold must be a default probability between 0 and 1 (exclusive), got {threshold!r}")
    p = np.asarray(default_probability, dtype=float).ravel()
    if p.size == 0:
        raise ValueError("default_probability is empty: expected accuracy needs at least one scored row")
    if np.isnan(p).any():
        raise ValueError(f"default_probability has {int(np.isnan(p).sum())} NaN of {p.size} values; score every row")
    if ((p < 0) | (p > 1)).any():
        bad = p[(p < 0) | (p > 1)][0]
        raise ValueError(f"default_probability must lie in [0, 1], got {bad!r}")
    return float(np.where(p >= float(threshold), p, 1.0 - p).mean())


def _require_binary(values: pd.Series, what: str) -> None:
    bad = values.isna() | ~values.isin([0, 1])
    if bad.any():
        raise ValueError(f"{what} must hold 0 or 1 in every row that counts, got {values[bad].iloc[0]!r}")


def _known_mask(frame, as_of, outcome, prediction, date_column, label_date_column, observed, ground_truth):
    """(observable, labelled): rows whose outcome is ever on record, and those on record by ``as_of``."""
    require_rows(frame, "frame")
    columns = [outcome, prediction, date_column, label_date_column] + ([observed] if observed else [])
    require_columns(frame, columns, "frame")
    for column in (date_column, label_date_column):
        if not pd.api.types.is_datetime64_any_dtype(frame[column]) or frame[column].isna().any():
            raise ValueError(f"frame's column {column!r} must hold dates (datetime64) in every row")
    _require_binary(frame[prediction], f"frame's column {prediction!r}")
    observable = np.ones(len(frame), dtype=bool)
    if observed and not ground_truth:
        _require_binary(frame[observed], f"frame's column {observed!r} (1 = the outcome is ever on record)")
        observable = frame[observed].to_numpy() == 1
    labelled = observable.copy()
    if as_of is not None:
        labelled &= (frame[label_date_column] <= require_date(as_of, "as_of")).to_numpy()
    _require_binary(frame.loc[labelled, outcome], f"frame's column {outcome!r} (on record)")
    return observable, labelled


def accuracy_as_known(
    frame: pd.DataFrame, as_of=None, *, outcome: str = "defaulted", prediction: str = "predicted_default",
    date_column: str = "date", label_date_column: str = "label_available_on", observed: str | None = "approved",
    ground_truth: bool = False, window: int = 1, freq: str = "D", by: str | None = None,
) -> pd.DataFrame:
    """Accuracy per period (and per ``by`` group) as known on ``as_of``, also pooled over the last ``window`` periods.

    A row counts as labelled when its outcome is on record: its ``observed`` column is 1 (for a lender: the loan was
    made, ``approved``; None: every row's outcome is eventually observed) and its ``label_date_column`` is on or
    before ``as_of`` (None: hindsight). ``ground_truth=True`` ignores ``observed`` and counts every applicant: the
    simulation's oracle, which no lender has; name it so wherever it is shown.

    Returns one row per period (its start), sorted, columns ``KNOWN_COLUMNS``: ``n`` (rows), ``n_observable`` (rows
    whose outcome will be on record), ``n_labelled`` (on record by ``as_of``), ``correct`` (labelled rows where
    ``prediction == outcome``), ``positives`` (labelled rows with ``outcome == 1``: defaults), ``caught`` (those
    with ``prediction == 1``), ``accuracy`` = correct / n_labelled, ``positive_rate`` = positives / n_labelled (for
    approved loans: the bad rate) and ``recall`` = caught / positives, their ``pooled_*`` versions over this period
    and the ``window - 1`` before it (``<NA>`` unless each has a labelled row; ``pooled_positives`` the count), ``predicted_rate`` (share of rows with prediction 1: known on decision day) and ``labels_complete_on``
    (when the period's last observable outcome arrives; NaT when none will). No value is ever a silent nan: a
    ratio with nothing to measure is ``<NA>`` (nullable Float64).
    """
    observable, labelled = _known_mask(frame, as_of, outcome, prediction, date_column, label_date_column,
                                       observed, ground_truth)
    require_whole_number(window, "window", minimum=1, unit="periods")
    try:
        period = frame[date_column].dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as error:
        raise ValueError(f"freq {freq!r} is not a pandas period frequency such as 'D', 'W' or 'M' ({error})") from None
    truth = np.where(labelled, frame[outcome].to_numpy(dtype=float, na_value=0.0), 0.0)
    keys = ([by] if by else []) + ["period"]
    rows = pd.DataFrame({
        **({by: frame[by].to_numpy()} if by else {}), "period": period.to_numpy(), "n": 1,
        "n_observable": observable.astype(int), "n_labelled": labelled.astype(int),
        "correct": (labelled & (truth == frame[prediction].to_numpy())).astype(int), "positives": truth.astype(int),
        "caught": ((truth == 1) & (frame[prediction].to_numpy() == 1)).astype(int),
        "predicted": frame[prediction].to_numpy(dtype=int),
        "label_date": frame[label_date_column].where(observable).to_numpy(),
    })
    g = rows.groupby(keys, sort=True).agg(
        n=("n", "sum"), n_observable=("n_observable", "sum"), n_labelled=("n_labelled", "sum"),
        correct=("correct", "sum"), positives=("positives", "sum"), caught=("caught", "sum"),
        predicted=("predicted", "sum"),
        labels_complete_on=("label_date", "max"))
    out = g.reset_index()
    out["accuracy"] = _ratio(out["correct"], out["n_labelled"])
    out["positive_rate"] = _ratio(out["positives"], out["n_labelled"])
    out["recall"] = _ratio(out["caught"], out["positives"])
    pooled = g[["correct", "positives", "caught", "n_labelled"]].assign(has=(g["n_labelled"] > 0).astype(int))
    pooled = (pooled.groupby(level=0) if by else pooled).rolling(window, min_periods=window).sum()
    pooled = pooled.reset_index(drop=True).where(lambda t: t["has"] == window)
    out["pooled_n_labelled"] = pooled["n_labelled"].astype("Int64").to_numpy()
    out["pooled_accuracy"] = _ratio(pooled["correct"], pooled["n_labelled"])
    out["pooled_positive_rate"] = _ratio(pooled["positives"], pooled["n_labelled"])
    out["pooled_positives"] = pooled["positives"].astype("Int64").to_numpy()
    out["pooled_recall"] = _ratio(pooled["caught"], pooled["positives"])
    out["predicted_rate"] = out["predicted"] / out["n"]
    return out[([by] if by else []) + KNOWN_COLUMNS]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.arrays.FloatingArray:
    """numerator / denominator as nullable Float64: <NA> (never nan) where the denominator is 0 or missing."""
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    return pd.arrays.FloatingArray(np.divide(num, den, out=np.zeros_like(num), where=ok), mask=~ok)


def _require_share(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not 0 < value < 1:
        raise ValueError(f"{name} must be a share between 0 and 1 (exclusive), e.g. 0.02 for 2%, got {value!r}")
    return float(value)


_HOLDOUT_STREAM = 19  # a second seed word: the holdout's draws are independent of the world's


def explore(decisions: pd.DataFrame, share: float = 0.02, seed: int = 0) -> pd.DataFrame:
    """The paid exploration holdout: approve a random ``share`` of the applicants the model declines.

    Returns a copy of ``decisions`` (``models.decide``'s frame) with ``explored`` (1 = the model declined the
    applicant, the lender approved the loan anyway, drawn at random with probability ``share``) and ``approved``
    set to 1 for those rows; ``predicted_default`` keeps the model's verdict. Their outcomes become observable
    (``observed_outcomes``), which is what makes ``holdout_estimate`` possible; their defaults are what the holdout
    costs (``exploration_cost``). Lenders run such holdouts (also called "below-cutoff testing") for this reason.
    """
    require_columns(decisions, ["approved", "predicted_default"], "decisions")
    share = _require_share(share, "share")
    require_whole_number(seed, "seed", note="the same seed draws the same holdout")
    declined = decisions["predicted_default"].to_numpy() == 1
    # a random stream of its own: default_rng(seed) would replay the world's first draws (the same seed drew the
    # applicants' regions), and the holdout would follow the region instead of being random
    drawn = np.random.default_rng([seed, _HOLDOUT_STREAM]).uniform(size=len(decisions)) < share
    out = decisions.copy()
    out["explored"] = (declined & drawn).astype(int)
    out["approved"] = np.where(out["explored"] == 1, 1, out["approved"])
    return out


def holdout_estimate(explored: pd.DataFrame, as_of=None, confidence: float = 0.95) -> pd.Series:
    """The whole population's accuracy (and default rate), estimated from what a lender with a holdout observes.

    ``explored`` is ``explore``'s frame, restricted to the decisions to judge; rows whose outcome is not on record
    by ``as_of`` (``label_available_on``) are left out, approved and declined alike. The model-approved loans are
    all observed (their part is exact); the model-declined applicants are known only through the random holdout,
    whose default share ``d`` (Wilson interval) stands for all of them. Since a declined applicant is predicted to
    default, the model is right on a declined applicant exactly when they default, so

        accuracy = (approved loans repaid + declined count x d) / all applicants,

    and the default rate is (approved loans' defaults + declined count x d) / all applicants, with the interval of
    ``d`` carried through. Returns a Series: ``n``, ``n_approved`` and ``n_declined`` (by the model), ``n_explored``,
    ``explored_defaults``, ``accuracy`` with ``accuracy_low``/``accuracy_high``, ``default_rate`` with its
    ``default_rate_low``/``default_rate_high``.
    """
    from statsmodels.stats.proportion import proportion_confint

    require_columns(explored, ["explored", "predicted_default", "defaulted", "label_available_on"], "explored")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    rows = explored if as_of is None else explored[explored["label_available_on"] <= require_date(as_of, "as_of")]
    require_rows(rows, f"explored's rows with outcomes on record by as_of={as_of!r}")
    approved = rows[rows["predicted_default"] == 0]
    declined = rows[rows["predicted_default"] == 1]
    holdout = declined[declined["explored"] == 1]
    if len(declined) and holdout.empty:
        raise ValueError(f"the holdout has no loan among the {len(declined)} declined applicants: raise share or widen"
                         " the window")
    k, m = int(holdout["defaulted"].sum()), len(holdout)
    low, high = proportion_confint(k, m, alpha=1 - confidence, method="wilson") if m else (0.0, 0.0)
    n, repaid, bad = len(rows), int((approved["defaulted"] == 0).sum()), int(approved["defaulted"].sum())
    share = (k / m) if m else 0.0
    return pd.Series({
        "n": n, "n_approved": len(approved), "n_declined": len(declined), "n_explored": m, "explored_defaults": k,
        "accuracy": (repaid + len(declined) * share) / n, "accuracy_low": (repaid + len(declined) * low) / n,
        "accuracy_high": (repaid + len(declined) * high) / n, "default_rate": (bad + len(declined) * share) / n,
        "default_rate_low": (bad + len(declined) * low) / n, "default_rate_high": (bad + len(declined) * high) / n,
    })


def exploration_cost(explored: pd.DataFrame, loss_given_default: float = 0.45) -> pd.Series:
    """What the holdout cost, from the world's truth: its loans, their defaults and the money lost on them.

    ``loss`` is the loan amount of the holdout's defaulted loans times ``loss_given_default`` (the share of a
    defaulted loan a lender does not recover; 0.45 is the Basel foundation approach's value for senior unsecured
    claims). Returns a Series: ``loans``, ``defaults``, ``default_rate``, ``lent`` (total loan amount) and ``loss``.
    """
    require_columns(explored, ["explored", "defaulted", "loan_amount"], "explored")
    if isinstance(loss_given_default, bool) or not isinstance(loss_given_default, (int, float)) or not (
        0 < loss_given_default <= 1
    ):
        raise ValueError(f"loss_given_default must be a share in (0, 1], e.g. 0.45, got {loss_given_default!r}")
    holdout = explored[explored["explored"] == 1]
    defaults = holdout["defaulted"] == 1
    return pd.Series({
        "loans": len(holdout), "defaults": int(defaults.sum()),
        "default_rate": float(defaults.mean()) if len(holdout) else 0.0,
        "lent": float(holdout["loan_amount"].sum()),
        "loss": float(holdout.loc[defaults, "loan_amount"].sum() * loss_given_default),
    })


def holdout_timeline(explored: pd.DataFrame, window: int = 28, confidence: float = 0.95) -> pd.DataFrame:
    """``holdout_estimate`` for every decision day, pooled over that day and the ``window - 1`` before it.

    One row per decision day (``date``) of ``explored`` (``explore``'s frame): ``known_on`` (the day the window's
    last outcome is on record: the latest ``label_available_on`` of the day), ``n_explored`` (holdout loans in the
    window), ``accuracy`` with ``accuracy_low``/``accuracy_high`` and ``default_rate``: the whole population's, as
    estimated from the loans made and the holdout. ``<NA>`` (never nan) until the window is full and while it
    holds no holdout loan although the model declined someone.
    """
    from statsmodels.stats.proportion import proportion_confint

    require_columns(explored, ["date", "explored", "predicted_default", "defaulted", "label_available_on"], "explored")
    require_rows(explored, "explored")
    require_whole_number(window, "window", minimum=1, unit="days")
    declined = explored["predicted_default"].to_numpy() == 1
    holdout = declined & (explored["explored"].to_numpy() == 1)
    counts = pd.DataFrame({
        "date": explored["date"].to_numpy(), "n": 1, "declined": declined.astype(int),
        "repaid": (~declined & (explored["defaulted"].to_numpy() == 0)).astype(int),
        "bad": (~declined & (explored["defaulted"].to_numpy() == 1)).astype(int), "m": holdout.astype(int),
        "k": (holdout & (explored["defaulted"].to_numpy() == 1)).astype(int),
        "known_on": explored["label_available_on"].to_numpy(),
    }).groupby("date").agg({**{c: "sum" for c in ("n", "declined", "repaid", "bad", "m", "k")}, "known_on": "max"})
    pooled = counts.drop(columns="known_on").rolling(window, min_periods=window).sum()
    ok = pooled["n"].notna() & ((pooled["m"] > 0) | (pooled["declined"] == 0))
    m = pooled["m"].where(ok, 1).clip(lower=1).to_numpy()
    share = np.where(ok, pooled["k"].fillna(0) / m, 0.0)
    low, high = proportion_confint(pooled["k"].fillna(0).to_numpy(), m, alpha=1 - confidence, method="wilson")
    n = pooled["n"].fillna(1).to_numpy()
    out = pd.DataFrame({"date": counts.index, "known_on": counts["known_on"].to_numpy(),
                        "n_explored": pooled["m"].astype("Int64").to_numpy()})
    for name, d in (("accuracy", share), ("accuracy_low", low), ("accuracy_high", high)):
        out[name] = _ratio(pooled["repaid"].fillna(0) + pooled["declined"].fillna(0) * d, np.where(ok, n, 0))
    out["default_rate"] = _ratio(pooled["bad"].fillna(0) + pooled["declined"].fillna(0) * share, np.where(ok, n, 0))
    return out
