"""The simulated credit-scoring world: seeded daily credit applications with known ground truth.

``simulate_applications`` returns one row per application. Applicant features are drawn so that credit scores
follow the Federal Reserve's TransRisk distributions by group (``helpers.data.load_fico``); the true outcome
(``defaulted``) comes from a known risk formula and becomes known only ``LABEL_DELAY_DAYS`` after the application
(``label_available_on``), as in real lending.

Named scenarios change the world from a known day in a known way (``SCENARIOS`` records the ground truth), so every
monitoring method in the course can be checked against what really happened. With the same arguments the frame is
identical; every scenario starts from the same applicants (for a given seed, days and per_day), so two scenarios
differ only by their documented change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pandas as pd

from helpers.data import load_fico
from helpers.validation import require_date

#: Days between an application and the day its outcome (default or not) is known.
LABEL_DELAY_DAYS = 30

#: Neighbourhoods (regions): share of applicants, and share of applicants from the minority group.
REGIONS = pd.DataFrame(
    {
        "region": ["north", "south", "central", "eastgate", "harbour"],
        "share": [0.25, 0.25, 0.20, 0.15, 0.15],
        "minority_share": [0.10, 0.15, 0.20, 0.55, 0.65],
        "income_level": [1.08, 1.00, 1.05, 0.90, 0.88],
    }
)

#: Applicant features a credit model may use, and the column used only for auditing.
NUMERIC_FEATURES = [
    "income", "debt_to_income", "credit_score", "employment_years", "loan_amount", "loan_term_months",
    "existing_loans",
]
CATEGORICAL_FEATURES = ["region"]
#: Every applicant feature (the columns monitoring watches for drift).
APPLICANT_FEATURES = [*NUMERIC_FEATURES, *CATEGORICAL_FEATURES]
PROTECTED = "group"
PRIVILEGED_GROUP = "majority"
UNPRIVILEGED_GROUP = "minority"

# The minority group's scores follow the FICO Black and Hispanic distributions, mixed by their sample sizes;
# the majority group's follow the non-Hispanic white distribution. Applicants are pre-qualified: nobody
# with a TransRisk score below APPLICANT_SCORE_FLOOR applies.
_MAJORITY_SOURCES = ("white",)
_MINORITY_SOURCES = ("black", "hispanic")
APPLICANT_SCORE_FLOOR = 25.0

# True risk formula (log-odds of default). The credit-score part follows the shape of the FICO bad-rate curve.
_INTERCEPT = -0.6
_RISK = {
    "fico": 1.25,  # x logit(FICO bad rate at the applicant's score)
    "dti": 1.30,  # per 0.1 of debt-to-income above 0.25
    "income": -1.10,  # per unit of log(income / 45 000)
    "loan_to_income": 0.90,  # per unit of log(loan / (0.25 x income))
    "employment": -0.12,  # per year of employment (capped at 20)
    "existing_loans": 0.15,  # per existing loan
    "term": 0.08,  # per 12 months of term above 36
}


@dataclass(frozen=True)
class Scenario:
    """Ground truth of one scenario: what changes, from which day, and by how much."""

    name: str
    description: str
    start_day: int | None = None  #: first day (0-based, counted from ``start``) on which the change is in force
    drifted_features: tuple[str, ...] = ()  #: input columns whose distribution changes (data drift)
    concept_drift_day: int | None = None  #: first day on which the feature-to-default relation changes
    details: dict = field(default_factory=dict)  #: the exact sizes of the change
    #: the change itself, for scenarios that keep it here beside their ground truth: a function of ``(world, truth)``
    #: that edits the world's arrays in place (see ``_neighbourhood_shock``); None for the scenarios whose change is
    #: written inline in ``simulate_applications``
    change: Callable[[SimpleNamespace, Scenario], None] | None = field(default=None, repr=False, compare=False)


def _neighbourhood_shock(world: SimpleNamespace, truth: Scenario) -> None:
    """The change of ``neighbourhood_shock`` (its ground truth is the entry in ``SCENARIOS``).

    ``world`` holds, one value per application: ``region_idx`` (row of ``REGIONS``), ``after`` (the change is in
    force), the true ``income`` and ``dti``, what applications report (``observed_income``, ``observed_dti``) and the
    log-odds ``z`` of default before the feature terms are added. Reported incomes fall by the region's drop; debts
    rise by the region's factor (households bridge the gap with credit), so the reported debt-to-income becomes
    dti x factor / (1 - drop). Repayment ability falls far less (relief payments, which applications do not count as
    income, carry most households), so the true risk keeps the circumstances before the shock plus a small extra
    log-odds in the hard-hit regions: there the relation between what applicants report and whether they repay
    changes (concept drift on the same day).
    """
    d = truth.details
    regions = REGIONS["region"].to_numpy()[world.region_idx]
    drop = np.array([d["income_drop_by_region"][r] for r in regions])
    hard_hit = np.isin(regions, d["hard_hit_regions"])
    debt_factor = np.where(hard_hit, d["debt_factor_hard_hit"], 1.0)
    world.observed_income = np.where(world.after, world.income * (1 - drop), world.income)
    world.observed_dti = np.where(world.after, np.clip(world.dti * debt_factor / (1 - drop), 0.01, 0.95), world.dti)
    world.z = world.z + np.where(world.after & hard_hit, d["extra_default_log_odds_hard_hit"], 0.0)


SCENARIOS: dict[str, Scenario] = {
    "stable": Scenario(
        name="stable",
        description="Nothing changes: the control case. Monitoring must stay quiet on it.",
    ),
    "income_shock": Scenario(
        name="income_shock",
        description=(
            "An economic shock from day 90: applicants' incomes fall by about 18% on average (13% in north, "
            "25% in harbour). Defaults rise only from day 111, when households' savings run out: data drift "
            "comes first, concept drift three weeks later."
        ),
        start_day=90,
        drifted_features=("income",),
        concept_drift_day=111,
        details={
            "income_drop_by_region": {"north": 0.13, "south": 0.16, "central": 0.18, "eastgate": 0.22, "harbour": 0.25},
            "mean_income_drop": 0.18,
            "extra_default_log_odds": 1.3,
        },
    ),
    "concept_shift": Scenario(
        name="concept_shift",
        description=(
            "From day 90 what makes 'good credit' changes: debt-to-income weighs twice as much and the "
            "credit score half as much in the true risk. Input distributions do not change at all."
        ),
        start_day=90,
        drifted_features=(),
        concept_drift_day=90,
        details={"dti_weight_factor": 2.0, "score_weight_factor": 0.5},
    ),
    "proxy_bias": Scenario(
        name="proxy_bias",
        description=(
            "From day 90 a new data feed counts rent as debt for applicants in eastgate and harbour (the "
            "neighbourhoods where most minority applicants live): their reported debt-to-income rises by 0.25 "
            "while their true risk does not change. A model trained before the shift approves the minority "
            "group at less than 0.8 of the majority's rate."
        ),
        start_day=90,
        drifted_features=("debt_to_income",),
        concept_drift_day=None,
        details={"regions": ("eastgate", "harbour"), "dti_increase": 0.25},
    ),
    "neighbourhood_shock": Scenario(
        name="neighbourhood_shock",
        description=(
            "The lesson's opening: from day 90 an economic shock (the port's largest employer closes) cuts "
            "reported incomes by 40% in eastgate and harbour, the neighbourhoods where most minority applicants "
            "live, and by 4% elsewhere; there households bridge the gap with credit (debts up 25%), so "
            "debt-to-income rises too. Relief payments carry most households, so true risk rises only a little "
            "(extra log-odds 0.3 in the two regions). A model trained before the shock reads the lower incomes as "
            "much higher risk and approves the minority group at less than 0.8 of the majority's rate: the "
            "economy changed, no feed broke."
        ),
        start_day=90,
        drifted_features=("income", "debt_to_income"),
        concept_drift_day=90,
        details={
            "hard_hit_regions": ("eastgate", "harbour"),
            "income_drop_by_region": {
                "north": 0.04, "south": 0.04, "central": 0.04, "eastgate": 0.40, "harbour": 0.40,
            },
            "debt_factor_hard_hit": 1.25,
            "extra_default_log_odds_hard_hit": 0.3,
            # what monitoring should see, and in which order (notebook 07 asserts it): the inputs move on the shock's
            # first day, the daily disparate impact drops below 0.8 at once (a rule with `for: 2d` fires on the
            # third day), and accuracy can only be known LABEL_DELAY_DAYS later, when the first outcomes arrive
            "alert_order": ("data drift", "fairness", "accuracy"),
        },
        change=_neighbourhood_shock,
    ),
}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@lru_cache(maxsize=1)
def _fico_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(scores, majority CDF, minority CDF, population bad rate), each over the FICO score grid."""
    fico = load_fico()
    wide_cdf = fico.pivot(index="score", columns="group", values="cdf")
    wide_bad = fico.pivot(index="score", columns="group", values="bad_rate")
    sizes = fico.groupby("group")["group_size"].first()

    def mixed(column_table: pd.DataFrame, groups: tuple[str, ...]) -> np.ndarray:
        weights = sizes[list(groups)] / sizes[list(groups)].sum()
        return (column_table[list(groups)] * weights).sum(axis=1).to_numpy()

    scores = wide_cdf.index.to_numpy(dtype=float)
    population_bad = mixed(wide_bad, tuple(sizes.index))
    return scores, mixed(wide_cdf, _MAJORITY_SOURCES), mixed(wide_cdf, _MINORITY_SOURCES), population_bad


