"""Safe updates without a cluster: Kubernetes RollingUpdate, Argo Rollouts analysis and canaries, Flagger.

Each function decides what the real controller decides, read from its source:

* ``resolve_fenceposts`` and ``simulate_rolling_update``: kubernetes/kubernetes ``pkg/controller/deployment/
  rolling.go`` (``rolloutRolling``, ``reconcileNewReplicaSet``, ``reconcileOldReplicaSets``,
  ``cleanupUnhealthyReplicas``, ``scaleDownOldReplicaSetsForRollingUpdate``) and ``util/deployment_util.go``
  (``ResolveFenceposts``, ``NewRSNewReplicas``, ``MaxUnavailable``, ``DeploymentProgressing``,
  ``DeploymentTimedOut``), with the API server's validation of maxSurge / maxUnavailable.
* ``analysis_run``: argoproj/argo-rollouts ``analysis/analysis.go`` (``runMeasurements`` counts,
  ``assessMetricStatus``): limits are compared *strictly greater than*.
* ``run_canary``: an Argo Rollouts canary (``setWeight`` / ``pause`` / ``analysis`` steps); a Failed or Error
  analysis aborts (canary weight 0, the stable version serves everything), an Inconclusive one pauses.
* ``flagger_run``: fluxcd/flagger ``pkg/controller/scheduler.go`` (``advanceCanary``, ``runCanary``): failed checks
  are counted cumulatively, a failed check holds the weight, rollback once failed checks >= threshold.

The manifests in ``deploy/`` hold the numbers (``deployment_settings``, ``canary_steps``, ``analysis_metrics`` read
them), so what the notebook simulates is what would be applied to a cluster.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.paths import REPO_ROOT

__all__ = [
    "DEPLOY_DIR",
    "MEASUREMENT_PHASES",
    "AnalysisResult",
    "CanaryResult",
    "FlaggerResult",
    "MetricSpec",
    "analysis_metrics",
    "analysis_run",
    "canary_traffic",
    "canary_steps",
    "deployment_settings",
    "flagger_run",
    "load_manifest",
    "measurement_phase",
    "resolve_fenceposts",
    "run_canary",
    "simulate_rolling_update",
]

#: The course's Kubernetes manifests.
DEPLOY_DIR = REPO_ROOT / "deploy"
#: What one Argo Rollouts measurement can be.
MEASUREMENT_PHASES = ("Successful", "Failed", "Inconclusive", "Error")
_PERCENT = re.compile(r"^[0-9]+%$")  # the API server's IsValidPercent


def _whole(value: Any, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------------------------------------------
# Kubernetes: fenceposts
# ----------------------------------------------------------------------------------------------------------------
def _int_or_percent(value: Any, field_name: str) -> tuple[int, bool]:
    """(number, is_percent), refusing what the API server's ValidateNonnegativeIntOrPercent refuses."""
    if isinstance(value, bool):
        raise ValueError(f"{field_name} must be a whole number or a percentage such as '25%', got {value!r}")
    if isinstance(value, (int, np.integer)):
        if value < 0:
            raise ValueError(f"{field_name} must be >= 0, got {value!r}")
        return int(value), False
    if isinstance(value, str):
        if not _PERCENT.match(value):
            raise ValueError(
                f"{field_name} {value!r} is not a valid value: use a whole number (e.g. 1) or a whole percentage "
                f"such as '25%' (digits then %, no sign, no decimals)"
            )
        return int(value[:-1]), True
    raise ValueError(f"{field_name} must be a whole number or a percentage such as '25%', got {value!r}")


