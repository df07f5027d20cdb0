"""Questions of exercise 01: reading an Evidently drift report's result, how a distance grows with a shift, the
day a page goes out under a rule with Prometheus' ``for``, and what a drifted column means for the model."""

import functools

from helpers.exercises.checks import Question, ThoughtExperiment, Wrong, ____, expect_number, expect_set
from helpers.world import REGIONS, SCENARIOS, simulate_applications

__all__ = ["q1", "q2", "q3", "q4", "q5", "PAGE_AFTER_DAYS", "RAISE", "____"]

_proxy = SCENARIOS["proxy_bias"]
_affected_share = float(REGIONS.set_index("region").loc[list(_proxy.details["regions"]), "share"].sum())
#: The mean debt-to-income rise over all applicants: 0.25 for the 30% who live in eastgate or harbour.
MEAN_DTI_RISE = _proxy.details["dti_increase"] * _affected_share
#: Consecutive drifted days the on-call team wants before a page (question 3).
PAGE_AFTER_DAYS = 3

q1 = Question(
    "Question 1",
    expect_set(set(_proxy.drifted_features), what="columns"),
    hint=(
        "snapshot = Report([DataDriftPreset()], include_tests=True).run(current[features], reference[features]); "
        "then keep the tests of snapshot.dict()['tests'] whose status is FAIL (`test['status'].value`) and read "
        "each one's column from test['metric_config']['params']['column']."
    ),
    solution=(
        "Only debt_to_income:\n"
        "    snapshot = Report([DataDriftPreset()], include_tests=True).run(current[features], reference[features])\n"
        "    failed = [t for t in snapshot.dict()['tests']\n"
        "              if t['status'].value == 'FAIL' and 'column' in t['metric_config']['params']]\n"
        "    answer_q1 = [t['metric_config']['params']['column'] for t in failed]"
    ),
    correct_message=(
        "One column of eight, and the region mix did not move at all: the drift is *within* two neighbourhoods, "
        "which is exactly what makes it a fairness problem (notebook 03)."
    ),
)

#: Question 2's rise of every later income (10%: five times notebook 01's harmless 2%).
RAISE = 0.10


@functools.cache
def _raised_score(seed: int = 0) -> float:
    """The normed Wasserstein score of question 2's cell for ``seed`` (computed once, when first checked)."""
    from helpers.drift import drift_table

    stable = simulate_applications("stable", days=120, per_day=400, seed=seed)
    before = stable[stable["day"] < 60]
    later = stable[stable["day"].between(60, 119)].assign(income=lambda frame: frame["income"] * (1 + RAISE))
    return float(drift_table(before, later, columns=["income"], method="wasserstein")["score"].iloc[0])


def _raised(answer) -> None:
    expected = _raised_score()
    expect_number(expected, tolerance=0.03, what="the normed Wasserstein score of a 10% rise")(answer)


q2 = Question(
    "Question 2",
    _raised,
    hint=(
        "In the cell above, change 1.02 to 1.10 (or use RAISE) and run it with method='wasserstein' only; read the "
        "`score` column. Before you run it: the 2% rise scores about 0.06 in the cell above; what do you predict?"
    ),
    solution=(
        "About 0.28, against about 0.06 for the 2% rise: a normed Wasserstein distance is a size (how far "
        "probability moved, in standard deviations of the reference), so it grows with the shift, and a 0.1 line "
        "sits between the harmless 2% and this 10%. KS gives a p-value of about 0 for both, which says only that "
        "there is a difference.\n"
        "    later10 = stable[stable['day'].between(60, 119)].assign(income=lambda f: f['income'] * (1 + RAISE))\n"
        "    answer_q2 = drift_table(before, later10, columns=['income'], method='wasserstein')['score'].iloc[0]"
    ),
    correct_message=(
        "A bigger shift, a bigger score: a distance measures how big, so its threshold can say how big is big "
        "enough to matter."
    ),
)


