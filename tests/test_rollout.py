"""helpers.rollout against sequences worked out by hand from the controllers' sources.

Kubernetes: kubernetes/kubernetes pkg/controller/deployment/rolling.go (rolloutRolling, reconcileNewReplicaSet,
reconcileOldReplicaSets, cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate) and
pkg/controller/deployment/util/deployment_util.go (ResolveFenceposts, NewRSNewReplicas, MaxUnavailable,
DeploymentProgressing, DeploymentTimedOut). The rules used by hand below, for N replicas, surge s, unavailable u:

    maxTotal = N + s, minAvail = N - u
    sync: if no new RS: create it with min(maxTotal - cur, N) pods (NewRSNewReplicas) and continue the same sync
          if new < N and cur < maxTotal: new += min(maxTotal - cur, N - new); END (scaled up)
          maxScaledDown = cur - minAvail - (new - newAvailable); if <= 0: END
          avail = oldAvailable + newAvailable (the snapshot); if avail > minAvail: old -= min(old, avail - minAvail)

A pod created in sync c is available from sync c + ready_delay (+ min_ready_syncs). Rows are (old, new) after each
sync. None of the expected sequences below was produced by the simulator.

Argo Rollouts: argoproj/argo-rollouts analysis/analysis.go (runMeasurements: Count++ for Successful, Failed and
Inconclusive but not Error; assessMetricStatus: Failed if failed > failureLimit, Inconclusive if inconclusive >
inconclusiveLimit, Error if consecutiveErrors > consecutiveErrorLimit, Successful once count reached, else Running;
the first measurement is taken when the run starts unless initialDelay, then one per interval) and
utils/evaluate/evaluate.go (EvaluateResult: with only a successCondition, failure = not success; with only a
failureCondition, success = not failure; failure first; neither -> Inconclusive). docs/features/analysis.md "NaN and
Infinity": NaN is evaluated and every comparison with it is false; an empty result (no series) cannot be indexed by
result[0] and is an Error.

Flagger: fluxcd/flagger pkg/controller/scheduler.go (advanceCanary: rollback once FailedChecks >= threshold; at weight
0 with no iterations only pre-rollout hooks run; a failed runAnalysis adds 1 to FailedChecks and returns, holding the
weight; runCanary: weight < maxWeight -> weight += stepWeight, else promote; Promoting -> route all traffic to primary,
phase Finalising; Finalising -> scale canary to zero, Succeeded).
"""

from __future__ import annotations

import math

import pytest

from helpers.rollout import (
    MetricSpec,
    analysis_metrics,
    analysis_run,
    canary_steps,
    deployment_settings,
    flagger_run,
    measurement_phase,
    resolve_fenceposts,
    run_canary,
    simulate_rolling_update,
)


def pairs(frame):
    return list(zip(frame["old"], frame["new"]))


# ----------------------------------------------------------------------------------------------------------------
# Fenceposts (ResolveFenceposts; validation of maxSurge / maxUnavailable)
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "expected"),
    [
        (10, "25%", "10%", (3, 1)),  # ceil(2.5) = 3, floor(1.0) = 1
        (4, "25%", "25%", (1, 1)),  # exactly 1 and 1
        (3, "25%", 0, (1, 0)),  # ceil(0.75) = 1; an explicit 0 stays 0
        (3, "25%", "25%", (1, 0)),  # floor(0.75) = 0
        (100, "29%", "29%", (29, 29)),  # 29*100/100 = 29 exactly; Python's floor(29/100*100) would be 28
        (2, "10%", "10%", (1, 0)),  # ceil(0.2) = 1, floor(0.2) = 0
        (10, 2, 0, (2, 0)),  # whole numbers are taken as they are
        (10, "0%", "10%", (0, 1)),
        (0, "25%", "25%", (0, 1)),  # 0 replicas: both 0 -> unavailable 1
    ],
)
def test_fenceposts(replicas, surge, unavailable, expected):
    assert resolve_fenceposts(replicas, surge, unavailable) == expected


def test_both_percentages_rounding_to_zero_give_one_unavailable():
    # a percentage surge never rounds to 0 for a non-zero one (ceil), so: surge 0 and floor(5 * 10 / 100) = 0
    assert resolve_fenceposts(10, 0, "5%") == (0, 1)  # floor(0.5) = 0 and surge 0 -> unavailable 1


