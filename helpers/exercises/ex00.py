"""Questions of exercise 00: reading the simulated world's scenarios from the data."""

from helpers.checks import Question, ThoughtExperiment, expect_choice, expect_number, expect_set
from helpers.world import REGIONS, SCENARIOS

_shock = SCENARIOS["income_shock"]

q1 = Question(
    "Question 1",
    expect_number(_shock.start_day, tolerance=0, what="the first day of the income shock"),
    hint=(
        "Simulate 'stable' and 'income_shock' with the same seed, days and per_day, then find the smallest `day` "
        "on which the two `income` columns differ."
    ),
    solution=(
        "Day 90:\n"
        "    shocked = simulate_applications('income_shock', seed=seed, days=days, per_day=per_day)\n"
        "    stable = simulate_applications('stable', seed=seed, days=days, per_day=per_day)\n"
        "    answer_q1 = int(shocked.loc[shocked['income'] != stable['income'], 'day'].min())"
    ),
    correct_message="Every scenario starts from the same applicants as 'stable', so the difference is the shift.",
)

q2 = Question(
    "Question 2",
    expect_set(set(SCENARIOS["proxy_bias"].drifted_features), what="columns"),
    hint="Compare each feature column of 'proxy_bias' with 'stable' (same seed) using `Series.equals`.",
    solution=(
        "Only debt_to_income changes:\n"
        "    answer_q2 = [c for c in feature_columns if not biased[c].equals(stable[c])]"
    ),
    correct_message=(
        "One column moved, and only in two neighbourhoods: small enough to miss in an average, "
        "large enough to change who gets credit (notebook 03)."
    ),
)

q3 = Question(
    "Question 3",
    expect_number(_shock.details["mean_income_drop"], tolerance=0.015, what="the fall in income"),
    hint=(
        "Take the applications from day 90 on. Divide the total income in 'income_shock' by the total in "
        "'stable' for the same rows; the fall is 1 minus that ratio (a fraction such as 0.25, not a percentage)."
    ),
    solution=(
        "About 0.18 (an 18% fall):\n"
        "    after = shocked['day'] >= 90\n"
        "    answer_q3 = 1 - shocked.loc[after, 'income'].sum() / stable.loc[after, 'income'].sum()"
    ),
    correct_message="That is the ground truth recorded in SCENARIOS['income_shock'].details.",
)

q4 = Question(
    "Question 4",
    expect_choice("harbour", list(REGIONS["region"])),
    hint="Group the applications from day 90 on by `region` and compute the same fall as in question 3 per region.",
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
        "carry the same information (proxies): here the neighbourhood, and any feature that differs by "
        "neighbourhood, such as debt-to-income in the proxy_bias scenario. Fairness has to be measured on "
        "outcomes, not assumed from the inputs."
    ),
)
