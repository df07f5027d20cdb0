"""Questions of exercise 02: a quiet drift report, what is known on a given day, when an accuracy alert can fire, why
it lags the data drift alarm, what to retrain on, what a lender's own books hide, and what a holdout costs and buys."""

import math

from helpers.alerts import course_rules
from helpers.exercises.checks import Question, ThoughtExperiment, Wrong, ____, expect_choice, expect_number, plain
from helpers.world import LABEL_DELAY_DAYS, SCENARIOS

__all__ = [
    "ACCURACY_LINE",
    "HOLDOUT_SHARES",
    "LOOK_DAY",
    "WINDOW",
    "____",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "q10",
]

_concept = SCENARIOS["concept_shift"]
_shock = SCENARIOS["income_shock"]
#: Days pooled in the rolling accuracy the alert watches.
WINDOW = 7
#: The lesson's alert line.
ACCURACY_LINE = course_rules()["ModelAccuracyBelow90"].threshold
#: Question 2 looks at the monitoring from this day.
LOOK_DAY = 110
#: Expected gap in days between the data-drift alarm and the accuracy alert in income_shock: defaults rise three
#: weeks after the shock, the rolling accuracy needs a few days to cross the line, then the labels take 30 days.
_SHOCK_GAP = (_shock.concept_drift_day - _shock.start_day) + 3 + LABEL_DELAY_DAYS

q1 = Question(
    "Question 1",
    expect_number(0, tolerance=0, what="the number of drifted columns"),
    hint=(
        "Run drift_table(training, after_shift, columns=APPLICANT_FEATURES) and count the rows where `drifted` is "
        "True (`.sum()`)."
    ),
    solution=(
        "0: concept_shift changes how the features relate to default, not the features themselves.\n"
        "    answer_q1 = int(drift_table(training, after_shift, columns=APPLICANT_FEATURES)['drifted'].sum())"
    ),
    correct_message="A quiet drift report is not a healthy model: it only ever looked at the inputs.",
)

q2 = Question(
    "Question 2",
    expect_choice("no", ["yes", "no"]),
    hint=(
        f"Build known = performance_timeline(decisions, as_of=date_of_day({LOOK_DAY}, day0), window={WINDOW}), then "
        "first_firing(accuracy_rule, accuracy_metric(known)): None means it has not fired. Which days' labels are in "
        "on that day?"
    ),
    solution=(
        f"no: on day {LOOK_DAY} labels are in only for applications up to day {LOOK_DAY - LABEL_DELAY_DAYS}, before "
        f"the change on day {_concept.concept_drift_day}. Every accuracy known that day is from the old world.\n"
        f"    known = performance_timeline(decisions, as_of=date_of_day({LOOK_DAY}, day0), window={WINDOW})\n"
        "    answer_q2 = 'no' if first_firing(accuracy_rule, accuracy_metric(known)) is None else 'yes'"
    ),
    correct_message=(
        f"{LOOK_DAY - _concept.concept_drift_day} days after the change the model had been deciding badly for "
        f"weeks, and no accuracy monitor could know it yet."
    ),
)


def _alert_day(answer) -> None:
    if isinstance(answer, bool) or not hasattr(answer, "__int__") or int(answer) != answer:
        raise Wrong(f"give the day as a whole number (the `day` column), got {answer!r}.")
    day = int(answer)
    earliest = _concept.concept_drift_day + LABEL_DELAY_DAYS
    if day == earliest:
        raise Wrong(
            f"day {day} is the change's day plus the label delay. The {WINDOW}-day accuracy pools a week: one bad day "
            "among six good ones does not bring it below the line. How many bad days does it need?"
        )
    if _concept.concept_drift_day <= day < _concept.concept_drift_day + WINDOW:
        raise Wrong(
            f"day {day} is when the accuracy of the decisions fell. When could anyone *know* it? "
            f"The rule fires on the day the metric is known, a label delay later."
        )
    if day < earliest:
        raise Wrong(f"on day {day} no label of a post-change application is in yet.")
    if day >= earliest + WINDOW:
        raise Wrong(f"day {day} is later than the first day the {WINDOW}-day accuracy is known to be below the line.")