def resolve_fenceposts(replicas: int, max_surge: int | str, max_unavailable: int | str) -> tuple[int, int]:
    """``(surge, unavailable)`` in pods, as Kubernetes resolves ``maxSurge`` and ``maxUnavailable``.

    A percentage p of ``replicas`` N is computed as p*N/100, surge rounded **up**, unavailable rounded **down**
    (``ResolveFenceposts``; computed with integers, so 29% of 100 is 29, where Python's ``29 / 100 * 100`` is
    28.999...). When both resolve to 0, unavailable becomes 1. What the API server refuses is refused here with the
    field named: negative values, malformed strings, both set to 0, and maxUnavailable above 100%.

    >>> resolve_fenceposts(10, "25%", "10%")
    (3, 1)
    >>> resolve_fenceposts(3, "25%", "25%")   # 0.75 pods: surge 1, unavailable 0
    (1, 0)
    >>> resolve_fenceposts(10, 0, "5%")   # both resolve to 0: unavailable 1
    (0, 1)
    """
    replicas = _whole(replicas, "replicas")
    surge_value, surge_pct = _int_or_percent(max_surge, "maxSurge")
    unavailable_value, unavailable_pct = _int_or_percent(max_unavailable, "maxUnavailable")
    if surge_value == 0 and unavailable_value == 0:
        raise ValueError(
            f"maxUnavailable {max_unavailable!r} may not be 0 when maxSurge is 0 ({max_surge!r}): the update could "
            f"neither add a pod nor remove one (the API server refuses this Deployment)"
        )
    if unavailable_pct and unavailable_value > 100:
        raise ValueError(f"maxUnavailable {max_unavailable!r} must not be greater than 100%")
    surge = -(-surge_value * replicas // 100) if surge_pct else surge_value  # ceil(p * N / 100)
    unavailable = unavailable_value * replicas // 100 if unavailable_pct else unavailable_value  # floor
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


# ----------------------------------------------------------------------------------------------------------------
# Kubernetes: the RollingUpdate controller, one sync at a time
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Pod:
    created: int  #: the sync in which the controller created it (0 for the old version's pods)
    new: bool


def simulate_rolling_update(
    replicas: int,
    max_surge: int | str,
    max_unavailable: int | str,
    ready_delay: int = 1,
    min_ready_syncs: int = 0,
    fail_new: bool | None = None,
    readiness_probe: bool = True,
    requests_per_sync: int = 1000,
    seed: int = 0,
    *,
    progress_deadline_syncs: int = 12,
    max_syncs: int = 200,
) -> pd.DataFrame:
    """A RollingUpdate from the old version to a new one, one row per controller sync.

    Time advances in syncs. At each sync the controller reads one status snapshot and acts as ``rolling.go`` does:
    if the new ReplicaSet is below ``replicas`` and all pods together are below ``replicas + surge``, it scales the
    new ReplicaSet up (and that is the sync); otherwise it scales old pods down, unhealthy ones first, only as far as
    ``replicas - unavailable`` available pods allow, counting the new ReplicaSet's unavailable pods against it.

    Pods: a new pod created in sync s can serve from sync ``s + ready_delay``; it is *available* (what the
    controller counts) ``min_ready_syncs`` later (``minReadySeconds``). With ``readiness_probe=True`` a pod is Ready,
    and receives traffic, only once it can serve. With ``readiness_probe=False`` Kubernetes marks it Ready as soon as
    its container runs (the sync after creation): it receives traffic before it can serve, and the controller counts
    it as available too early. ``fail_new=True`` makes the new version broken: its pods never serve (with a probe,
    never Ready: the rollout stalls and, after ``progress_deadline_syncs`` syncs without progress, the Deployment
    reports ``Progressing=False`` with reason ``ProgressDeadlineExceeded``; nothing rolls back).

    Traffic: ``requests_per_sync`` requests per sync are spread evenly over the Ready pods (the Service's
    endpoints); a request that lands on a pod that cannot serve fails, as does every request when no pod is Ready.
    The simulator does not model connection draining of terminating pods (a preStop hook handles that).

    Returns:
        One row per sync (the state after that sync's action): ``sync``, ``old``, ``new`` (pods of each version),
        ``total``, ``ready`` (Ready pods: the endpoints), ``serving`` (Ready pods that can answer), ``available``
        (what the controller counts), ``requests``, ``failed``, ``action``, ``progressing`` and ``reason`` (the
        Deployment's Progressing condition). ``attrs`` hold ``surge``, ``unavailable``, ``replicas`` and
        ``outcome`` ("complete", "ProgressDeadlineExceeded" or "max_syncs reached"). The run stops when the update is
        complete or the deadline is reported.

    Raises:
        ValueError: a bad replica count, maxSurge/maxUnavailable the API server refuses (named), or a delay, deadline
            or request count that is not a whole number in range.
    """
    replicas = _whole(replicas, "replicas", minimum=1)
    surge, unavailable = resolve_fenceposts(replicas, max_surge, max_unavailable)
    unavailable = min(unavailable, replicas)  # MaxUnavailable caps it at the replica count
    ready_delay = _whole(ready_delay, "ready_delay", minimum=1)
    min_ready_syncs = _whole(min_ready_syncs, "min_ready_syncs")
    requests_per_sync = _whole(requests_per_sync, "requests_per_sync")
    progress_deadline_syncs = _whole(progress_deadline_syncs, "progress_deadline_syncs", minimum=1)
    max_syncs = _whole(max_syncs, "max_syncs", minimum=1)
    broken = bool(fail_new)
    rng = np.random.default_rng(seed)

    def serves(pod: _Pod, t: int) -> bool:
        if not pod.new:
            return True
        return not broken and t >= pod.created + ready_delay

    def ready(pod: _Pod, t: int) -> bool:  # what Kubernetes believes (Ready condition)
        if not pod.new:
            return True
        return serves(pod, t) if readiness_probe else t >= pod.created + 1

    def ready_since(pod: _Pod) -> int | None:
        if not pod.new:
            return -(10**9)
        if readiness_probe:
            return None if broken else pod.created + ready_delay
        return pod.created + 1

    def available(pod: _Pod, t: int) -> bool:
        since = ready_since(pod)
        return since is not None and t >= since + min_ready_syncs

    old: list[_Pod] = [_Pod(created=0, new=False) for _ in range(replicas)]
    new: list[_Pod] | None = None  # the new ReplicaSet does not exist until the first sync
    max_total, min_available = replicas + surge, replicas - unavailable
    rows: list[dict] = []
    last_status = {"updated": 0, "old": replicas, "ready": replicas, "available": replicas}
    last_progress, outcome = 1, "max_syncs reached"

    for t in range(1, max_syncs + 1):
        actions = []
        # the snapshot this sync reads
        old_available = sum(available(p, t) for p in old)
        if new is None:  # getNewReplicaSet: create it with NewRSNewReplicas, and the same sync continues
            count = max(0, min(max_total - len(old), replicas))
            new = [_Pod(created=t, new=True) for _ in range(count)]
            actions.append(f"create new ReplicaSet with {count}")
        new_available = sum(available(p, t) for p in new)
        scaled_up = False
        current = len(old) + len(new)
        if len(new) < replicas and current < max_total:  # reconcileNewReplicaSet / NewRSNewReplicas
            add = min(max_total - current, replicas - len(new))
            new.extend(_Pod(created=t, new=True) for _ in range(add))
            actions.append(f"scale new {len(new) - add} -> {len(new)}")
            scaled_up = True
        if not scaled_up and old:  # reconcileOldReplicaSets
            max_scaled_down = current - min_available - (len(new) - new_available)
            if max_scaled_down > 0:
                unhealthy = [p for p in old if not available(p, t)]  # cleanupUnhealthyReplicas
                cleanup = min(len(unhealthy), max_scaled_down)
                for pod in unhealthy[:cleanup]:
                    old.remove(pod)
                total_available = old_available + new_available  # from the snapshot
                down = 0
                if total_available > min_available:  # scaleDownOldReplicaSetsForRollingUpdate
                    down = min(len(old), total_available - min_available)
                    del old[:down]
                if cleanup + down:
                    actions.append(f"scale old {len(old) + cleanup + down} -> {len(old)}")

        # what the interval after this sync looks like, and the status the controller writes
        pods = old + new
        n_ready = sum(ready(p, t) for p in pods)
        n_serving = sum(ready(p, t) and serves(p, t) for p in pods)
        n_available = sum(available(p, t) for p in pods)
        if n_ready == 0:
            failed = requests_per_sync
        else:
            failed = int(rng.binomial(requests_per_sync, (n_ready - n_serving) / n_ready))
        status = {"updated": len(new), "old": len(old), "ready": n_ready, "available": n_available}
        progressed = (  # DeploymentProgressing
            status["updated"] > last_status["updated"]
            or status["old"] < last_status["old"]
            or status["ready"] > last_status["ready"]
            or status["available"] > last_status["available"]
        )
        last_status = status
        complete = len(new) == replicas and not old and n_available == replicas  # DeploymentComplete
        if complete:
            progressing, reason = "True", "NewReplicaSetAvailable"
        elif progressed:
            progressing, reason = "True", "ReplicaSetUpdated"
            last_progress = t
        elif last_progress + progress_deadline_syncs < t:  # DeploymentTimedOut: strictly after the deadline
            progressing, reason = "False", "ProgressDeadlineExceeded"
        else:
            progressing, reason = "True", "ReplicaSetUpdated"
        rows.append(
            {
                "sync": t, "old": len(old), "new": len(new), "total": len(pods), "ready": n_ready,
                "serving": n_serving, "available": n_available, "requests": requests_per_sync, "failed": failed,
                "action": "; ".join(actions) or "wait", "progressing": progressing, "reason": reason,
            }
        )
        if complete:
            outcome = "complete"
            break
        if reason == "ProgressDeadlineExceeded":
            outcome = "ProgressDeadlineExceeded"
            break
    frame = pd.DataFrame(rows)
    frame.attrs.update(replicas=replicas, surge=surge, unavailable=unavailable, outcome=outcome,
                       max_total=max_total, min_available=min_available)
    return frame


# ----------------------------------------------------------------------------------------------------------------
# Argo Rollouts: analysis
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnalysisResult:
    """The phase of one metric's analysis and the measurement (1-based) at which it ended (None while Running)."""

    phase: str
    ended_at: int | None
    successful: int
    failed: int
    inconclusive: int
    errors: int


def _assess(failed, inconclusive, consecutive_errors, counted, failure_limit, inconclusive_limit,
            consecutive_error_limit, count) -> str:
    """assessMetricStatus after a completed measurement (analysis.go): every limit is compared with ``>``."""
    if failed > failure_limit:
        return "Failed"
    if inconclusive > inconclusive_limit:
        return "Inconclusive"
    if consecutive_errors > consecutive_error_limit:
        return "Error"
    if count is not None and counted >= count:  # errors do not count towards count
        return "Successful"
    return "Running"


def _limits(failure_limit, inconclusive_limit, consecutive_error_limit, count) -> None:
    _whole(failure_limit, "failure_limit")
    _whole(inconclusive_limit, "inconclusive_limit")
    _whole(consecutive_error_limit, "consecutive_error_limit")
    if count is not None:
        _whole(count, "count", minimum=1)


def analysis_run(
    results: Sequence[str],
    failure_limit: int = 0,
    inconclusive_limit: int = 0,
    consecutive_error_limit: int = 4,
    count: int | None = None,
) -> AnalysisResult:
    """Argo Rollouts' verdict on one metric's measurements, taken in order.

    After each measurement (as ``assessMetricStatus`` in analysis.go): Failed if failed measurements >
    ``failure_limit``; else Inconclusive if inconclusive ones > ``inconclusive_limit``; else Error if consecutive
    errors > ``consecutive_error_limit`` (any other outcome resets that streak); else Successful once ``count``
    measurements other than errors were taken; else Running. The run stops at the first verdict that is not Running;
    later results are never taken. ``count=None`` means the metric runs until a limit is exceeded.

    So ``failure_limit=3`` fails on the **fourth** failed measurement ("more than 3"), not the third.

    Raises:
        ValueError: an empty sequence, an outcome not in ``MEASUREMENT_PHASES`` (named with its position), or a
            negative limit.
    """
    _limits(failure_limit, inconclusive_limit, consecutive_error_limit, count)
    if isinstance(results, str) or not isinstance(results, Sequence) or len(results) == 0:
        raise ValueError(
            f"results must be a non-empty sequence of measurement outcomes {MEASUREMENT_PHASES}, got {results!r}"
        )
    tally = {phase: 0 for phase in MEASUREMENT_PHASES}
    consecutive = 0
    for i, outcome in enumerate(results, start=1):
        if outcome not in MEASUREMENT_PHASES:
            raise ValueError(
                f"measurement {i} is {outcome!r}; each outcome must be one of {', '.join(MEASUREMENT_PHASES)}"
            )
        tally[outcome] += 1
        consecutive = consecutive + 1 if outcome == "Error" else 0
        counted = tally["Successful"] + tally["Failed"] + tally["Inconclusive"]
        phase = _assess(tally["Failed"], tally["Inconclusive"], consecutive, counted, failure_limit,
                        inconclusive_limit, consecutive_error_limit, count)
        if phase != "Running":
            return AnalysisResult(phase, i, tally["Successful"], tally["Failed"], tally["Inconclusive"], tally["Error"])
    return AnalysisResult("Running", None, tally["Successful"], tally["Failed"], tally["Inconclusive"], tally["Error"])


_CONDITION = re.compile(r"^\s*result\[0\]\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]*\.?[0-9]+(?:[eE]-?[0-9]+)?)\s*$")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


@dataclass(frozen=True)
class MetricSpec:
    """One metric of an AnalysisTemplate: its conditions (``result[0] <op> <number>``), count and limits."""

    name: str
    success_condition: str | None = None
    failure_condition: str | None = None
    count: int | None = None
    interval: str | None = None
    failure_limit: int = 0
    inconclusive_limit: int = 0
    consecutive_error_limit: int = 4

    def __post_init__(self) -> None:
        if self.success_condition is None and self.failure_condition is None:
            raise ValueError(f"metric {self.name!r} needs a successCondition or a failureCondition")
        for condition in (self.success_condition, self.failure_condition):
            if condition is not None:
                _parse_condition(condition, self.name)
        _limits(self.failure_limit, self.inconclusive_limit, self.consecutive_error_limit, self.count)

    @property
    def threshold(self) -> float:
        """The number in the success condition (else the failure condition), e.g. 0.8 for ``result[0] >= 0.8``."""
        return _parse_condition(self.success_condition or self.failure_condition, self.name)[1]


def _parse_condition(condition: str, metric: str) -> tuple[str, float]:
    match = _CONDITION.match(str(condition))
    if not match:
        raise ValueError(
            f"metric {metric!r}: condition {condition!r} is not of the form 'result[0] <op> <number>' "
            f"(op one of {', '.join(_OPERATORS)}), the only form this simulator evaluates"
        )
    return match.group(1), float(match.group(2))


def measurement_phase(metric: MetricSpec, value: float | None) -> str:
    """One measurement's phase (utils/evaluate): Failed if failureCondition holds, Successful if successCondition
    holds, else Inconclusive; with only one condition set, the other is its negation. No value (None or NaN: the
    query returned nothing) is an Error."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "Error"

    def holds(condition: str) -> bool:
        op, number = _parse_condition(condition, metric.name)
        return _OPERATORS[op](float(value), number)

    if metric.failure_condition is not None and holds(metric.failure_condition):
        return "Failed"
    if metric.success_condition is not None:
        if holds(metric.success_condition):
            return "Successful"
        return "Failed" if metric.failure_condition is None else "Inconclusive"
    return "Successful"  # only a failure condition, and it does not hold


# ----------------------------------------------------------------------------------------------------------------
# The manifests in deploy/
# ----------------------------------------------------------------------------------------------------------------
def load_manifest(name: str | Path) -> dict:
    """One YAML manifest from ``deploy/`` (a file name such as ``"deployment.yaml"``, or a path)."""
    import yaml

    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = DEPLOY_DIR / path
    if not path.exists():
        available = ", ".join(sorted(p.name for p in DEPLOY_DIR.glob("*.yaml")))
        raise ValueError(f"manifest {str(name)!r} not found; the manifests in deploy/ are: {available}")
    with path.open(encoding="utf-8") as handle:
        manifest = yaml.safe_load(handle)
    if not isinstance(manifest, dict) or "kind" not in manifest:
        raise ValueError(f"{path.name} is not a Kubernetes manifest (no 'kind')")
    return manifest


def _expect_kind(manifest: dict, kind: str) -> None:
    if manifest.get("kind") != kind:
        raise ValueError(f"expected a {kind} manifest, got kind {manifest.get('kind')!r}")


def deployment_settings(manifest: dict | str | Path = "deployment.yaml") -> dict[str, Any]:
    """What the simulator needs from a Deployment: ``replicas``, ``max_surge``, ``max_unavailable`` (as written),
    ``min_ready_seconds``, ``progress_deadline_seconds`` and ``readiness_probe`` (True when every container has
    one)."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "Deployment")
    spec = manifest["spec"]
    strategy = spec.get("strategy", {})
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise ValueError(f"strategy.type is {strategy.get('type')!r}; the simulator models RollingUpdate only")
    rolling = strategy.get("rollingUpdate", {})
    containers = spec["template"]["spec"]["containers"]
    return {
        "replicas": int(spec.get("replicas", 1)),
        "max_surge": rolling.get("maxSurge", "25%"),
        "max_unavailable": rolling.get("maxUnavailable", "25%"),
        "min_ready_seconds": int(spec.get("minReadySeconds", 0)),
        "progress_deadline_seconds": int(spec.get("progressDeadlineSeconds", 600)),
        "readiness_probe": all("readinessProbe" in c for c in containers),
    }


_DURATION = re.compile(r"^([0-9]+)(s|m|h)$")


def _seconds(duration: Any) -> int:
    if isinstance(duration, (int, np.integer)) and not isinstance(duration, bool):
        return int(duration)
    match = _DURATION.match(str(duration))
    if not match:
        raise ValueError(f"duration {duration!r} is not of the form '30s', '15m' or '1h'")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def canary_steps(manifest: dict | str | Path = "rollout.yaml") -> list[dict[str, Any]]:
    """The canary steps of an Argo Rollouts ``Rollout``, normalised: ``{"setWeight": w}``, ``{"pause": seconds or
    None}`` (None: until a person resumes) and ``{"analysis": [template names]}``."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "Rollout")
    steps = []
    for step in manifest["spec"]["strategy"]["canary"]["steps"]:
        if "setWeight" in step:
            steps.append({"setWeight": step["setWeight"]})
        elif "pause" in step:
            duration = (step["pause"] or {}).get("duration")
            steps.append({"pause": None if duration is None else _seconds(duration)})
        elif "analysis" in step:
            steps.append({"analysis": [t["templateName"] for t in step["analysis"]["templates"]]})
        else:
            steps.append(dict(step))  # run_canary names it as unknown
    return steps


def analysis_metrics(manifest: dict | str | Path = "analysis-template.yaml") -> list[MetricSpec]:
    """The metrics of an ``AnalysisTemplate`` as ``MetricSpec`` (conditions, count, interval and limits)."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "AnalysisTemplate")
    return [
        MetricSpec(
            name=m["name"],
            success_condition=m.get("successCondition"),
            failure_condition=m.get("failureCondition"),
            count=m.get("count"),
            interval=m.get("interval"),
            failure_limit=m.get("failureLimit", 0),
            inconclusive_limit=m.get("inconclusiveLimit", 0),
            consecutive_error_limit=m.get("consecutiveErrorLimit", 4),
        )
        for m in manifest["spec"]["metrics"]
    ]


# ----------------------------------------------------------------------------------------------------------------
# Argo Rollouts: a canary with analysis between steps
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class CanaryResult:
    """What a canary rollout did.

    ``steps``: one row per step (``step``, ``kind``, ``weight`` after it, ``minute`` it ended, ``outcome``); ``measurements``: one row per
    measurement (``step``, ``weight``, ``measurement``, then one value column and one ``<metric>_phase`` column per
    metric); ``phase``: "Healthy" (fully promoted), "Degraded" (aborted: weight 0, stable restored) or "Paused"
    (an Inconclusive analysis waits for a person); ``canary_requests`` / ``total_requests``: requests the canary
    served, of all requests during the rollout.
    """

    steps: pd.DataFrame
    measurements: pd.DataFrame
    phase: str
    final_weight: int
    aborted_at_step: int | None
    canary_requests: float
    total_requests: float
    analysis: dict[str, AnalysisResult] = field(default_factory=dict)

    @property
    def canary_share(self) -> float:
        """Share of all requests during the rollout that the canary served (0 to 1)."""
        return self.canary_requests / self.total_requests if self.total_requests else 0.0


def _check_weight(weight: Any, step: int) -> int:
    if isinstance(weight, bool) or not isinstance(weight, (int, np.integer)) or not 0 <= weight <= 100:
        raise ValueError(f"step {step}: setWeight must be a whole number from 0 to 100, got {weight!r}")
    return int(weight)


def run_canary(
    steps: Sequence[Mapping[str, Any]],
    metrics: Sequence[MetricSpec],
    measure: Callable[[int, int, int], Mapping[str, float]],
    requests_per_minute: float = 1000.0,
    interval_seconds: int | None = None,
) -> CanaryResult:
    """Run an Argo Rollouts canary: ``setWeight`` moves traffic, ``pause`` waits, ``analysis`` measures.

    At an analysis step every metric is measured together, once per interval, by ``measure(weight, step,
    measurement)`` (returns ``{metric name: value}``, a value None or NaN being a failed query). Each metric's
    measurements are judged by its conditions (``measurement_phase``) and its limits (as ``analysis_run``). The
    AnalysisRun ends as soon as one metric is Failed, Error or Inconclusive (the others stop measuring), or when all
    reached their count; its phase is the worst of its metrics (Failed > Error > Inconclusive > Successful).
    Failed or Error aborts the rollout: weight 0, the stable version serves everything (phase "Degraded").
    Inconclusive pauses it (phase "Paused"). After the last step the canary is the new stable version (weight 100,
    phase "Healthy").

    Traffic accounting: ``requests_per_minute`` reach the service; the canary serves ``weight`` % of them while its
    weight holds (pauses and measurement intervals; ``interval_seconds`` defaults to each metric's interval).

    Raises:
        ValueError: an unknown step kind (named with its position), a weight outside 0-100, a measurement without a
            metric, or no steps.
    """
    if not steps:
        raise ValueError("steps is empty: give at least one setWeight, pause or analysis step")
    if not metrics and any("analysis" in s for s in steps):
        raise ValueError("an analysis step needs at least one metric (MetricSpec)")
    names = [m.name for m in metrics]
    weight, canary_req, total_req, elapsed = 0, 0.0, 0.0, 0.0
    step_rows, measurement_rows = [], []

    def record(row: dict) -> None:
        row["minute"] = elapsed / 60  # when the step ended, counted from the start of the rollout
        step_rows.append(row)
    phase, aborted_at, results = "Healthy", None, {}
    worst_order = {"Successful": 0, "Inconclusive": 1, "Error": 2, "Failed": 3}
    for index, step in enumerate(steps, start=1):
        kinds = [k for k in ("setWeight", "pause", "analysis") if k in step]
        if len(kinds) != 1 or len(step) != 1:
            raise ValueError(
                f"step {index} {dict(step)!r}: each step must be exactly one of setWeight, pause or analysis"
            )
        kind = kinds[0]
        outcome = ""
        if kind == "setWeight":
            weight = _check_weight(step["setWeight"], index)
        elif kind == "pause":
            seconds = step["pause"]
            if seconds is None:
                phase, outcome = "Paused", "paused until a person resumes"
                record({"step": index, "kind": kind, "weight": weight, "outcome": outcome})
                break
            minutes = _seconds(seconds) / 60
            elapsed += _seconds(seconds)
            canary_req += requests_per_minute * minutes * weight / 100
            total_req += requests_per_minute * minutes
            outcome = f"{minutes:g} min"
        else:
            tallies = {n: {"Successful": 0, "Failed": 0, "Inconclusive": 0, "Error": 0, "consecutive": 0}
                       for n in names}
            metric_phase = {n: "Running" for n in names}
            ended: dict[str, int | None] = {n: None for n in names}
            counts = [m.count for m in metrics]
            limit = max(c for c in counts if c is not None) if any(c is not None for c in counts) else 1000
            for k in range(1, limit + 1):
                seconds = interval_seconds or max(_seconds(m.interval or "60s") for m in metrics)
                elapsed += seconds
                canary_req += requests_per_minute * seconds / 60 * weight / 100
                total_req += requests_per_minute * seconds / 60
                values = measure(weight, index, k)
                row = {"step": index, "weight": weight, "measurement": k}
                for metric in metrics:
                    if metric_phase[metric.name] != "Running":
                        continue
                    if metric.name not in values:
                        raise ValueError(f"measure() returned no value for metric {metric.name!r}; it returned "
                                         f"{', '.join(values) or 'nothing'}")
                    value = values[metric.name]
                    result = measurement_phase(metric, value)
                    tally = tallies[metric.name]
                    tally[result] += 1
                    tally["consecutive"] = tally["consecutive"] + 1 if result == "Error" else 0
                    counted = tally["Successful"] + tally["Failed"] + tally["Inconclusive"]
                    metric_phase[metric.name] = _assess(
                        tally["Failed"], tally["Inconclusive"], tally["consecutive"], counted, metric.failure_limit,
                        metric.inconclusive_limit, metric.consecutive_error_limit, metric.count)
                    if metric_phase[metric.name] != "Running":
                        ended[metric.name] = k
                    row[metric.name] = value
                    row[f"{metric.name}_phase"] = result
                measurement_rows.append(row)
                bad = [p for p in metric_phase.values() if p in ("Failed", "Error", "Inconclusive")]
                if bad or all(p == "Successful" for p in metric_phase.values()):
                    break
            for n in names:
                t = tallies[n]
                results[f"step {index}: {n}"] = AnalysisResult(metric_phase[n], ended[n], t["Successful"], t["Failed"],
                                                                t["Inconclusive"], t["Error"])
            finished = [p if p != "Running" else "Successful" for p in metric_phase.values()]
            run_phase = max(finished, key=worst_order.__getitem__)
            outcome = f"analysis {run_phase}"
            if run_phase in ("Failed", "Error"):
                record({"step": index, "kind": kind, "weight": weight, "outcome": outcome})
                weight, phase, aborted_at = 0, "Degraded", index
                record({"step": index, "kind": "abort", "weight": 0,
                                  "outcome": "aborted: canary weight 0, stable version restored"})
                break
            if run_phase == "Inconclusive":
                record({"step": index, "kind": kind, "weight": weight, "outcome": outcome})
                phase = "Paused"
                break
        record({"step": index, "kind": kind, "weight": weight, "outcome": outcome})
    else:
        if weight != 100:
            record({"step": len(steps) + 1, "kind": "promote", "weight": 100,
                              "outcome": "all steps done: canary becomes stable"})
        weight = 100
    return CanaryResult(
        steps=pd.DataFrame(step_rows, columns=["step", "kind", "weight", "minute", "outcome"]),
        measurements=pd.DataFrame(measurement_rows),
        phase=phase,
        final_weight=weight,
        aborted_at_step=aborted_at,
        canary_requests=canary_req,
        total_requests=total_req,
        analysis=results,
    )


def canary_traffic(
    model: Any,
    applications: pd.DataFrame,
    requests_per_minute: float,
    *,
    error_rate: float = 0.001,
    latency_p95_seconds: float = 0.12,
    rate_window_minutes: float = 15,
    fairness_window_minutes: float = 15,
    protected: str = "group",
    privileged: Any = "majority",
    seed: int = 0,
) -> Callable[[int, int, int], dict[str, float]]:
    """A ``measure`` function for ``run_canary``: what Prometheus would return for the canary's own requests.

    At weight w, the canary received w % of ``requests_per_minute``: over the last ``rate_window_minutes`` for the
    error rate and the latency, over the last ``fairness_window_minutes`` for the fairness ratio (the windows of the
    queries in ``deploy/analysis-template.yaml``). Requests are applications drawn (with replacement) from
    ``applications`` and decided by ``model``: ``fairness-ratio`` is the unprivileged group's approval rate over the
    privileged group's, on those decisions; ``error-rate`` is the share of failed requests (each fails with
    probability ``error_rate``: inject a fault by raising it); ``latency-p95-seconds`` the 95th percentile of
    lognormal latencies whose 95th percentile is ``latency_p95_seconds``. A window with no request in a group has no
    value (NaN), which the analysis counts as an Error, as when a Prometheus query returns nothing.
    """
    from helpers.models import decide

    for name, value in (("error_rate", error_rate), ("latency_p95_seconds", latency_p95_seconds)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if not 0 <= error_rate <= 1:
        raise ValueError(f"error_rate must be between 0 and 1, got {error_rate!r}")
    decided = decide(model, applications)
    approved = decided["approved"].to_numpy()
    privileged_mask = decided[protected].isin([privileged]).to_numpy()
    rng = np.random.default_rng(seed)
    sigma = 0.5  # spread of log latencies; the median follows from the 95th percentile
    median = latency_p95_seconds / math.exp(1.6448536 * sigma)

    def measure(weight: int, step: int, measurement: int) -> dict[str, float]:
        n_rate = int(rng.poisson(requests_per_minute * rate_window_minutes * weight / 100))
        n_fair = int(rng.poisson(requests_per_minute * fairness_window_minutes * weight / 100))
        rows = rng.integers(0, len(approved), size=n_fair)
        rate = lambda mask: approved[rows][mask].mean() if mask.any() else math.nan  # noqa: E731
        priv, unpriv = rate(privileged_mask[rows]), rate(~privileged_mask[rows])
        fairness = unpriv / priv if priv and not math.isnan(priv) and not math.isnan(unpriv) else math.nan
        if n_rate == 0:
            return {"error-rate": math.nan, "latency-p95-seconds": math.nan, "fairness-ratio": fairness}
        latencies = median * np.exp(sigma * rng.standard_normal(n_rate))
        return {
            "error-rate": float(rng.binomial(n_rate, error_rate) / n_rate),
            "latency-p95-seconds": float(np.quantile(latencies, 0.95)),
            "fairness-ratio": float(fairness),
        }

    return measure


# ----------------------------------------------------------------------------------------------------------------
# Flagger
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class FlaggerResult:
    """Flagger's canary, interval by interval: ``timeline`` (``interval``, ``phase``, ``check``, ``failed_checks``,
    ``canary_weight`` after the interval, ``event``) and the ``outcome``: "promoted", "rolled back" or "progressing"
    (the checks ran out first)."""

    timeline: pd.DataFrame
    outcome: str

    @property
    def weights(self) -> list[int]:
        """The canary weights Flagger advanced to, in order (the analysis weights)."""
        advanced = self.timeline[self.timeline["event"].str.startswith("advance")]
        return advanced["canary_weight"].tolist()


def flagger_run(step_weight: int, max_weight: int, threshold: int, checks: Sequence[bool]) -> FlaggerResult:
    """Flagger's progressive canary (scheduler.go), one row per analysis interval.

    Each interval: if failed checks >= ``threshold``, roll back (canary weight 0). At weight 0 (the first interval)
    no metric analysis runs (pre-rollout hooks only); otherwise the next value of ``checks`` says whether the metric
    checks passed. A failed check adds 1 to a counter that is **cumulative** for the revision and holds the weight.
    If they passed: below ``max_weight``, weight = min(100, weight + ``step_weight``); at or above it, promote (copy
    the canary's spec to the primary); the next interval routes all traffic back to the primary, the one after
    scales the canary down. With step 20 and max 50 the weights are 20, 40, 60, then promotion.

    Raises:
        ValueError: a step, max weight or threshold that is not a whole number in range, or ``checks`` not a
            sequence of True/False.
    """
    step_weight = _whole(step_weight, "step_weight", minimum=1)
    max_weight = _whole(max_weight, "max_weight", minimum=1)
    if step_weight > 100 or max_weight > 100:
        raise ValueError(f"step_weight and max_weight are percentages of traffic (1-100), got {step_weight}, "
                         f"{max_weight}")
    threshold = _whole(threshold, "threshold", minimum=1)
    if isinstance(checks, (str, bytes)) or not isinstance(checks, Sequence):
        raise ValueError(f"checks must be a sequence of True (checks passed) / False (failed), got {checks!r}")
    for i, c in enumerate(checks, start=1):
        if not isinstance(c, (bool, np.bool_)):
            raise ValueError(f"check {i} is {c!r}; each check must be True (passed) or False (failed)")
    pending = list(checks)
    weight, failed, phase = 0, 0, "Progressing"
    rows, interval, outcome = [], 0, "progressing"
    while True:
        interval += 1
        check = ""
        if phase == "Promoting":
            weight, phase, event = 0, "Finalising", "route all traffic to the primary (now the new version)"
        elif phase == "Finalising":
            phase, event, outcome = "Succeeded", "promotion completed, canary scaled to zero", "promoted"
        elif failed >= threshold:
            weight, phase, event, outcome = 0, "Failed", f"roll back: {failed} failed checks >= threshold", \
                "rolled back"
        elif weight == 0 and interval == 1:
            weight, event = min(100, step_weight), "advance: starting canary analysis"
        else:
            if not pending:
                break
            passed = bool(pending.pop(0))
            check = "pass" if passed else "fail"
            if not passed:
                failed += 1
                event = "hold: checks failed"
            elif weight < max_weight:
                weight, event = min(100, weight + step_weight), "advance"
            else:
                phase, event = "Promoting", "promote: copy canary spec to primary"
        rows.append({"interval": interval, "phase": phase, "check": check, "failed_checks": failed,
                     "canary_weight": weight, "event": event})
        if phase in ("Succeeded", "Failed"):
            break
    return FlaggerResult(pd.DataFrame(rows), outcome)
