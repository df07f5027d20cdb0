"""Questions of exercise 00: reading the simulated world's scenarios from the data, one step past the notebook:
when a changed outcome reaches the bank, how many applications a local shift touches and how many of one group's,
who bears an income fall."""

import pandas as pd

from helpers.exercises.checks import Question, ThoughtExperiment, ____, expect_number
from helpers.world import LABEL_DELAY_DAYS, REGIONS, SCENARIOS

__all__ = ["q1", "q2", "q3", "q4", "q5", "____"]

_shock = SCENARIOS["income_shock"]
_proxy = SCENARIOS["proxy_bias"]
#: Day the first outcome changed by the income shock becomes known: the concept-drift day plus the label delay.
FIRST_CHANGED_LABEL_DAY = _shock.concept_drift_day + LABEL_DELAY_DAYS
_regions = REGIONS.set_index("region")
_proxy_regions = list(_proxy.details["regions"])
#: Share of all applicants living in the regions proxy_bias hits (the world's REGIONS table: 0.30).
SHARE_IN_PROXY_REGIONS = float(_regions.loc[_proxy_regions, "share"].sum())
_minority = _regions["share"] * _regions["minority_share"]
#: Share of minority applicants living in the regions proxy_bias hits (from the world's REGIONS table: 0.64).
MINORITY_IN_PROXY_REGIONS = float(_minority[_proxy_regions].sum() / _minority.sum())
_opening = SCENARIOS["neighbourhood_shock"]
_hard_hit = list(_opening.details["hard_hit_regions"])
_income_lost = _regions["share"] * _regions["income_level"] * pd.Series(_opening.details["income_drop_by_region"])
#: Share of all income lost in neighbourhood_shock that is lost in its two hard-hit regions (expected: about 0.79).
LOSS_IN_HARD_HIT = float(_income_lost[_hard_hit].sum() / _income_lost.sum())
_MEAN_DROP = float(_income_lost.sum() / (_regions["share"] * _regions["income_level"]).sum())

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
    expect_number(SHARE_IN_PROXY_REGIONS, tolerance=0.03, what="the share of applications proxy_bias changed"),
    hint=(
        "Compare `debt_to_income` in `biased` and `stable` row by row (`!=`), keep the rows from day 90 on, and take "
        "the mean of that True/False column: the share of applications whose debt-to-income changed."
    ),
    solution=(
        f"About {SHARE_IN_PROXY_REGIONS:.2f}: the feed changes debt-to-income only in "
        f"{' and '.join(_proxy_regions)}, where {SHARE_IN_PROXY_REGIONS:.0%} of applicants live.\n"
        "    changed = biased['debt_to_income'] != stable['debt_to_income']\n"
        "    after = biased['day'] >= 90\n"
        "    answer_q2 = changed[after].mean()"
    ),
    correct_message="Less than a third of the applications: a local shift, which an average over everybody dilutes.",
)

q3 = Question(
    "Question 3",
    expect_number(MINORITY_IN_PROXY_REGIONS, tolerance=0.04, what="the share of minority applications changed"),
    hint="The same True/False column as question 2, now only for the rows from day 90 on whose `group` is 'minority'.",
    solution=(
        f"About {MINORITY_IN_PROXY_REGIONS:.2f}: {MINORITY_IN_PROXY_REGIONS:.0%} of the minority group's applications "
        f"changed, against {SHARE_IN_PROXY_REGIONS:.0%} of all applications, because most minority applicants live in "
        f"{' and '.join(_proxy_regions)}.\n"
        "    minority = biased['group'] == 'minority'\n"
        "    answer_q3 = changed[after & minority].mean()"
    ),
    correct_message=(
        "A change in two neighbourhoods falls mostly on one group: the neighbourhood is a proxy for the group, "
        "which is how proxy_bias becomes a fairness failure (notebook 03)."
    ),
)

q4 = Question(
    "Question 4",
    expect_number(LOSS_IN_HARD_HIT, tolerance=0.03, what="the hard-hit regions' share of the income lost"),
    hint=(
        "From day 90 on, the income lost per region is stable's income minus the opening scenario's, summed by "
        "`region`. Divide the sum over eastgate and harbour by the sum over all regions."
    ),
    solution=(
        f"About {LOSS_IN_HARD_HIT:.2f}: {SHARE_IN_PROXY_REGIONS:.0%} of applicants, who earn less than the others to "
        f"begin with, lose {LOSS_IN_HARD_HIT:.0%} of all the income lost.\n"
        "    after = opening['day'] >= 90\n"
        "    lost = stable[after].groupby('region')['income'].sum() - opening[after].groupby('region')['income'].sum()\n"
        "    answer_q4 = lost[['eastgate', 'harbour']].sum() / lost.sum()"
    ),
    correct_message=(
        f"The average fall (about {_MEAN_DROP:.0%} here) describes nobody: three regions lose 4%, two lose 40%. "
        "Whoever reads an average should ask who bears it."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
    hint="What could you not check if the column were dropped? And could a model learn where someone lives?",
    solution=(
        "The group column is kept so that outcomes can be audited by group: without it you cannot measure disparate "
        "impact at all. Leaving it out of the model is not enough to make the model fair, because other features "
        "carry the same information (proxies): here the neighbourhood (question 3: most minority applications "
        "changed when two neighbourhoods' data did), and any feature that differs by neighbourhood, such as debt-to-income in the "
        "proxy_bias scenario. Fairness has to be measured on outcomes, not assumed from the inputs."
    ),
)
