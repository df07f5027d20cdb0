"""Questions of exercise 00: reading the simulated world's scenarios from the data, one step past the notebook:
when a changed outcome reaches the bank, where a shift hits and whom that reaches, who bears an average fall."""

from helpers.checks import ____, Question, ThoughtExperiment, expect_choice, expect_number, expect_set
from helpers.world import LABEL_DELAY_DAYS, REGIONS, SCENARIOS

__all__ = ["q1", "q2", "q3", "q4", "q5", "____"]

_shock = SCENARIOS["income_shock"]
_proxy = SCENARIOS["proxy_bias"]
#: Day the first outcome changed by the income shock becomes known: the concept-drift day plus the label delay.
FIRST_CHANGED_LABEL_DAY = _shock.concept_drift_day + LABEL_DELAY_DAYS
_regions = REGIONS.set_index("region")
_minority = _regions["share"] * _regions["minority_share"]
#: Share of minority applicants living in the regions proxy_bias hits (from the world's REGIONS table: 0.64).
MINORITY_IN_PROXY_REGIONS = float(_minority[list(_proxy.details["regions"])].sum() / _minority.sum())

q1 = Question(
    "Question 1",
    expect_number(FIRST_CHANGED_LABEL_DAY, tolerance=0, what="the day the first changed outcome is known"),
    hint=(
        "Find the rows whose `defaulted` differs between `shocked` and `stable`, take the earliest "
        "`label_available_on` among them, and turn that date into a day number: (date - day0).days."
    ),
    solution=(
        f"Day {FIRST_CHANGED_LABEL_DAY}: outcomes change from day {_shock.concept_drift_day}, and each becomes known "
        f"{LABEL_DELAY_DAYS} days after its application.\n"
        "    changed = shocked['defaulted'] != stable['defaulted']\n"
        "    answer_q1 = (shocked.loc[changed, 'label_available_on'].min() - day0).days"
    ),
    correct_message=(
        f"Incomes moved on day {_shock.start_day}; the bank holds the first changed outcome on day "
        f"{FIRST_CHANGED_LABEL_DAY}, {FIRST_CHANGED_LABEL_DAY - _shock.start_day} days later. Notebook 02 measures "
        "what that costs a monitor."
    ),
)

q2 = Question(
    "Question 2",
    expect_set(set(_proxy.details["regions"]), what="regions"),
    hint="Compare `debt_to_income` in `biased` and `stable` row by row, and list the `region` of the rows that differ.",
    solution=(
        "eastgate and harbour:\n"
        "    differs = biased['debt_to_income'] != stable['debt_to_income']\n"
        "    answer_q2 = sorted(biased.loc[differs, 'region'].unique())"
    ),
    correct_message="Two neighbourhoods of five: the shift is local, so an average over everybody dilutes it.",
)

q3 = Question(
    "Question 3",
    expect_number(MINORITY_IN_PROXY_REGIONS, tolerance=0.04, what="the share of minority applicants"),
    hint=(
        "Keep the rows of `stable` whose `group` is 'minority', then take the mean of "
        "`region.isin(answer_q2)`: the share of them living in those regions."
    ),
    solution=(
        f"About {MINORITY_IN_PROXY_REGIONS:.2f}: {MINORITY_IN_PROXY_REGIONS:.0%} of minority applicants live in "
        "eastgate or harbour, against 30% of all applicants.\n"
        "    minority = stable[stable['group'] == 'minority']\n"
        "    answer_q3 = minority['region'].isin(answer_q2).mean()"
    ),
    correct_message=(
        "A change in two neighbourhoods falls mostly on one group: the neighbourhood is a proxy for the group, "
        "which is how proxy_bias becomes a fairness failure (notebook 03)."
    ),
)

q4 = Question(
    "Question 4",
    expect_choice("harbour", list(REGIONS["region"])),
    hint="Group the applications from day 90 on by `region` and compute, per region, 1 - (income in income_shock) / "
    "(income in stable).",
    solution=(
        "harbour (25%), then eastgate (22%); north falls least (13%):\n"
        "    by_region = 1 - shocked[after].groupby('region')['income'].sum() / "
        "stable[after].groupby('region')['income'].sum()\n"
        "    answer_q4 = by_region.idxmax()"
    ),
    correct_message="The shock hits the poorer neighbourhoods hardest: an average hides who bears it.",
)

q5 = ThoughtExperiment(
    "Question 5",
    hint="What could you not check if the column were dropped? And could a model learn where someone lives?",
    solution=(
        "The group column is kept so that outcomes can be audited by group: without it you cannot measure disparate "
        "impact at all. Leaving it out of the model is not enough to make the model fair, because other features "
        "carry the same information (proxies): here the neighbourhood (question 3: most minority applicants live in "
        "eastgate or harbour), and any feature that differs by neighbourhood, such as debt-to-income in the "
        "proxy_bias scenario. Fairness has to be measured on outcomes, not assumed from the inputs."
    ),
)