def test_twenty_nine_percent_is_computed_in_integers():
    assert math.floor(29 / 100 * 100) == 28  # the floating-point trap the helper avoids
    assert resolve_fenceposts(100, "29%", "29%") == (29, 29)


@pytest.mark.parametrize(
    ("surge", "unavailable", "needle"),
    [
        (0, 0, "maxUnavailable"),  # both explicitly 0: refused by validation
        ("0%", "0%", "may not be 0 when maxSurge is 0"),
        (0, "0%", "may not be 0"),
        ("25%", "110%", "100%"),
        (-1, 1, "maxSurge"),
        (1, -1, "maxUnavailable"),
        ("25", 1, "maxSurge"),  # no % sign
        ("2.5%", 1, "maxSurge"),
        (1, "-5%", "maxUnavailable"),
        (True, 1, "maxSurge"),
    ],
)
def test_fenceposts_refuse_what_the_api_server_refuses(surge, unavailable, needle):
    with pytest.raises(ValueError, match=needle):
        resolve_fenceposts(10, surge, unavailable)


def test_negative_replicas_are_refused():
    with pytest.raises(ValueError, match="replicas"):
        resolve_fenceposts(-1, "25%", "25%")
    with pytest.raises(ValueError, match="replicas"):
        simulate_rolling_update(-3, "25%", "25%")


def test_surge_over_100_percent_is_allowed():
    assert resolve_fenceposts(4, "150%", 0) == (6, 0)


# ----------------------------------------------------------------------------------------------------------------
# RollingUpdate: 10 replicas, 25% / 10%  (surge 3, unavailable 1, maxTotal 13, minAvail 9)
# ----------------------------------------------------------------------------------------------------------------
def test_ten_replicas_instant_readiness():
    # ready_delay 1: a pod created in sync c is available in sync c + 1.
    # sync 1: create new RS: min(13 - 10, 10) = 3 -> new 3. Same sync: cur 13 = maxTotal, no scale-up;
    #         maxScaledDown = 13 - 9 - (3 - 0) = 1 > 0; avail = 10 > 9 -> old down by 1: (9, 3)
    # sync 2: cur 12 < 13 -> new += min(1, 7) = 1: (9, 4)
    # sync 3: new available 4 (3 from sync 1, 1 from sync 2); cur 13; maxScaledDown = 13 - 9 - 0 = 4;
    #         avail = 9 + 4 = 13 -> old down by 4: (5, 4)
    # sync 4: cur 9 -> new += min(4, 6) = 4: (5, 8)
    # sync 5: new available 8; maxScaledDown = 13 - 9 - 0 = 4; avail 13 -> old down 4: (1, 8)
    # sync 6: cur 9 -> new += min(4, 2) = 2: (1, 10)
    # sync 7: new = N, no scale-up; new available 10; maxScaledDown = 11 - 9 - 0 = 2; avail 11 -> old down 1: (0, 10)
    update = simulate_rolling_update(10, "25%", "10%", ready_delay=1)
    frame = update.frame
    assert pairs(frame) == [(9, 3), (9, 4), (5, 4), (5, 8), (1, 8), (1, 10), (0, 10)]
    # available after each sync's action: old pods left + new pods created in an earlier sync
    # sync 2: 9 + 3; sync 4: 5 + 4 (the 4 created in sync 4 are not yet); sync 6: 1 + 8; sync 7: 10
    assert frame["available"].tolist() == [9, 12, 9, 9, 9, 9, 10]
    assert update.outcome == "complete" and frame["reason"].iloc[-1] == "NewReplicaSetAvailable"
    assert (frame["available"] >= 9).all() and (frame["total"] <= 13).all()


