"""Questions of exercise 06: safe updates (a fencepost by hand, the next controller sync, an analysis run, an A/B size
on an observable metric, a judgement call, a canary's clock, a quiet night).

Each expected answer is computed by ``helpers.rollout`` / ``helpers.abtest``, whose tests work the same cases out by
hand from the controllers' sources; the hints give the rule, the solutions the arithmetic.
"""

from __future__ import annotations

from typing import Any

from helpers.abtest import sample_size_per_arm
from helpers.exercises.checks import Question, ThoughtExperiment, Wrong, ____, expect_pair
from helpers.rollout import MetricSpec, analysis_run, resolve_fenceposts, run_canary

__all__ = ["Q3_MEASUREMENTS", "Q6_METRIC", "Q6_STEPS", "____", "q1", "q2", "q3", "q4", "q5", "q6", "q7"]

#: Question 3's measurements, in the order Argo Rollouts took them.
Q3_MEASUREMENTS = ["Successful", "Failed", "Inconclusive", "Failed", "Failed", "Successful"]


q1 = Question(
    "Question 1",
    expect_pair(resolve_fenceposts(7, "30%", "30%"), ("surge", "unavailable"), "Kubernetes"),
    hint=(
        "p% of N replicas is p x N / 100 pods. maxSurge rounds up (more room to add pods), maxUnavailable rounds "
        "down (never less capacity than you asked for)."
    ),
    solution=(
        "30 x 7 / 100 = 2.1: surge = ceil(2.1) = 3, unavailable = floor(2.1) = 2, so answer_q1 = (3, 2). During the "
        "update there are at most 10 pods and at least 5 available."
    ),
    correct_message="Surge rounds up, unavailable rounds down: ResolveFenceposts in deployment_util.go.",
)

q2 = Question(
    "Question 2",
    expect_pair((6, 4), ("old", "new"), "the next sync of rolling.go"),
    hint=(
        "First: may the controller add new pods (all pods < replicas + surge and new < replicas)? If not: "
        "maxScaledDown = all pods - minAvailable - (new pods not yet available). If that is > 0, old pods go down "
        "by (available pods - minAvailable), where available counts old and new pods in the snapshot."
    ),
    solution=(
        "Surge 3, unavailable 1: at most 13 pods, at least 9 available. There are 9 + 4 = 13 pods, so no scale-up. "
        "maxScaledDown = 13 - 9 - (4 - 3) = 3 > 0. Available pods: 9 old + 3 new = 12 > 9, so the old ReplicaSet "
        "goes down by 12 - 9 = 3: answer_q2 = (6, 4). Available stays at 9 (6 old + 3 new)."
    ),
    correct_message="One sync, one snapshot: scale up if you may, else scale down as far as availability allows.",
)

_q3_result = analysis_run(Q3_MEASUREMENTS, failure_limit=2, inconclusive_limit=1, count=6)


def _check_q3(answer: Any) -> None:
    expect_pair((_q3_result.phase, _q3_result.ended_at), ("phase", "measurement"), "Argo Rollouts' analysis")(answer)


q3 = Question(
    "Question 3",
    _check_q3,
    hint=(
        "After each measurement, in this order: Failed if failures > failureLimit; Inconclusive if inconclusive "
        "measurements > inconclusiveLimit; Successful once count measurements are taken. 'More than', not 'at least'."
    ),
    solution=(
        "Count as you go: 1 S; 2 F (failed 1); 3 I (inconclusive 1, not > 1); 4 F (failed 2, not > 2); 5 F (failed 3 "
        "> 2): the run is Failed at measurement 5, and the 6th is never taken. answer_q3 = ('Failed', 5)."
    ),
    correct_message="Limits are strictly greater than: failureLimit 2 tolerates two failures and fails on the third.",
)

q4 = Question(
    "Question 4",
    lambda answer: _check_size(answer),
    hint=(
        "The rates are bad rates of loans made (what each arm observes), proportions like any other. "
        "n = [z(1 - alpha/2) sqrt(2 pbar qbar) + z(power) sqrt(p1 q1 + p2 q2)]^2 / (p1 - p2)^2 with pbar the mean "
        "of the two rates; scipy.stats.norm.ppf gives the z values. Round up."
    ),
    solution=(
        "    from scipy.stats import norm\n"
        "    p1, p2 = 0.06, 0.09; pbar = (p1 + p2) / 2\n"
        "    n = ((norm.ppf(0.975) * math.sqrt(2 * pbar * (1 - pbar))\n"
        "          + norm.ppf(0.8) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) / (p1 - p2)) ** 2\n"
        "    answer_q4 = math.ceil(n)   # per arm"
    ),
    correct_message=("Loans, not applications: at a 90% approval rate each arm needs about 11% more applications, "
                     "and 30 days more for the outcomes. Decide the size, then wait for it: read the test once."),
)
_Q4_EXPECTED = sample_size_per_arm(0.06, 0.09)


