"""Questions of exercise 07: the capstone (a gap and a ratio, a red flag by hand, which record answers which question,
and what a holdout says that the loans made cannot).

The checks hold for any seed: each answer follows from the numbers in the question or from the alert rules' own
definitions, worked out by hand in the solutions.
"""

from __future__ import annotations

from helpers.exercises.checks import Question, ThoughtExperiment, ____, expect_choice, expect_number

__all__ = ["____", "q1", "q2", "q3", "q4", "q5"]

q1 = Question(
    "Question 1",
    # by hand: the gap 0.90 - 0.80 = 10 points shrinks by 30% to 7 points, so the minority rate is 0.83 and the
    # ratio 0.83 / 0.90 = 0.9222 (it was 0.80 / 0.90 = 0.8889: the ratio rose by under 4%)
    expect_number(0.83 / 0.90, tolerance=0.0005, what="the disparate impact after the change"),
    hint=(
        "The gap is the majority's approval rate minus the minority's. Shrink it by 30% with the majority's rate "
        "unchanged, find the minority's new rate, then divide it by the majority's."
    ),
    solution=(
        "The gap 0.90 - 0.80 = 0.10 shrinks by 30% to 0.07, so the minority is approved at 0.90 - 0.07 = 0.83 and "
        "the ratio is 0.83 / 0.90 = 0.922. Before, it was 0.80 / 0.90 = 0.889: 'bias down 30%' as a gap is a rise "
        "of under 4% as a ratio."
    ),
    correct_message="A gap and a ratio describe the same rates with different numbers: always say which one you mean.",
)

q2 = Question(
    "Question 2",
    # by hand (Prometheus' rule, for: 2d, one evaluation a day): day 1 below -> pending; day 2 below -> pending (1 day
    # elapsed); day 3 at 0.81 -> not below, the pending alert is dropped; days 4, 5, 6 below -> pending from day 4,
    # firing on day 6 (2 days elapsed)
    expect_number(6, what="the day the red flag fires"),
    hint=(
        "Build the series with one value per day (a DatetimeIndex) and call alerts.first_firing with the course's "
        "DisparateImpactRedFlag rule; or work it out: pending on the first day below 0.8, firing once two days "
        "have passed, and one day at or above 0.8 resets the clock."
    ),
    solution=(
        "Day 6. Days 1 and 2 are below 0.8 (pending since day 1), but day 3 (0.81) is not: the pending alert is "
        "dropped. Days 4, 5 and 6 are below again: pending from day 4, firing on day 6, when two days have passed "
        "(for: 2d)."
    ),
    correct_message="Three consecutive daily evaluations below the line, not three in total: one good day resets it.",
)

q3 = Question(
    "Question 3",
    expect_choice(
        "MLflow dataset inputs",
        ["DVC", "MLflow dataset inputs", "the Evidently workspace", "the alert rules"],
    ),
    hint="One of them records data versions per git commit; another records, per run, which data the run used.",
    solution=(
        "MLflow dataset inputs: each run records the name, digest and role (training, evaluation) of the data it "
        "used, so the question 'which data was this model trained on?' is a query over runs. DVC then gives the "
        "bytes of that version back (the capstone's retraining run carries the DVC commit as a tag)."
    ),
    correct_message="MLflow says which data a run used; DVC gives you that data back, byte for byte.",
)

q4 = ThoughtExperiment(
    "Question 4",
    hint=(
        "In the capstone, raising the approval threshold approved more applicants but still failed four-fifths, "
        "while retraining on a month of post-shock outcomes passed and was more accurate. What did each change, and "
        "what would you tell the fairness reviewer about the cost of each?"
    ),
    solution=(
        "The threshold moves every applicant's decision the same way: it lends more to everyone without telling "
        "good from bad risks, so accuracy falls and the minority, concentrated where incomes fell, stays far behind. "
        "The cause was the model's outdated idea of what a lower income means after the shock; retraining on recent "
        "outcomes corrects that, which is why it closes most of the gap and is more accurate too. The cost of "
        "retraining is waiting for outcomes (a month here) and the risk of a new model: hence the gate and the "
        "canary before it serves everyone."
    ),
)

q5 = Question(
    "Question 5",
    # by hand: the model was right on the 855 repaid loans; on a declined applicant it is right exactly when they
    # default, and the random holdout says 4 of 10 do, so (855 + 100 x 0.4) / 1000 = 0.895
    expect_number((855 + 100 * 4 / 10) / 1000, tolerance=0.0005, what="the estimated accuracy on every applicant"),
    hint=(
        "On a loan it made the model predicted 'repay': right when it was repaid. On a declined applicant it "
        "predicted 'default': right when they would have defaulted. The holdout is a random sample of the declined: "
        "its default share stands for all 100 of them."
    ),
    solution=(
        "0.895 = (855 + 100 x 4/10) / 1000, below the 0.90 line, while the loans made show 855 / 900 = 0.95: the bank's "
        "own books say the model is fine; the holdout says it is not. (helpers.labels.holdout_estimate does this sum.)"
    ),
    correct_message=(
        "Ten loans the bank would not have made (six of them repaid) turned an invisible problem into a number with "
        "an interval: that is what a holdout is for."
    ),
)
