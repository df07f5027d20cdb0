"""Questions of exercise 03: judging disparate impact by hand, the four-fifths boundary, the 3+ day red flag, and a
regional audit in the spirit of the lesson's home-valuation case."""

from helpers.checks import Question, ThoughtExperiment, expect_choice, expect_number, expect_set
from helpers.data import load_german_credit
from helpers.world import REGIONS, SCENARIOS

_credit = load_german_credit()
_rate = _credit.groupby("housing")["good_credit"].mean()
_RENT_DI = float(_rate["rent"] / _rate["own"])

#: Daily disparate impact values for question 3 (day 0 first).
DAILY_DI = [0.91, 0.79, 0.83, 0.78, 0.80, 0.76, 0.74, 0.77, 0.72]

q1 = Question(
    "Question 1",
    expect_number(_RENT_DI, tolerance=0.0005, what="the disparate impact of renters against owners"),
    hint=(
        "Disparate impact = P(good | unprivileged) / P(good | privileged). Here the unprivileged group is "
        "housing == 'rent' and the privileged group housing == 'own'. Compute both rates of `good_credit` with "
        "pandas (a mean of a 0/1 column is a rate), then divide."
    ),
    solution=(
        f"{_RENT_DI:.4f}: renters are labelled good risks 60.9% of the time, owners 73.9%.\n"
        "    rate = credit.groupby('housing')['good_credit'].mean()\n"
        "    answer_q1 = rate['rent'] / rate['own']\n"
        "or, with AIF360 (only the two groups compared):\n"
        "    two = credit[credit['housing'].isin(['rent', 'own'])]\n"
        "    answer_q1 = fairness.audit(two, 'good_credit', 'housing', 'own').disparate_impact"
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
        "pass: 14/20 = 0.7 and 35/40 = 0.875, and 0.7 / 0.875 is exactly 4/5: "
        "Fraction(14, 20) / Fraction(35, 40) == Fraction(4, 5). The rule says *less than* four-fifths is evidence "
        "of adverse impact, so exactly 4/5 passes. In floating point, (14/20) / (35/40) is 0.7999999999999999 and "
        "a float comparison would wrongly say 'fail'. fairness.passes_four_fifths(14, 20, 35, 40) decides it "
        "with integers."
    ),
    correct_message=(
        "Exactly 4/5 passes; floats would have said otherwise. And with 20 applicants, one more or fewer approval "
        "moves the ratio by 0.06: at this size the rule is a prompt to look closer, not a verdict."
    ),
)

q3 = Question(
    "Question 3",
    expect_number(7, tolerance=0, what="the day the red flag fires"),
    hint=(
        "A day counts only if its ratio is strictly below 0.8, and a day at or above 0.8 resets the count. Walk "
        "through DAILY_DI keeping a running count, or build a DataFrame with columns 'period' (0, 1, 2 ...) and "
        "'disparate_impact' and use fairness.persistent_breach(frame, threshold=0.8, periods=3)."
    ),
    solution=(
        "Day 7. Below 0.8 on days 1, 3, 5, 6, 7, 8; day 4 is exactly 0.80, which is not below the line, so the count "
        "restarts on day 5 and reaches 3 on day 7.\n"
        "    frame = pd.DataFrame({'period': range(len(DAILY_DI)), 'disparate_impact': DAILY_DI})\n"
        "    answer_q3 = fairness.persistent_breach(frame, threshold=0.8, periods=3)"
    ),
    correct_message=(
        "The rule waits for persistence: single bad days (1 and 3) do not fire it, and a day exactly on the line "
        "resets it."
    ),
)

q4 = Question(
    "Question 4",
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
        "    answer_q4 = list(ratio[ratio < 0.8].index)\n"
        "Both are approved at about two thirds of the best region's rate; the others within a few percent of it."
    ),
    correct_message=(
        "Those are the neighbourhoods whose data feed changed on day 90 (SCENARIOS['proxy_bias']), and where "
        f"{REGIONS.set_index('region').loc['harbour', 'minority_share']:.0%} (harbour) and "
        f"{REGIONS.set_index('region').loc['eastgate', 'minority_share']:.0%} (eastgate) of applicants are from "
        "the minority group: a regional gap is a group gap in disguise."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
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