def test_ten_replicas_delayed_readiness():
    # ready_delay 3: created in sync c, available from c + 3.
    # sync 1: new 3 (created 1, ready 4); maxScaledDown = 13 - 9 - 3 = 1; avail 10 -> old 9: (9, 3)
    # sync 2: cur 12 -> new 4 (created 2, ready 5): (9, 4)
    # sync 3: new available 0; maxScaledDown = 13 - 9 - 4 = 0 -> nothing: (9, 4)
    # sync 4: new available 3; maxScaledDown = 13 - 9 - 1 = 3; avail 12 -> old down 3: (6, 4)
    # sync 5: cur 10 -> new += min(3, 6) = 3 (ready 8): (6, 7)
    # sync 6: new available 4; maxScaledDown = 13 - 9 - 3 = 1; avail 10 -> old down 1: (5, 7)
    # sync 7: cur 12 -> new += 1 (ready 10): (5, 8)
    # sync 8: new available 7; maxScaledDown = 13 - 9 - 1 = 3; avail 12 -> old down 3: (2, 8)
    # sync 9: cur 10 -> new += min(3, 2) = 2 (ready 12): (2, 10)
    # sync 10: new available 8; maxScaledDown = 12 - 9 - 2 = 1; avail 10 -> old down 1: (1, 10)
    # sync 11: new available 8; maxScaledDown = 11 - 9 - 2 = 0: (1, 10)
    # sync 12: new available 10; maxScaledDown = 11 - 9 - 0 = 2; avail 11 -> old down 1: (0, 10), complete
    update = simulate_rolling_update(10, "25%", "10%", ready_delay=3)
    frame = update.frame
    assert pairs(frame) == [(9, 3), (9, 4), (9, 4), (6, 4), (6, 7), (5, 7), (5, 8), (2, 8), (2, 10), (1, 10),
                            (1, 10), (0, 10)]
    assert (frame["available"] >= 9).all() and (frame["total"] <= 13).all()
    assert update.outcome == "complete"


# ----------------------------------------------------------------------------------------------------------------
# 4 replicas, 25% / 25%  (surge 1, unavailable 1, maxTotal 5, minAvail 3)
# ----------------------------------------------------------------------------------------------------------------
def test_four_replicas_instant_readiness():
    # sync 1: create new 1; maxScaledDown = 5 - 3 - 1 = 1; avail 4 -> old 3: (3, 1)
    # sync 2: cur 4 -> new 2: (3, 2)
    # sync 3: new available 2; maxScaledDown = 5 - 3 - 0 = 2; avail 5 -> old down 2: (1, 2)
    # sync 4: cur 3 -> new += min(2, 2) = 2: (1, 4)
    # sync 5: new available 4; maxScaledDown = 2; avail 5 -> old down min(1, 2) = 1: (0, 4)
    frame = simulate_rolling_update(4, "25%", "25%", ready_delay=1).frame
    assert pairs(frame) == [(3, 1), (3, 2), (1, 2), (1, 4), (0, 4)]
    assert frame["available"].tolist() == [3, 4, 3, 3, 4]  # sync 4: 1 old + 2 new (2 just created)


def test_four_replicas_delayed_readiness():
    # sync 1: new 1 (ready 4); old 3: (3, 1)
    # sync 2: cur 4 -> new 2 (ready 5): (3, 2)
    # sync 3: new available 0; maxScaledDown = 5 - 3 - 2 = 0: (3, 2)
    # sync 4: new available 1; maxScaledDown = 5 - 3 - 1 = 1; avail 4 -> old 2: (2, 2)
    # sync 5: cur 4 -> new 3 (ready 8): (2, 3)
    # sync 6: new available 2; maxScaledDown = 5 - 3 - 1 = 1; avail 4 -> old 1: (1, 3)
    # sync 7: cur 4 -> new 4 (ready 10): (1, 4)
    # sync 8: new available 3; maxScaledDown = 5 - 3 - 1 = 1; avail 4 -> old 0: (0, 4)
    # sync 9: new available 3: nothing to do (no old pods), not complete: (0, 4)
    # sync 10: new available 4: complete
    frame = simulate_rolling_update(4, "25%", "25%", ready_delay=3).frame
    assert pairs(frame) == [(3, 1), (3, 2), (3, 2), (2, 2), (2, 3), (1, 3), (1, 4), (0, 4), (0, 4), (0, 4)]
    assert frame["available"].tolist() == [3, 3, 3, 3, 4, 3, 3, 3, 3, 4]


# ----------------------------------------------------------------------------------------------------------------
# 3 replicas, 25% / 0  (surge 1, unavailable 0, maxTotal 4, minAvail 3): capacity never drops
# ----------------------------------------------------------------------------------------------------------------
def test_three_replicas_no_unavailability_instant():
    # sync 1: new 1; maxScaledDown = 4 - 3 - 1 = 0: (3, 1)
    # sync 2: new available 1; maxScaledDown = 4 - 3 - 0 = 1; avail 4 -> old 2: (2, 1)
    # sync 3: cur 3 -> new 2: (2, 2)
    # sync 4: old 1: (1, 2); sync 5: new 3: (1, 3); sync 6: new available 3, avail 4 -> old 0: (0, 3)
    frame = simulate_rolling_update(3, "25%", 0, ready_delay=1).frame
    assert pairs(frame) == [(3, 1), (2, 1), (2, 2), (1, 2), (1, 3), (0, 3)]
    assert (frame["available"] == 3).all()