q3 = Question(
    "Question 3",
    _alert_day,
    hint=(
        "Use every label (performance_timeline(decisions, window=WINDOW)), turn it into the daily metric with "
        "accuracy_metric(...) (one sample on the day each window's labels are in) and ask first_firing(accuracy_rule, "
        "...) for the date; convert it to a day number with day_number(..., day0)."
    ),
    solution=(
        f"Between day {_concept.concept_drift_day + LABEL_DELAY_DAYS + 1} and "
        f"{_concept.concept_drift_day + LABEL_DELAY_DAYS + WINDOW - 1}: the {WINDOW}-day accuracy crosses the line "
        f"a couple of days after the change, and that becomes known {LABEL_DELAY_DAYS} days later.\n"
        "    fired = first_firing(accuracy_rule, accuracy_metric(performance_timeline(decisions, window=WINDOW)))\n"
        "    answer_q3 = day_number(fired, day0)"
    ),
    correct_message=f"An accuracy alert is late by construction: at least one label delay ({LABEL_DELAY_DAYS} days).",
)

q4 = Question(
    "Question 4",
    expect_number(_SHOCK_GAP, tolerance=4, what="the days between the two alarms"),
    hint=(
        "In income_shock: the drift rule fires at first_firing(drift_rule, inputs.set_index('period')['score']) "
        "with inputs = drift_timeline(..., columns=['income']); the accuracy rule as in question 3 on "
        "shocked_decisions. Subtract the two day numbers."
    ),
    solution=(
        f"About {_SHOCK_GAP} days: the drift alarm fires on day {_shock.start_day} or just after; defaults rise only "
        f"from day {_shock.concept_drift_day}, the {WINDOW}-day accuracy crosses the line a few days later, and its "
        f"labels arrive {LABEL_DELAY_DAYS} days after that.\n"
        "    answer_q4 = day_number(accuracy_fired, day0) - day_number(drift_fired, day0)"
    ),
    correct_message=(
        "The order is built into income_shock (defaults rise three weeks after incomes fall); what you measured is "
        "how late each monitor sees it: the rolling window and the label delay are the monitoring's share."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
    hint=(
        "Split the gap of question 4 into pieces: when did the world change for the inputs, when for the outcomes, "
        "and when did the outcomes become known? Which of these can a bank change?"
    ),
    solution=(
        "Three delays add up. (1) The shock changed incomes on day 90 but defaults only from day 111, when savings ran "
        "out: the concept drift itself came three weeks after the data drift. (2) A rolling accuracy needs a few days "
        "of bad decisions to cross the line. (3) Outcomes are known only 30 days after each decision. The first is "
        "the world; the second is a choice (shorter windows alert sooner but false-alarm more); the third can be "
        "shortened with early proxies for default (missed first payment, a human review of a sample of recent "
        "high-risk decisions, as the lesson suggests). Meanwhile the data-drift alarm is the early warning: use it to "
        "start watching, reviewing and collecting labels."
    ),
)

q6 = Question(
    "Question 6",
    expect_choice("new world only", ["keep", "everything", "new world only"]),
    hint=(
        "Train the candidates with train_baseline on each set of rows, decide(...) on `later`, and compare "
        "accuracies. Which one clears the 0.90 line?"
    ),
    solution=(
        "new world only: trained on the outcomes on record after the change, it learns the new relation between debt, "
        "score and default and clears 0.90 on later days; trained on everything, the old world outnumbers the new "
        "and the model mostly relearns the past.\n"
        "    answer_q6 = max(scores, key=scores.get)"
    ),
    correct_message=(
        "Retrain on the world the model will face. Then version that data, audit the new model for fairness, and "
        "roll it out gradually."
    ),
)


q7 = Question(
    "Question 7",
    expect_choice("rose", ["rose", "fell"]),
    hint=(
        "In proxy_bias, take the decisions of days 60-89 and of days 90-149. On the loans made (approved == 1) the "
        "accuracy is the share repaid: (loans['defaulted'] == 0).mean(). Compare the two periods."
    ),
    solution=(
        "rose: the new feed inflates debt-to-income in two neighbourhoods, the model declines many more applicants "
        "there, and the loans it still makes are the safest.\n"
        "    loans = biased[biased['approved'] == 1]\n"
        "    made = (loans['defaulted'] == 0).groupby(loans['day'] >= 90).mean()\n"
        "    answer_q7 = 'rose' if made[True] > made[False] else 'fell'"
    ),
    correct_message="The lender's own books improve while the model gets worse: the blind spot of notebook 02.",
)

q8 = ThoughtExperiment(
    "Question 8",
    hint=(
        "Compute the oracle's accuracy (every applicant) for the same two periods. Whose outcomes enter the oracle but "
        "never the lender's books, and how did their number change?"
    ),
    solution=(
        "The oracle fell (about 0.94 to 0.87) while the accuracy on the loans made rose. The model's new mistakes are "
        "declined applicants who would have repaid, and a declined applicant's outcome is never observed, so those "
        "mistakes never reach the lender's books; meanwhile the loans it still makes are the safest. Watch what is "
        "known on decision day (approval rate, its ratio between groups, score drift, CBPE) and run a random holdout "
        "to see the declined."
    ),
)


def _narrowing(answer) -> None:
    answer = plain(answer)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or math.isnan(answer):
        raise Wrong(f"give one number: the smaller share's interval width over the larger share's, got {answer!r}.")
    if answer < 1:
        raise Wrong("the ratio is below 1: divide the smaller share's width by the larger share's.")
    if not 1.4 <= answer <= 2.8:
        raise Wrong(f"{answer:.2f} is far from what the square root of the shares' ratio predicts; check both widths.")


#: Question 9's holdout shares: the smaller, then the larger.
HOLDOUT_SHARES = (0.01, 0.04)

q9 = Question(
    "Question 9",
    _narrowing,
    hint=(
        "For each share, explore(biased_after, share=..., seed=seed) and holdout_estimate(...): the width is "
        "accuracy_high - accuracy_low. Divide the smaller share's width by the larger share's."
    ),
    solution=(
        "About 2: four times the share buys about four times the holdout loans, and an interval's width shrinks with "
        "the square root of the sample size, so it halves (with few loans the ratio is noisy).\n"
        "    widths = {s: holdout_estimate(explore(biased_after, share=s, seed=seed)) for s in HOLDOUT_SHARES}\n"
        "    widths = {s: e['accuracy_high'] - e['accuracy_low'] for s, e in widths.items()}\n"
        "    answer_q9 = widths[HOLDOUT_SHARES[0]] / widths[HOLDOUT_SHARES[1]]"
    ),
    correct_message="Precision grows with the square root of the holdout; its cost grows in proportion to it.",
)

q10 = ThoughtExperiment(
    "Question 10",
    hint=(
        "exploration_cost(...) gives the holdout's defaults and losses at each share. What does the narrower interval "
        "let the bank decide that the wider one does not? Who bears the cost, and who benefits?"
    ),
    solution=(
        "The cost grows in proportion to the share (four times the loans, about four times the defaults and losses), "
        "the precision only with its square root. A share is worth paying for when the interval it buys is narrow "
        "enough to act on: here even 1% shows the model far below the loans-made accuracy, so a small share suffices to "
        "raise the alarm, and a larger one is for measuring a fix or comparing models. The holdout also lends to "
        "applicants the model would wrongly refuse, and it gives the only unbiased data to retrain on."
    ),
)
