"""Questions of exercise 02: a quiet drift report, what is known on a given day, when an accuracy alert can fire, why
it lags the data drift alarm, and what to retrain on."""

from helpers.alerts import course_rules
from helpers.checks import ____, Question, ThoughtExperiment, Wrong, expect_choice, expect_number
from helpers.world import LABEL_DELAY_DAYS, SCENARIOS

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "ACCURACY_LINE", "LOOK_DAY", "ROLLING", "____"]

_concept = SCENARIOS["concept_shift"]
_shock = SCENARIOS["income_shock"]
#: Days pooled in the rolling accuracy the alert watches.
ROLLING = 7
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
        f"Build known = performance_timeline(decisions, as_of=date_of_day({LOOK_DAY}, day0), rolling={ROLLING}), then "
        "first_firing(accuracy_rule, accuracy_metric(known)): None means it has not fired. Which days' labels are in "
        "on that day?"
    ),
    solution=(
        f"no: on day {LOOK_DAY} labels are in only for applications up to day {LOOK_DAY - LABEL_DELAY_DAYS}, before "
        f"the change on day {_concept.concept_drift_day}. Every accuracy known that day is from the old world.\n"
        f"    known = performance_timeline(decisions, as_of=date_of_day({LOOK_DAY}, day0), rolling={ROLLING})\n"
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
    if _concept.concept_drift_day <= day < _concept.concept_drift_day + ROLLING:
        raise Wrong(
            f"day {day} is when the accuracy of the decisions fell. When could anyone *know* it? "
            f"The rule fires on the day the metric is known, a label delay later."
        )
    if day < earliest:
        raise Wrong(f"on day {day} no label of a post-change application is in yet.")
    if day >= earliest + ROLLING:
        raise Wrong(f"day {day} is later than the first day the {ROLLING}-day accuracy is known to be below the line.")


q3 = Question(
    "Question 3",
    _alert_day,
    hint=(
        "Use every label (performance_timeline(decisions, rolling=ROLLING)), turn it into the daily metric with "
        "accuracy_metric(...) (one sample on the day each window's labels are in) and ask first_firing(accuracy_rule, "
        "...) for the date; convert it to a day number with day_number(..., day0)."
    ),
    solution=(
        f"Between day {_concept.concept_drift_day + LABEL_DELAY_DAYS} and "
        f"{_concept.concept_drift_day + LABEL_DELAY_DAYS + ROLLING - 1}: the {ROLLING}-day accuracy crosses the line "
        f"a couple of days after the change, and that becomes known {LABEL_DELAY_DAYS} days later (day 122 with the "
        "default seed, as in notebook 02).\n"
        "    fired = first_firing(accuracy_rule, accuracy_metric(performance_timeline(decisions, rolling=ROLLING)))\n"
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
        f"from day {_shock.concept_drift_day}, the {ROLLING}-day accuracy crosses the line a few days later, and its "
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
        "new world only: trained on the labelled days after the change, it learns the new relation between debt, "
        "score and default and clears 0.90 on later days; trained on everything, the old world outnumbers the new "
        "and the model mostly relearns the past.\n"
        "    answer_q6 = max(scores, key=scores.get)"
    ),
    correct_message=(
        "Retrain on the world the model will face. Then version that data, audit the new model for fairness, and "
        "roll it out gradually."
    ),
)
