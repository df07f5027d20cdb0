"""Questions of exercise 03: disparate impact with AIF360, the four-fifths boundary, the day an alert rule with
``for: 2d`` (and ``for: 3d``) fires, and a regional audit in the spirit of the lesson's home-valuation case."""

from helpers.data import load_german_credit
from helpers.exercises.checks import Question, ThoughtExperiment, ____, expect_choice, expect_number, expect_set
from helpers.world import REGIONS, SCENARIOS

_credit = load_german_credit()
_rate = _credit.groupby("housing")["good_credit"].mean()
_RENT_DI = float(_rate["rent"] / _rate["own"])

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "____"]

#: Daily disparate impact values for questions 3 and 4 (day 0 first).
DAILY_DI = [0.91, 0.79, 0.83, 0.78, 0.80, 0.76, 0.74, 0.77, 0.72]

q1 = Question(
    "Question 1",
    expect_number(_RENT_DI, tolerance=0.005, what="the disparate impact of renters against owners"),
    hint=(
        "Keep the renters and owners only. AIF360 needs numeric columns: make a 0/1 column 'owns' and a 0/1 "
        "'good_credit', build a BinaryLabelDataset, and ask BinaryLabelDatasetMetric(..., unprivileged_groups="
        "[{'owns': 0}], privileged_groups=[{'owns': 1}]).disparate_impact(). Check it with pandas: a mean of a 0/1 "
        "column is a rate."
    ),
    solution=(
        f"{_RENT_DI:.4f}: renters are labelled good risks 60.9% of the time, owners 73.9%.\n"
        "    two = credit[credit['housing'].isin(['rent', 'own'])]\n"
        "    numeric = pd.DataFrame({'owns': (two['housing'] == 'own').astype(float),\n"
        "                            'good_credit': two['good_credit'].astype(float)})\n"
        "    labels = BinaryLabelDataset(df=numeric, label_names=['good_credit'], protected_attribute_names=['owns'],\n"
        "                                favorable_label=1.0, unfavorable_label=0.0)\n"
        "    answer_q1 = BinaryLabelDatasetMetric(labels, unprivileged_groups=[{'owns': 0}],\n"
        "                                         privileged_groups=[{'owns': 1}]).disparate_impact()\n"
        "With pandas: rate = credit.groupby('housing')['good_credit'].mean(); rate['rent'] / rate['own']."
    ),
    correct_message=(
        "About 0.82: above the four-fifths line, but with 179 renters the interval around it is wide. "
        "Check it with fairness.audit(...).significance()."
    ),
)

q2 = Question(
    "Question 2",
    expect_choice("pass", ["pass", "fail"]),
    hint=(
        "Compare 14/20 with 4/5 of 35/40 using fractions.Fraction (or cross-multiply whole numbers). "
        "What does (14/20) / (35/40) >= 0.8 say in floating point, and why might it disagree?"
    ),
    solution=(
        "pass, under the course's reading: 14/20 = 0.7 and 35/40 = 0.875, and 0.7 / 0.875 is exactly 4/5: "
        "Fraction(14, 20) / Fraction(35, 40) == Fraction(4, 5). The rule says *less than* four-fifths is evidence "
        "of adverse impact and *greater than* four-fifths generally not; exactly 4/5 is in neither sentence, and the "
        "course reads it as no evidence of adverse impact: it passes. In floating point, (14/20) / (35/40) is "
        "0.7999999999999999 and a float comparison would wrongly say 'fail'. "
        "fairness.passes_four_fifths(14, 20, 35, 40) decides it with integers."
    ),
    correct_message=(
        "Exactly 4/5 is in neither sentence of the rule: the course's reading does not flag it (a stricter screen "
        "that flags it is defensible too), and floats would have flagged it for the wrong reason. With 20 "
        "applicants, one approval more or fewer moves the ratio by 0.06: at this size the rule is a prompt to look "
        "closer, not a verdict."
    ),
)