def test_three_replicas_no_unavailability_delayed():
    # sync 1: new 1 (ready 4): (3, 1); syncs 2-3: maxScaledDown = 4 - 3 - 1 = 0: (3, 1), (3, 1)
    # sync 4: old 2: (2, 1); sync 5: new 2 (ready 8): (2, 2); syncs 6-7: wait; sync 8: old 1: (1, 2)
    # sync 9: new 3 (ready 12): (1, 3); syncs 10-11: wait; sync 12: old 0: (0, 3), complete
    frame = simulate_rolling_update(3, "25%", 0, ready_delay=3).frame
    assert pairs(frame) == [(3, 1), (3, 1), (3, 1), (2, 1), (2, 2), (2, 2), (2, 2), (1, 2), (1, 3), (1, 3), (1, 3),
                            (0, 3)]
    assert (frame["available"] == 3).all()


def test_min_ready_syncs_delay_availability_like_ready_delay():
    # available = created + ready_delay + min_ready_syncs, so 1 + 2 behaves as a delay of 3 for the controller
    a = simulate_rolling_update(10, "25%", "10%", ready_delay=1, min_ready_syncs=2).frame
    b = simulate_rolling_update(10, "25%", "10%", ready_delay=3).frame
    assert pairs(a) == pairs(b)


# ----------------------------------------------------------------------------------------------------------------
# Readiness probes, a broken version and the progress deadline
# ----------------------------------------------------------------------------------------------------------------
def test_with_probe_no_request_hits_a_pod_that_cannot_serve():
    frame = simulate_rolling_update(10, "25%", "10%", ready_delay=3, requests_per_sync=1000).frame
    assert (frame["ready"] == frame["serving"]).all() and frame["failed"].sum() == 0


def test_without_probe_pods_get_traffic_before_they_can_serve():
    # No probe: Ready (and, for the controller, available) one sync after creation, i.e. the controller runs the
    # instant-readiness sequence while each pod needs 3 syncs to serve.
    frame = simulate_rolling_update(10, "25%", "10%", ready_delay=3, readiness_probe=False,
                                    requests_per_sync=1000).frame
    assert pairs(frame) == [(9, 3), (9, 4), (5, 4), (5, 8), (1, 8), (1, 10), (0, 10)]
    # sync 2: Ready = 9 old + 3 new (created 1); none of the new can serve before sync 4: 3 of 12 endpoints fail
    assert (frame.loc[1, "ready"], frame.loc[1, "serving"]) == (12, 9)
    assert frame["failed"].sum() > 0.05 * frame["requests"].sum()
    assert (frame["failed"] > 0).equals(frame["ready"] > frame["serving"])


def test_broken_version_with_probe_stalls_and_reports_the_deadline():
    # New pods never become Ready. sync 1: (9, 3); sync 2: (9, 4); from sync 3: maxScaledDown = 13 - 9 - 4 = 0 and
    # cur = 13, so nothing changes. Last progress in sync 2 (updated 3 -> 4); with a deadline of 5 syncs the
    # Deployment reports ProgressDeadlineExceeded at the first sync t with 2 + 5 < t: sync 8. Nothing rolls back.
    update = simulate_rolling_update(10, "25%", "10%", fail_new=True, progress_deadline_syncs=5)
    frame = update.frame
    assert pairs(frame) == [(9, 3), (9, 4)] + [(9, 4)] * 6
    assert frame["reason"].tolist()[-2:] == ["ReplicaSetUpdated", "ProgressDeadlineExceeded"]
    assert frame["progressing"].iloc[-1] == "False" and update.outcome == "ProgressDeadlineExceeded"
    assert (frame["available"] == 9).all() and frame["failed"].sum() == 0


def test_broken_version_without_probe_replaces_everything():
    # Without a probe the broken pods look Ready: the controller completes the update and every request fails.
    update = simulate_rolling_update(10, "25%", "10%", fail_new=True, readiness_probe=False)
    frame = update.frame
    assert pairs(frame)[-1] == (0, 10) and update.outcome == "complete"
    assert frame["failed"].iloc[-1] == frame["requests"].iloc[-1]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"ready_delay": 0}, "ready_delay"),
        ({"min_ready_syncs": -1}, "min_ready_syncs"),
        ({"requests_per_sync": 2.5}, "requests_per_sync"),
        ({"progress_deadline_syncs": 0}, "progress_deadline_syncs"),
    ],
)
def test_simulator_names_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        simulate_rolling_update(10, "25%", "10%", **kwargs)


