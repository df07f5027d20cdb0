"""Questions of exercise 08: monitoring past one machine (what merges, why KS does not, how big a sketch must be).

The sketch answers follow from DataSketches' KS rule (datasketches-cpp ``kolmogorov_smirnov_impl.hpp``): a sketch
pair alerts when its D exceeds ``sqrt(-ln(p/2)/2) * sqrt((r1 + r2) / (r1 * r2))`` plus both rank errors, where
``r1``, ``r2`` are the items the sketches keep. For a given ``k`` and row count the items kept are fixed (KLL's
levels depend on ``n`` and ``k`` only), so the floors below hold for any seed; the solution measures them.
"""

from __future__ import annotations

from helpers.exercises.checks import Question, ThoughtExperiment, ____, expect_choice, expect_number

__all__ = ["ALERT_D", "SKETCH_SIZES", "WINDOW_ROWS", "____", "q1", "q2", "q3", "q4"]

#: The sketch sizes question 3 chooses among.
SKETCH_SIZES = [200, 400, 800, 1200, 1600, 2000]
#: The alert line as a KS distance: a 0.1-sd shift of a normal feature moves its CDF by at most 2*Phi(0.05) - 1.
ALERT_D = 0.04
#: Rows per window in questions 3 and 4 (the notebook's experiment).
WINDOW_ROWS = 200_000

q1 = Question(
    "Question 1",
    expect_choice(
        "the Kolmogorov-Smirnov D",
        [
            "the PSI",
            "the Jensen-Shannon distance",
            "the chi-square p-value",
            "the disparate impact",
            "the observed default rate",
            "the Kolmogorov-Smirnov D",
        ],
    ),
    hint=(
        "A statistic merges exactly when the window's value can be computed from *sums* of what each partition "
        "stores. Which of these needs, for each possible value, the share of the window at or below it, and so every "
        "value of the window in order?"
    ),
    solution=(
        "The Kolmogorov-Smirnov D: the largest gap between two CDFs, taken over every value. The PSI, Jensen-Shannon "
        "and chi-square need the counts per bin or category, the disparate impact the approvals and rows per group, "
        "the observed default rate the outcomes on record: all sums. D for a union of partitions is not a function "
        "of each partition's D (the cell above shows two partitions whose D's say nothing about the union's)."
    ),
    correct_message="Counts add; maxima over CDFs do not. Anything built from sums merges exactly.",
)

q2 = ThoughtExperiment(
    "Question 2",
    hint=(
        "What would each partition have to keep so that the window's CDF is known at every point? When is that "
        "small? Think of credit_score, a whole number from 300 to 850, against income, a continuous amount."
    ),
    solution=(
        "The exact CDF needs, at every value, how many rows lie at or below it: the full multiset of values. For a "
        "feature with few distinct values, such as credit_score (at most 551 whole numbers), a count per distinct "
        "value is exactly that, and it adds across partitions: KS then merges exactly from a few hundred counts. For "
        "a continuous feature such as income the distinct values are nearly as many as the rows, so the choices are "
        "to ship every value (the exact answer, at the cost of moving the data), to bin it (exact counts, but the "
        "statistic is then the binned one), or to sketch it (small, mergeable, with an error floor)."
    ),
)

q3 = Question(
    "Question 3",
    # measured (helpers.profiles.sketch_ks on WINDOW_ROWS values per window): floors 0.106, 0.070, 0.047, 0.0375,
    # 0.032, 0.029 for k = 200, 400, 800, 1200, 1600, 2000: the first below ALERT_D is k = 1200
    expect_choice(1200, SKETCH_SIZES),
    hint=(
        "Build two kll_doubles_sketch(k) of WINDOW_ROWS values each for every k in SKETCH_SIZES and read sketch_ks(a, "
        "b)['floor']; the floor depends on how many items a sketch keeps, not on the values."
    ),
    solution=(
        "k = 1200: with 200,000 rows per window the floors are about 0.106 (k=200), 0.070 (400), 0.047 (800), 0.0375 "
        "(1200), 0.032 (1600) and 0.029 (2000). k = 800 cannot see a 0.04 change at all; k = 1200 can, barely: the "
        "sketch's estimate of D must clear the floor, and it is itself within its rank error of the truth, so a team "
        "would take the next size up for a margin."
    ),
    correct_message="Size a sketch from the smallest change you must catch, not from the data's volume.",
)

q4 = Question(
    "Question 4",
    # measured: with 2,000,000 rows per window a k=200 sketch keeps 624 items (590 at 200,000) and the floor is
    # 0.1035 (0.1057 at 200,000): ten times the data lowers it by about 2%
    expect_number(0.1035, tolerance=0.004, what="the floor of a k=200 sketch on 2,000,000 rows per window"),
    hint=(
        "Repeat the notebook's k=200 sketch with 2,000,000 values per window and read the floor. Which numbers in "
        "DataSketches' rule grow with the rows?"
    ),
    solution=(
        "About 0.10 (0.1035), against 0.106 with 200,000 rows. The rule uses the items the sketches keep, which grow "
        "only with the logarithm of the rows (590 to 624 here), and the rank errors, which depend on k alone. More "
        "data makes the exact test more sensitive without end; it barely moves a sketch's floor. Only k does."
    ),
    correct_message="An exact test gains power with every row; a sketch's floor is fixed by its size.",
)