def _check_size(answer: Any) -> None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise Wrong(f"give a number of loans per arm, got {answer!r}.")
    if answer != _Q4_EXPECTED:
        if abs(answer - _Q4_EXPECTED) <= 1:
            raise Wrong(f"{answer} is within one of the answer: round the formula's result up, once, at the end.")
        direction = "too many" if answer > _Q4_EXPECTED else "too few"
        raise Wrong(f"{answer} is {direction} for the pooled-variance formula.")


q5 = ThoughtExperiment(
    "Question 5",
    hint=(
        "How many loans a day would the 5% arm make here, which of its outcomes would be known after two weeks, "
        "and what does stopping at the first p < 0.05 do to the false-positive rate? Who is 'a user' if the same "
        "applicant asks twice?"
    ),
    solution=(
        "Two weeks at 5% of a few hundred decisions a day gives the new model a few hundred loans, and not one of "
        "their outcomes is known yet (30 days); the declined applicants' outcomes never will be. That is far below "
        "the thousands of loans the sizing asks for. Checking daily and shipping at the first p < 0.05 would declare "
        "a difference in a large share of tests even when there is none. Propose instead: the pre-update gate on "
        "loans whose outcomes are on record, then a canary on operational metrics and decision fairness, and, if an "
        "A/B test is wanted, users (not requests) assigned by a hashed id, a bad-rate metric, a size and horizon "
        "fixed in advance (or a sequential design), read once."
    ),
)

#: Question 6's Rollout steps (a pause in seconds) and its one metric.
Q6_STEPS = [{"setWeight": 5}, {"pause": 600}, {"analysis": ["error-rate"]}, {"setWeight": 100}]
Q6_METRIC = MetricSpec("error-rate", success_condition="result[0] < 0.01", count=3, interval="5m", failure_limit=1)
_q6_run = run_canary(Q6_STEPS, [Q6_METRIC], lambda weight, step, k: {"error-rate": 0.2}, requests_per_minute=1000)
_Q6_EXPECTED = (float(_q6_run.steps["minute"].iloc[-1]), round(_q6_run.canary_requests))

q6 = Question(
    "Question 6",
    expect_pair(_Q6_EXPECTED, ("minute", "canary requests"), "Argo Rollouts' clock"),
    hint=(
        "An AnalysisRun measures at once, then every interval; failureLimit 1 tolerates one failed measurement. "
        "The canary serves its weight's share of every minute until the abort."
    ),
    solution=(
        "The pause ends at minute 10 and the analysis measures at once: minute 10, Failed (1, not > 1); minute 15, "
        "Failed (2 > 1): the run fails and the rollout aborts at minute 15. The canary served 5% of 1,000 requests a "
        "minute for 15 minutes: 750. answer_q6 = (15, 750). Had Argo waited an interval first, it would have been "
        "minute 20 and 1,000 requests."
    ),
    correct_message="The first measurement comes when the run starts: count 3 every 5m spans 10 minutes, not 15.",
)

q7 = ThoughtExperiment(
    "Question 7",
    hint=(
        "1% of 30 requests a minute over a 15-minute window is how many canary requests? What does Prometheus return "
        "for 0 / 0, and what does Argo make of it with a success condition only? And one failed request among four?"
    ),
    solution=(
        "At 1% the canary gets about 4.5 requests per 15-minute window, and some windows get none: the error rate is "
        "0 / 0 = NaN, which Argo evaluates as Failed under a success-only condition, so a healthy version is aborted; "
        "and a single failed request among four is a 25% error rate. The fairness ratio needs both groups in the "
        "window, which a handful of requests rarely gives. Change the analysis, not the threshold: longer windows "
        "(or a larger weight) at night, a condition that first requires enough requests, or both a success and a "
        "failure condition so that a window without evidence is Inconclusive and a person decides."
    ),
)