def test_simulator_refuses_both_zero_which_the_schema_accepts():
    with pytest.raises(ValueError, match="may not be 0 when maxSurge is 0"):
        simulate_rolling_update(10, 0, 0)


# ----------------------------------------------------------------------------------------------------------------
# Argo Rollouts analysis
# ----------------------------------------------------------------------------------------------------------------
def test_failure_limit_is_strictly_greater():
    # failureLimit 3: after the 3rd failure failed = 3, not > 3 -> Running; the 4th makes 4 > 3 -> Failed.
    assert analysis_run(["Failed"] * 3, failure_limit=3).phase == "Running"
    result = analysis_run(["Failed"] * 5, failure_limit=3)
    assert (result.phase, result.ended_at, result.failed) == ("Failed", 4, 4)


def test_default_failure_limit_fails_on_the_first_failure():
    result = analysis_run(["Successful", "Failed", "Successful"], count=3)
    assert (result.phase, result.ended_at) == ("Failed", 2)


def test_count_reached_is_successful_and_errors_do_not_count():
    # count 3: Successful, Error, Successful, Successful -> the 3 non-error measurements complete at the 4th
    result = analysis_run(["Successful", "Error", "Successful", "Successful"], count=3)
    assert (result.phase, result.ended_at, result.errors) == ("Successful", 4, 1)


def test_failures_within_the_limit_still_succeed_at_count():
    result = analysis_run(["Failed", "Successful", "Failed"], failure_limit=2, count=3)
    assert (result.phase, result.ended_at) == ("Successful", 3)


def test_consecutive_errors_beyond_the_limit():
    # default consecutiveErrorLimit 4: the 5th consecutive error (5 > 4) ends the run with Error
    assert analysis_run(["Error"] * 5).phase == "Error" and analysis_run(["Error"] * 5).ended_at == 5
    # a success resets the streak: 4 errors, success, 4 errors never exceeds 4
    assert analysis_run(["Error"] * 4 + ["Successful"] + ["Error"] * 4).phase == "Running"


def test_inconclusive_beyond_its_limit():
    result = analysis_run(["Successful", "Inconclusive", "Inconclusive"], inconclusive_limit=1)
    assert (result.phase, result.ended_at) == ("Inconclusive", 3)


def test_failed_is_checked_before_inconclusive():
    # both limits exceeded by the same measurement? only one counter moves per measurement, so check order:
    # with limits 0, a Failed first ends Failed even if Inconclusive follows
    assert analysis_run(["Failed", "Inconclusive"]).phase == "Failed"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (([],), "non-empty"),
        (("Failed",), "non-empty sequence"),
        ((["Successful", "Passed"],), "measurement 2 is 'Passed'"),
        ((["Failed"], -1), "failure_limit"),
    ],
)
def test_analysis_names_bad_input(args, needle):
    with pytest.raises(ValueError, match=needle):
        analysis_run(*args)


def test_measurement_phase_follows_the_conditions():
    only_success = MetricSpec("fairness", success_condition="result[0] >= 0.8")
    assert measurement_phase(only_success, 0.8) == "Successful"
    assert measurement_phase(only_success, 0.79) == "Failed"  # the negation of the success condition
    both = MetricSpec("fairness", success_condition="result[0] >= 0.8", failure_condition="result[0] < 0.7")
    assert [measurement_phase(both, v) for v in (0.9, 0.75, 0.6)] == ["Successful", "Inconclusive", "Failed"]
    with pytest.raises(ValueError, match="not of the form"):
        MetricSpec("x", success_condition="len(result) > 0")


# The docs' NaN cases: success-only -> Failed (NaN >= 0.95 is false, failure = not success); both -> Inconclusive
# (neither comparison holds); failure-only -> Successful (NaN > 0.05 is false, success = not failure).
NAN_CASES = [
    (MetricSpec("m", success_condition="result[0] >= 0.95"), "Failed"),
    (MetricSpec("m", success_condition="result[0] >= 0.95", failure_condition="result[0] < 0.9"), "Inconclusive"),
    (MetricSpec("m", failure_condition="result[0] > 0.05"), "Successful"),
]


