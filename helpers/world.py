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
from helpers.validation import require_date, require_whole_number

__all__ = [
    "LABEL_DELAY_DAYS", "REGIONS", "NUMERIC_FEATURES", "CATEGORICAL_FEATURES", "APPLICANT_FEATURES",
    "PROTECTED", "PRIVILEGED_GROUP", "UNPRIVILEGED_GROUP", "APPLICANT_SCORE_FLOOR", "WorldArrays", "Scenario",
    "SCENARIOS", "simulate_applications", "scenario_table",
]

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


@dataclass
class WorldArrays:
    """One value per application: what a scenario's change reads and may edit, before outcomes are drawn.

    Read-only for changes: ``day`` (0-based), ``region`` (the neighbourhood's name), ``after`` (True from the
    scenario's ``start_day`` on), the applicant's true ``income``, ``dti`` (debt-to-income) and ``loan``.
    Editable: what applications report (``observed_income``, ``observed_dti``; data drift), and the true risk's
    parts (concept drift): ``z`` (log-odds of default before the feature terms are added), ``income_part`` and
    ``loan_part`` (the income and loan-to-income terms before their weights), ``dti_weight`` and ``fico_weight``.
    """

    day: np.ndarray
    region: np.ndarray
    after: np.ndarray
    income: np.ndarray
    dti: np.ndarray
    loan: np.ndarray
    observed_income: np.ndarray
    observed_dti: np.ndarray
    z: np.ndarray
    income_part: np.ndarray
    loan_part: np.ndarray
    dti_weight: np.ndarray
    fico_weight: np.ndarray


@dataclass(frozen=True)
class Scenario:
    """Ground truth of one scenario: what changes, from which day, and by how much, and the change itself."""

    name: str
    description: str
    start_day: int | None = None  #: first day (0-based, counted from ``start``) on which the change is in force
    drifted_features: tuple[str, ...] = ()  #: input columns whose distribution changes (data drift)
    concept_drift_day: int | None = None  #: first day on which the feature-to-default relation changes
    details: dict = field(default_factory=dict)  #: the exact sizes of the change
    #: the change: a function of ``(world, truth)`` that edits the ``WorldArrays`` in place, using only the sizes
    #: in ``truth.details``; None for a world that does not change. A new scenario is one function and one entry.
    change: Callable[[WorldArrays, Scenario], None] | None = field(default=None, repr=False, compare=False)


def _income_shock(world: WorldArrays, truth: Scenario) -> None:
    """Reported incomes fall by the region's drop from ``start_day``; from ``concept_drift_day`` on (savings run
    out) the lower income is what counts for repayment, plus an extra log-odds of default for everyone."""
    d = truth.details
    drop = np.array([d["income_drop_by_region"][r] for r in world.region])
    world.observed_income = np.where(world.after, world.income * (1 - drop), world.income)
    bites = world.day >= truth.concept_drift_day
    world.income_part = np.where(bites, np.log(world.observed_income / 45_000), world.income_part)
    world.loan_part = np.where(bites, np.log(world.loan / (0.25 * world.observed_income)), world.loan_part)
    world.z = world.z + np.where(bites, d["extra_default_log_odds"], 0.0)


def _concept_shift(world: WorldArrays, truth: Scenario) -> None:
    """From ``start_day`` the true risk weighs debt-to-income and the credit score differently; inputs unchanged."""
    d = truth.details
    world.dti_weight = np.where(world.after, world.dti_weight * d["dti_weight_factor"], world.dti_weight)
    world.fico_weight = np.where(world.after, world.fico_weight * d["score_weight_factor"], world.fico_weight)


def _proxy_bias(world: WorldArrays, truth: Scenario) -> None:
    """From ``start_day`` the reported debt-to-income rises in the feed's regions; the true risk does not change."""
    d = truth.details
    affected = np.isin(world.region, d["regions"])
    world.observed_dti = np.where(
        world.after & affected, np.clip(world.dti + d["dti_increase"], 0.01, 0.95), world.dti
    )


def _neighbourhood_shock(world: WorldArrays, truth: Scenario) -> None:
    """Reported incomes fall by the region's drop; debts rise by the region's factor (households bridge the gap
    with credit), so the reported debt-to-income becomes dti x factor / (1 - drop). Repayment ability falls far less
    (relief payments, which applications do not count as income, carry most households), so the true risk keeps the
    circumstances before the shock plus a small extra log-odds in the hard-hit regions: there the relation between
    what applicants report and whether they repay changes (concept drift on the same day).
    """
    d = truth.details
    drop = np.array([d["income_drop_by_region"][r] for r in world.region])
    hard_hit = np.isin(world.region, d["hard_hit_regions"])
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
        change=_income_shock,
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
        change=_concept_shift,
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
        change=_proxy_bias,
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


def _validate(scenario: str | Scenario, days: int, per_day: int, start, seed) -> pd.Timestamp:
    """Check the arguments of ``simulate_applications``; return ``start`` as a Timestamp."""
    if not isinstance(scenario, Scenario) and (not isinstance(scenario, str) or scenario not in SCENARIOS):
        raise ValueError(
            f"unknown scenario {scenario!r}; valid scenarios are: {', '.join(SCENARIOS)} (or a Scenario object)"
        )
    require_whole_number(days, "days", minimum=1)
    require_whole_number(per_day, "per_day", minimum=1)
    require_whole_number(seed, "seed", note="the same seed gives the same frame")
    return require_date(start, "start")