def _page_day(answer) -> None:
    start = _proxy.start_day
    expected = start + PAGE_AFTER_DAYS - 1
    if isinstance(answer, bool) or not hasattr(answer, "__int__") or int(answer) != answer:
        raise Wrong(f"give the day as a whole number (the `day` column), got {answer!r}.")
    day = int(answer)
    if day < start:
        raise Wrong(f"day {day} is before the shift starts (day {start}): would that page be a false alarm?")
    if day == start:
        raise Wrong(f"day {day} is the first drifted day; the team wants {PAGE_AFTER_DAYS} drifted days in a row.")
    if day == expected + 1:
        raise Wrong(f"day {day} is the fourth day over the line: that is what for: 3d does on daily evaluations.")
    if day != expected:
        raise Wrong(
            f"day {day} is not the day that completes the first run of {PAGE_AFTER_DAYS} drifted days. "
            f"Count from the first drifted day."
        )


q3 = Question(
    "Question 3",
    _page_day,
    hint=(
        "Prometheus' `for` counts time from the first evaluation where the condition holds: the alert is pending "
        "there, and fires once `for` has passed. Evaluated once a day, how many days must pass for the third "
        "evaluation to fire? Then: page_rule = replace(drift_rule, for_=...); the daily scores are "
        "drift_timeline(reference, monitored, columns=['debt_to_income']).set_index('period')['score']; "
        "first_firing(page_rule, scores) returns a date: subtract world['date'].min() and take `.days`."
    ),
    solution=(
        f"Day {_proxy.start_day + PAGE_AFTER_DAYS - 1}: debt_to_income is over the line from day {_proxy.start_day}, "
        f"the first day of the shift, and stays over it, so the rule is pending on days {_proxy.start_day} and "
        f"{_proxy.start_day + 1} and fires on day {_proxy.start_day + PAGE_AFTER_DAYS - 1}, when 2 days have passed: "
        f"three consecutive daily evaluations are `for: 2d`, not 3d.\n"
        "    page_rule = replace(drift_rule, for_='2d')\n"
        "    timeline = drift_timeline(reference, monitored, columns=['debt_to_income'])\n"
        "    fired = first_firing(page_rule, timeline.set_index('period')['score'])\n"
        "    answer_q3 = (fired - world['date'].min()).days"
    ),
    correct_message=(
        "Waiting for a run of days trades a little delay for fewer false pages. Note the count: 'three days in a "
        "row' on daily evaluations is for: 2d (for: 3d would fire on the fourth), the form of the lesson's "
        "'below 0.8 for 3+ days' red flag (notebook 03)."
    ),
)


q4 = Question(
    "Question 4",
    expect_number(MEAN_DTI_RISE, tolerance=0.01, what="the rise in mean debt-to-income"),
    hint=(
        "Subtract the mean of `debt_to_income` over the reference from its mean over `current` (all applicants, "
        "all regions)."
    ),
    solution=(
        f"About {MEAN_DTI_RISE:.3f}: the feed adds 0.25 to debt-to-income for the applicants of eastgate and "
        f"harbour, {_affected_share:.0%} of all applicants, so the mean rises by 0.25 x {_affected_share:.2f}.\n"
        "    answer_q4 = current['debt_to_income'].mean() - reference['debt_to_income'].mean()"
    ),
    correct_message=(
        "A modest rise on average hides a large one for a few: 0.25 for everyone in two neighbourhoods, nothing "
        "elsewhere. Averages and even distribution distances do not tell you who is affected; a by-region view does."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
    hint=(
        "The true risk of these applicants did not change; only what the feed reports did. What does the model do "
        "with a higher debt-to-income? Who lives in eastgate and harbour?"
    ),
    solution=(
        "It is not harmless. The shift is an artefact of a new data feed (rent counted as debt), not a change in the "
        "applicants, and it is concentrated in the two "
        "neighbourhoods where most minority applicants live. A model that declines more applicants with a high "
        "debt-to-income will decline more of them, for no real reason: a fairness failure (notebook 03 shows the "
        "approval ratio falling below 0.8). The model's accuracy falls too, since it declines applicants who would have "
        "repaid, but a lender sees that only in part: a declined applicant's outcome is never observed. Before closing "
        "the alert: find the cause (ask the data owners what "
        "changed in the feed), check the drift by region and by group, and audit the decisions' approval rates by "
        "group. Fix the data, not the model."
    ),
)