@pytest.mark.parametrize(("metric", "expected"), NAN_CASES)
def test_nan_is_evaluated_as_the_docs_say(metric, expected):
    assert measurement_phase(metric, float("nan")) == expected
    assert measurement_phase(metric, None) == "Error"  # no series: result[0] cannot be read


def test_infinity_is_compared_like_any_number():
    # 0 approvals in the majority group over some in the minority: x / 0 = +Inf in PromQL; +Inf >= 0.8 holds
    assert measurement_phase(MetricSpec("m", success_condition="result[0] >= 0.8"), math.inf) == "Successful"


@pytest.mark.parametrize("value", ["0.5", True, [0.5]])
def test_measurement_phase_refuses_what_is_not_a_number(value):
    with pytest.raises(ValueError, match="metric 'm'.*must be a number"):
        measurement_phase(MetricSpec("m", success_condition="result[0] >= 0.8"), value)


# ----------------------------------------------------------------------------------------------------------------
# The canary controller
# ----------------------------------------------------------------------------------------------------------------
METRIC = MetricSpec("error-rate", success_condition="result[0] < 0.01", count=3, interval="5m")
STEPS = [{"setWeight": 1}, {"pause": 600}, {"analysis": ["t"]}, {"setWeight": 10}, {"pause": 600},
         {"analysis": ["t"]}, {"setWeight": 100}]


def test_healthy_canary_is_promoted():
    result = run_canary(STEPS, [METRIC], lambda w, s, k: {"error-rate": 0.001}, requests_per_minute=100)
    assert result.phase == "Healthy" and result.final_weight == 100
    assert len(result.measurements) == 6  # count 3 at each of the two analysis steps
    # by hand: 10 min pause, measurements at minutes 10, 15, 20 (the first at once), 10 min pause at 10%,
    # measurements at 30, 35, 40; then promotion at minute 40
    assert result.measurements["minute"].tolist() == [10, 15, 20, 30, 35, 40]
    assert result.steps["minute"].iloc[-1] == 40
    # requests: 20 min at 1% + 20 min at 10% of 100/min = 20 + 200 of 4,000
    assert result.canary_requests == pytest.approx(220) and result.total_requests == pytest.approx(4000)


def test_failing_canary_aborts_at_the_first_analysis():
    # failureLimit 0: the first failed measurement (at weight 1, taken at once when the run starts) fails the run;
    # abort -> weight 0. Requests: only the 10 min pause at weight 1 = 10 min x 100/min x 1% = 10 of 1,000.
    result = run_canary(STEPS, [METRIC], lambda w, s, k: {"error-rate": 0.05}, requests_per_minute=100)
    assert (result.phase, result.final_weight, result.aborted_at_step) == ("Degraded", 0, 3)
    assert len(result.measurements) == 1 and result.measurements["minute"].tolist() == [10]
    assert result.canary_requests == pytest.approx(10) and result.total_requests == pytest.approx(1000)
    assert result.steps["kind"].tolist()[-1] == "abort"


def test_initial_delay_postpones_the_first_measurement():
    # initialDelay 5m: measurements at 5, 10, 15 minutes after the run starts (minute 10): 15, 20, 25
    metric = MetricSpec("error-rate", success_condition="result[0] < 0.01", count=3, interval="5m",
                        initial_delay="5m")
    result = run_canary(STEPS[:3], [metric], lambda w, s, k: {"error-rate": 0.0}, requests_per_minute=100)
    assert result.measurements["minute"].tolist() == [15, 20, 25]


def test_metrics_measured_on_their_own_intervals():
    # a: every 5 min, count 3 -> minutes 0, 5, 10; b: every 10 min, count 2 -> 0, 10. Measurement times: 0, 5, 10
    a = MetricSpec("a", success_condition="result[0] < 1", count=3, interval="5m")
    b = MetricSpec("b", success_condition="result[0] < 1", count=2, interval="10m")
    result = run_canary([{"setWeight": 5}, {"analysis": ["t"]}], [a, b], lambda w, s, k: {"a": 0.0, "b": 0.0})
    table = result.measurements
    assert table["minute"].tolist() == [0, 5, 10]
    assert table["b_phase"].isna().tolist() == [False, True, False]  # b not due at minute 5


def test_nan_fails_a_success_only_metric_at_once():
    # a window with no request: 0/0 = NaN; successCondition only -> Failed -> failureLimit 0 -> abort
    result = run_canary(STEPS, [METRIC], lambda w, s, k: {"error-rate": float("nan")})
    assert (result.phase, result.aborted_at_step, len(result.measurements)) == ("Degraded", 3, 1)