def _draw_applicants(rng: np.random.Generator, n: int) -> SimpleNamespace:
    """Draw ``n`` applicants' true circumstances (the same for every scenario) and their outcome draws.

    Returns arrays: ``region_idx`` (row of ``REGIONS``), ``minority``, ``transrisk`` (0-100), ``employment``
    (years), ``income`` (per year), ``loan``, ``term`` (months), ``existing`` (loans), ``dti`` and ``u_outcome``
    (the uniform draw compared with the probability of default).
    """
    scores_grid, cdf_major, cdf_minor, _ = _fico_tables()
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
    return SimpleNamespace(region_idx=region_idx, minority=minority, transrisk=transrisk, employment=employment,
                           income=income, loan=loan, term=term, existing=existing, dti=dti, u_outcome=u_outcome)


def simulate_applications(
    scenario: str | Scenario = "stable",
    days: int = 180,
    per_day: int = 400,
    start: str = "2024-01-01",
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``days`` x ``per_day`` credit applications under a named scenario.

    Args:
        scenario: the name of one of ``SCENARIOS`` (``stable``, ``income_shock``, ``concept_shift``,
            ``proxy_bias``, ``neighbourhood_shock``), or a ``Scenario`` of your own (its ``change`` edits the
            ``WorldArrays``; see ``_proxy_bias`` for a small example).
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
    truth = scenario if isinstance(scenario, Scenario) else SCENARIOS[scenario]
    day = np.repeat(np.arange(days), per_day)
    a = _draw_applicants(np.random.default_rng(seed), days * per_day)  # the same draws for every scenario
    # The scenario's change edits what applications report (data drift) and the risk's parts (concept drift),
    # exactly as its ground truth documents.
    world = _world_before_change(a, day, truth, days)
    if truth.change is not None:
        truth.change(world, truth)
    defaulted = (a.u_outcome < _sigmoid(_default_log_odds(world, a))).astype(int)
    frame = _application_frame(day, world, a, defaulted, start_ts)
    frame.attrs["scenario"] = truth.name
    return frame


def _world_before_change(a: SimpleNamespace, day: np.ndarray, truth: Scenario, days: int) -> WorldArrays:
    """The ``WorldArrays`` of applicants ``a`` (``_draw_applicants``) on days ``day``, before any change.

    ``after`` is True from the scenario's ``start_day`` on (never for a world without one); what applications
    report equals the truth; ``z`` holds the risk's intercept and the weights are the documented ``_RISK`` ones.
    """
    n = len(day)
    return WorldArrays(
        day=day, region=REGIONS["region"].to_numpy()[a.region_idx],
        after=day >= (truth.start_day if truth.start_day is not None else days + 1),
        income=a.income, dti=a.dti, loan=a.loan, observed_income=a.income.copy(), observed_dti=a.dti.copy(),
        z=np.full(n, _INTERCEPT), income_part=np.log(a.income / 45_000), loan_part=np.log(a.loan / (0.25 * a.income)),
        dti_weight=np.full(n, _RISK["dti"]), fico_weight=np.full(n, _RISK["fico"]),
    )


def _default_log_odds(world: WorldArrays, a: SimpleNamespace) -> np.ndarray:
    """Each applicant's true log-odds of default, from their true circumstances and the (changed) risk's parts.

    The credit score enters through the FICO bad rate at its TransRisk score (as log-odds); the other terms are
    the ``_RISK`` weights times the applicant's debt-to-income, income, loan-to-income, employment (capped at 20
    years), existing loans and term.
    """
    scores_grid, _, _, bad_rate = _fico_tables()
    fico_part = _logit(np.interp(a.transrisk, scores_grid, bad_rate))
    return (
        world.z
        + world.fico_weight * fico_part
        + world.dti_weight * (a.dti - 0.25) / 0.1
        + _RISK["income"] * world.income_part
        + _RISK["loan_to_income"] * world.loan_part
        + _RISK["employment"] * np.minimum(a.employment, 20)
        + _RISK["existing_loans"] * a.existing
        + _RISK["term"] * (a.term - 36) / 12
    )


def _application_frame(
    day: np.ndarray, world: WorldArrays, a: SimpleNamespace, defaulted: np.ndarray, start_ts: pd.Timestamp
) -> pd.DataFrame:
    """The applications as ``simulate_applications`` returns them: what each reports (rounded as a form would
    show it), the audit-only ``group``, the outcome and the date it becomes known (``LABEL_DELAY_DAYS`` later)."""
    n = len(day)
    dates = start_ts + pd.to_timedelta(day, unit="D")
    return pd.DataFrame(
        {
            "application_id": np.char.add("A", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "date": dates,
            "day": day,
            "income": np.round(world.observed_income, -1),
            "debt_to_income": np.round(world.observed_dti, 3),
            "credit_score": np.round(300 + 5.5 * a.transrisk).astype(int),
            "employment_years": np.round(a.employment, 1),
            "loan_amount": np.round(a.loan, -2),
            "loan_term_months": a.term,
            "existing_loans": a.existing,
            "region": world.region,
            "group": np.where(a.minority, UNPRIVILEGED_GROUP, PRIVILEGED_GROUP),
            "defaulted": defaulted,
            "label_available_on": dates + pd.Timedelta(days=LABEL_DELAY_DAYS),
        }
    )


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