def _sample_scores(rng: np.random.Generator, cdf: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Inverse-CDF sampling of TransRisk scores above the applicant floor (linear within grid cells)."""
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    lo = np.interp(APPLICANT_SCORE_FLOOR, scores, cdf)
    u = rng.uniform(lo, 1.0, size=n)
    keep = np.r_[True, np.diff(cdf) > 0]  # np.interp needs increasing x
    return np.interp(u, cdf[keep], scores[keep])


def _validate(scenario: str, days: int, per_day: int, start, seed) -> pd.Timestamp:
    """Check the arguments of ``simulate_applications``; return ``start`` as a Timestamp."""
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; valid scenarios are: {', '.join(SCENARIOS)}")
    for name, value in (("days", days), ("per_day", per_day)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (the same seed gives the same frame), got {seed!r}")
    return require_date(start, "start")




def simulate_applications(
    scenario: str = "stable",
    days: int = 180,
    per_day: int = 400,
    start: str = "2024-01-01",
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``days`` x ``per_day`` credit applications under a named scenario.

    Args:
        scenario: one of ``SCENARIOS`` (``stable``, ``income_shock``, ``concept_shift``, ``proxy_bias``,
            ``neighbourhood_shock``).
        days: number of days to simulate (>= 1). Shifts start on day 90, so use ``days > 90`` to see them.
        per_day: applications per day (>= 1).
        start: date of day 0 (ISO format).
        seed: random seed; the same arguments always give the same frame.

    Returns:
        One row per application, sorted by date, with columns ``application_id``, ``date``, ``day`` (0-based day
        number), the applicant features (``income`` per year, ``debt_to_income`` as a ratio 0-1, ``credit_score`` on
        the 300-850 scale (a linear rescaling of TransRisk 0-100), ``employment_years``, ``loan_amount``,
        ``loan_term_months``, ``existing_loans``, ``region``), ``group`` (``majority``/``minority``: for auditing
        only, never a model feature), ``defaulted`` (1 = the loan went bad) and ``label_available_on`` (the date the
        outcome becomes known).

    Raises:
        ValueError: unknown scenario, days/per_day below 1, a ``start`` that is not a date (None, "", a number),
            a ``seed`` that is not a whole number >= 0 (the message names the argument and what is valid).
    """
    start_ts = _validate(scenario, days, per_day, start, seed)
    truth = SCENARIOS[scenario]
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)

    # Applicants: the same draws for every scenario.
    region_idx = rng.choice(len(REGIONS), size=n, p=REGIONS["share"].to_numpy())
    minority = rng.uniform(size=n) < REGIONS["minority_share"].to_numpy()[region_idx]
    scores_grid, cdf_major, cdf_minor, bad_rate = _fico_tables()
    transrisk = np.where(
        minority,
        _sample_scores(rng, cdf_minor, scores_grid, n),
        _sample_scores(rng, cdf_major, scores_grid, n),
    )
    employment = np.minimum(rng.gamma(2.0, 3.5, size=n), 40.0)
    log_income = (
        np.log(45_000 * REGIONS["income_level"].to_numpy()[region_idx])
        + 0.006 * (transrisk - 50)
        + 0.025 * (np.minimum(employment, 20) - 6)
        + rng.normal(0.0, 0.30, size=n)
    )
    income = np.exp(log_income)
    loan = np.clip(np.exp(np.log(0.25 * income) + rng.normal(0.0, 0.35, size=n)), 1_000, 150_000)
    term = rng.choice([12, 24, 36, 48, 60], size=n, p=[0.10, 0.20, 0.35, 0.20, 0.15])
    existing = rng.poisson(1.2, size=n)
    dti = np.clip(rng.beta(2.5, 7.5, size=n), 0.01, 0.95)
    u_outcome = rng.uniform(size=n)

    # True risk, from the applicant's true circumstances.
    fico_part = _logit(np.interp(transrisk, scores_grid, bad_rate))
    income_part = np.log(income / 45_000)
    loan_part = np.log(loan / (0.25 * income))
    risk_weights = dict(_RISK)
    z = np.full(n, _INTERCEPT)
    after = day >= (truth.start_day if truth.start_day is not None else days + 1)

    # Observed features may differ from the true circumstances (data drift); the true relation may change
    # (concept drift). Each scenario applies exactly its documented change.
    observed_income = income.copy()
    observed_dti = dti.copy()
    if scenario == "income_shock":
        drop = REGIONS["region"].map(truth.details["income_drop_by_region"]).to_numpy()[region_idx]
        observed_income = np.where(after, income * (1 - drop), income)
        bites = day >= truth.concept_drift_day
        # once savings run out, the lower income counts, plus the extra stress of the shock
        income_part = np.where(bites, np.log(observed_income / 45_000), income_part)
        loan_part = np.where(bites, np.log(loan / (0.25 * observed_income)), loan_part)
        z = z + np.where(bites, truth.details["extra_default_log_odds"], 0.0)
    elif scenario == "proxy_bias":
        affected = np.isin(REGIONS["region"].to_numpy()[region_idx], truth.details["regions"])
        observed_dti = np.where(after & affected, np.clip(dti + truth.details["dti_increase"], 0.01, 0.95), dti)
    elif truth.change is not None:
        world = SimpleNamespace(region_idx=region_idx, after=after, income=income, dti=dti,
                                observed_income=observed_income, observed_dti=observed_dti, z=z)
        truth.change(world, truth)
        observed_income, observed_dti, z = world.observed_income, world.observed_dti, world.z

    dti_weight = np.full(n, risk_weights["dti"])
    fico_weight = np.full(n, risk_weights["fico"])
    if scenario == "concept_shift":
        dti_weight = np.where(after, dti_weight * truth.details["dti_weight_factor"], dti_weight)
        fico_weight = np.where(after, fico_weight * truth.details["score_weight_factor"], fico_weight)

    z = (
        z
        + fico_weight * fico_part
        + dti_weight * (dti - 0.25) / 0.1
        + risk_weights["income"] * income_part
        + risk_weights["loan_to_income"] * loan_part
        + risk_weights["employment"] * np.minimum(employment, 20)
        + risk_weights["existing_loans"] * existing
        + risk_weights["term"] * (term - 36) / 12
    )
    defaulted = (u_outcome < _sigmoid(z)).astype(int)

    dates = start_ts + pd.to_timedelta(day, unit="D")
    frame = pd.DataFrame(
        {
            "application_id": np.char.add("A", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "date": dates,
            "day": day,
            "income": np.round(observed_income, -1),
            "debt_to_income": np.round(observed_dti, 3),
            "credit_score": np.round(300 + 5.5 * transrisk).astype(int),
            "employment_years": np.round(employment, 1),
            "loan_amount": np.round(loan, -2),
            "loan_term_months": term,
            "existing_loans": existing,
            "region": REGIONS["region"].to_numpy()[region_idx],
            "group": np.where(minority, UNPRIVILEGED_GROUP, PRIVILEGED_GROUP),
            "defaulted": defaulted,
            "label_available_on": dates + pd.Timedelta(days=LABEL_DELAY_DAYS),
        }
    )
    frame.attrs["scenario"] = scenario
    return frame


def scenario_table() -> pd.DataFrame:
    """The scenarios' ground truth as a table (one row per scenario), for display."""
    return pd.DataFrame(
        [
            {
                "scenario": s.name,
                "start_day": s.start_day,
                "drifted_features": ", ".join(s.drifted_features) or "none",
                "concept_drift_day": s.concept_drift_day,
                "description": s.description,
            }
            for s in SCENARIOS.values()
        ]
    ).astype({"start_day": "Int64", "concept_drift_day": "Int64"})