def test_no_series_is_an_error_and_five_errors_abort():
    # None (no series) -> Error every time; consecutiveErrorLimit 4: the 5th consecutive error (5 > 4) ends the run
    # with Error, which aborts. Errors do not count towards count 3, so the run goes on to a 5th measurement.
    result = run_canary(STEPS, [METRIC], lambda w, s, k: {"error-rate": None})
    assert (result.phase, result.aborted_at_step) == ("Degraded", 3)
    assert result.measurements["error-rate_phase"].tolist() == ["Error"] * 5
    assert result.analysis["step 3: error-rate"].phase == "Error"


def test_a_metric_stopped_by_another_is_recorded_successful():
    # error-rate fails at once; latency was still Running with 1 Successful: Argo records it Successful
    latency = MetricSpec("latency", success_condition="result[0] < 0.3", count=3, interval="5m")
    result = run_canary(STEPS, [METRIC, latency], lambda w, s, k: {"error-rate": 0.5, "latency": 0.1})
    assert result.analysis["step 3: error-rate"].phase == "Failed"
    stopped = result.analysis["step 3: latency"]
    assert (stopped.phase, stopped.successful, stopped.ended_at) == ("Successful", 1, None)


def test_inconclusive_canary_pauses():
    metric = MetricSpec("fairness", success_condition="result[0] >= 0.8", failure_condition="result[0] < 0.7",
                        count=3, interval="5m")
    result = run_canary(STEPS, [metric], lambda w, s, k: {"fairness": 0.75})
    assert result.phase == "Paused" and result.final_weight == 1


def test_a_pause_without_duration_waits_for_a_person():
    result = run_canary([{"setWeight": 10}, {"pause": None}, {"setWeight": 100}], [METRIC], lambda w, s, k: {})
    assert (result.phase, result.final_weight) == ("Paused", 10)


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ([{"setWeight": 120}], "setWeight must be a whole number from 0 to 100"),
        ([{"setWeight": -1}], "setWeight"),
        ([{"setCanaryScale": 3}], "step 1"),
        ([], "steps is empty"),
    ],
)
def test_canary_names_bad_steps(steps, needle):
    with pytest.raises(ValueError, match=needle):
        run_canary(steps, [METRIC], lambda w, s, k: {"error-rate": 0.0})


# ----------------------------------------------------------------------------------------------------------------
# Flagger
# ----------------------------------------------------------------------------------------------------------------
def test_flagger_step_20_max_50_advances_to_60_then_promotes():
    # interval 1: weight 0, no analysis -> 20; 2: pass at 20 -> 40; 3: pass at 40 -> 60 (40 < 50);
    # 4: pass at 60 >= 50 -> promote; 5: all traffic to primary; 6: Succeeded.
    result = flagger_run(20, 50, 5, [True, True, True])
    assert result.weights == [20, 40, 60] and result.outcome == "promoted"
    assert result.timeline["phase"].tolist() == ["Progressing", "Progressing", "Progressing", "Promoting",
                                                 "Finalising", "Succeeded"]


def test_flagger_counts_failed_checks_cumulatively():
    # threshold 2, checks pass, fail, pass, fail: the failures are not consecutive but add up.
    # 1: -> 20; 2: pass -> 40; 3: fail (1), hold 40; 4: pass -> 60; 5: fail (2), hold 60;
    # 6: failed 2 >= 2 -> roll back, weight 0.
    result = flagger_run(20, 50, 2, [True, False, True, False, True])
    assert result.timeline["canary_weight"].tolist() == [20, 40, 40, 60, 60, 0]
    assert result.timeline["failed_checks"].tolist() == [0, 0, 1, 1, 2, 2]
    assert result.outcome == "rolled back"


def test_flagger_runs_out_of_checks():
    assert flagger_run(10, 50, 3, [True]).outcome == "progressing"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((0, 50, 2, [True]), "step_weight"),
        ((20, 150, 2, [True]), "1-100"),
        ((20, 50, 0, [True]), "threshold"),
        ((20, 50, 2, "yes"), "checks"),
        ((20, 50, 2, [True, "ok"]), "check 2"),
    ],
)
def test_flagger_names_bad_input(args, needle):
    with pytest.raises(ValueError, match=needle):
        flagger_run(*args)