q3 = Question(
    "Question 3",
    expect_number(7, tolerance=0, what="the day the red flag fires"),
    hint=(
        "A day is below the line only if its ratio is strictly below 0.8. Walk through DAILY_DI: the first day below "
        "the line after a day at or above it is when the alert becomes pending; it fires on the first day at which it "
        "has been pending for two days (day - pending since >= 2), and any day at or above 0.8 drops it. Or let the "
        "course's engine decide: evaluate(course_rules()['DisparateImpactRedFlag'], series) with series = "
        "pd.Series(DAILY_DI, index=pd.date_range('2024-01-01', periods=len(DAILY_DI)))."
    ),
    solution=(
        "Day 7. Below 0.8 on days 1, 3, 5, 6, 7, 8. Days 1 and 3 are single days: the alert becomes pending and is "
        "dropped the next day. Day 4 is exactly 0.80, not below the line. From day 5 it is pending; on day 7 it has "
        "been pending for two days (7 - 5 = 2) and fires: the third consecutive day below the line, as the lesson "
        "says. The course's engine decides the same from the rule file:\n"
        "    red_flag = course_rules()['DisparateImpactRedFlag']\n"
        "    series = pd.Series(DAILY_DI, index=pd.date_range('2024-01-01', periods=len(DAILY_DI)))\n"
        "    answer_q3 = (first_firing(red_flag, series) - series.index[0]).days"
    ),
    correct_message=(
        "The rule waits for persistence: single bad days (1 and 3) do not fire it, a day exactly on the line drops "
        "it, and 'three consecutive days' is for: 2d when the rule is evaluated once a day."
    ),
)

q4 = Question(
    "Question 4",
    expect_number(8, tolerance=0, what="the day a rule with for: 3d fires"),
    hint=(
        "Pending from day 5 as before; when has it been pending for three days? With the engine: "
        "dataclasses.replace(red_flag, for_='3d')."
    ),
    solution=(
        "Day 8: pending from day 5, and 8 - 5 = 3 days. That is the fourth consecutive day below the line, one day "
        "later than the lesson's '3+ days'. Write the rule as for: 2d when it is evaluated daily."
    ),
    correct_message="One day late: `for` counts the time since the alert became pending, not the evaluations.",
)

q5 = Question(
    "Question 5",
    expect_set(set(SCENARIOS["proxy_bias"].details["regions"]), what="regions"),
    hint=(
        "Take the decisions from day 90 on, compute the approval rate (`approved`) per `region`, divide each by the "
        "highest region's rate (as 29 CFR 1607.4(D) compares each group with the highest-rate group), and list "
        "the regions whose ratio is below 0.8."
    ),
    solution=(
        "eastgate and harbour:\n"
        "    recent = decisions[decisions['day'] >= 90]\n"
        "    rate = recent.groupby('region')['approved'].mean()\n"
        "    ratio = rate / rate.max()\n"
        "    answer_q5 = list(ratio[ratio < 0.8].index)\n"
        "Both are approved at about two thirds of the best region's rate; the others within a few percent of it."
    ),
    correct_message=(
        "Those are the neighbourhoods whose data feed changed on day 90 (SCENARIOS['proxy_bias']), and where "
        f"{REGIONS.set_index('region').loc['harbour', 'minority_share']:.0%} (harbour) and "
        f"{REGIONS.set_index('region').loc['eastgate', 'minority_share']:.0%} (eastgate) of applicants are from "
        "the minority group: a regional gap is a group gap in disguise."
    ),
)

q6 = ThoughtExperiment(
    "Question 6",
    hint=(
        "Think of the lesson's home-valuation case: what did the team check before changing the model? Is the gap "
        "persistent and larger than chance? Did the applicants change, or did the data about them? What will the "
        "outcomes say once they arrive 30 days later? Who else could tell you something?"
    ),
    solution=(
        "Before acting I would want: (1) persistence and size: the gap holds day after day (the 3+ day rule) on "
        "samples large enough that a test or interval excludes chance; (2) the mechanism: which inputs moved in "
        "those regions and when (here debt_to_income jumps on day 90 in exactly eastgate and harbour, a data-feed "
        "change, i.e. data drift), and whether the applicants' real circumstances changed; (3) the outcomes: once "
        "labels arrive 30 days later, do approved applicants from those regions default more than before? If not, "
        "the declines are unjustified; (4) the groups: the within-region gap between minority and majority, "
        "because a regional gap can hide or create a group gap; (5) the people affected: complaints and community "
        "feedback, as in the home-valuation case. Meanwhile, route declines in those regions to human review; "
        "then fix the feed or retrain, and re-audit before the update ships."
    ),
)