# ----------------------------------------------------------------------------------------------------------------
# The manifests are where the numbers come from
# ----------------------------------------------------------------------------------------------------------------
def test_settings_read_from_the_manifests():
    settings = deployment_settings()
    assert (settings["max_surge"], settings["max_unavailable"]) == ("25%", "10%")
    assert settings["readiness_probe"] is True
    steps = canary_steps()
    assert [s["setWeight"] for s in steps if "setWeight" in s] == [1, 10, 100]
    assert {m.name for m in analysis_metrics()} >= {"error-rate", "fairness-ratio"}


# ----------------------------------------------------------------------------------------------------------------
# canary_traffic: Prometheus' answers for the canary's own requests
# ----------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scored():
    from helpers.models import train_baseline
    from helpers.world import simulate_applications

    world = simulate_applications("stable", days=20, per_day=100, seed=0)
    return train_baseline(world[world["day"] < 10]), world[world["day"] >= 10]


def test_canary_traffic_measures_the_injected_fault(scored):
    from helpers.rollout import canary_traffic

    model, recent = scored
    healthy = canary_traffic(model, recent, 2000, error_rate=0.0, seed=1)
    faulty = canary_traffic(model, recent, 2000, error_rate=0.5, seed=1)
    assert healthy(10, 1, 1)["error-rate"] == 0.0  # no 5xx series, but the query's `or vector(0)` reads 0
    assert 0.4 < faulty(10, 1, 1)["error-rate"] < 0.6  # about 3,000 requests: 10% of 2,000/min over 15 min
    value = healthy(10, 1, 1)["fairness-ratio"]
    assert 0.5 < value < 1.5
    at_zero = healthy(0, 1, 1)  # no request in the window: 0 / 0 is NaN, which a success-only condition fails
    assert math.isnan(at_zero["error-rate"]) and measurement_phase(METRIC, at_zero["error-rate"]) == "Failed"
    assert math.isnan(at_zero["latency-p95-seconds"]) and math.isnan(at_zero["fairness-ratio"])


def test_without_or_vector_zero_a_healthy_canary_has_no_series(scored):
    from helpers.rollout import canary_traffic

    model, recent = scored
    # no failed request ever: the 5xx counter has no series, the query returns nothing (None) -> Error
    healthy = canary_traffic(model, recent, 2000, error_rate=0.0, errors_or_zero=False, seed=1)
    assert [healthy(10, 1, k)["error-rate"] for k in (1, 2)] == [None, None]
    # once a 5xx has been served the series exists, and the rate is a number
    faulty = canary_traffic(model, recent, 2000, error_rate=0.5, errors_or_zero=False, seed=1)
    assert faulty(10, 1, 1)["error-rate"] > 0


def test_canary_traffic_names_bad_rates(scored):
    from helpers.rollout import canary_traffic

    model, recent = scored
    with pytest.raises(ValueError, match="error_rate"):
        canary_traffic(model, recent, 100, error_rate=1.5)
    with pytest.raises(ValueError, match="errors_or_zero"):
        canary_traffic(model, recent, 100, errors_or_zero="False")


# ----------------------------------------------------------------------------------------------------------------
# Booleans are booleans, seeds are seeds (each error names the parameter)
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"fail_new": "False"}, "fail_new must be True or False, got 'False'"),
        ({"readiness_probe": "False"}, "readiness_probe must be True or False, got 'False'"),
        ({"readiness_probe": 1}, "readiness_probe must be True or False"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"seed": "x"}, "seed must be a whole number >= 0, got 'x'"),
    ],
)
def test_rolling_update_refuses_text_for_flags_and_bad_seeds(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        simulate_rolling_update(10, "25%", "10%", **kwargs)


def test_numpy_flags_and_counts_are_accepted():
    import numpy as np

    a = simulate_rolling_update(np.int64(10), "25%", "10%", ready_delay=np.int64(2),
                                readiness_probe=np.bool_(True)).frame
    assert pairs(a) == pairs(simulate_rolling_update(10, "25%", "10%", ready_delay=2).frame)


@pytest.mark.parametrize(("seed", "needle"), [(-1, "got -1"), ("x", "got 'x'")])
def test_canary_traffic_refuses_bad_seeds(scored, seed, needle):
    from helpers.rollout import canary_traffic

    with pytest.raises(ValueError, match=f"seed must be a whole number >= 0, {needle}"):
        canary_traffic(*scored, 100, seed=seed)
