"""Kubernetes' Deployment controller, RollingUpdate strategy: fenceposts as the API server resolves them, and
one controller sync at a time as ``rolling.go`` decides it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.validation import require_whole_number

__all__ = [
    "RollingUpdate", "resolve_fenceposts", "simulate_rolling_update",
]


_PERCENT = re.compile(r"^[0-9]+%$")  # the API server's IsValidPercent


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
    replicas = require_whole_number(replicas, "replicas")
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


@dataclass
class _Pod:
    created: int  #: the sync in which the controller created it (0 for the old version's pods)
    new: bool


@dataclass(frozen=True)
class _PodRules:
    """When a pod can serve, is Ready (gets traffic) and is available (what the controller counts).

    A new pod created in sync s can serve from sync ``s + ready_delay``; it is *available* ``min_ready_syncs``
    later (``minReadySeconds``). With a readiness probe a pod is Ready only once it can serve. Without one,
    Kubernetes marks it Ready as soon as its container runs (the sync after creation): it receives traffic before it
    can serve, and the controller counts it as available too early. A ``broken`` version's pods never serve (with a
    probe, never Ready)."""

    ready_delay: int
    min_ready_syncs: int
    readiness_probe: bool
    broken: bool

    def serves(self, pod: _Pod, t: int) -> bool:
        return not pod.new or (not self.broken and t >= pod.created + self.ready_delay)

    def ready(self, pod: _Pod, t: int) -> bool:  # what Kubernetes believes (the Ready condition)
        if not pod.new:
            return True
        return self.serves(pod, t) if self.readiness_probe else t >= pod.created + 1

    def available(self, pod: _Pod, t: int) -> bool:  # Ready for minReadySeconds
        if not pod.new:
            return True
        if self.readiness_probe:
            since = None if self.broken else pod.created + self.ready_delay
        else:
            since = pod.created + 1
        return since is not None and t >= since + self.min_ready_syncs


def _reconcile_new(old: list, new: list, t: int, replicas: int, max_total: int) -> str | None:
    """reconcileNewReplicaSet (NewRSNewReplicas): scale the new ReplicaSet up within replicas + surge."""
    current = len(old) + len(new)
    if len(new) >= replicas or current >= max_total:
        return None
    add = min(max_total - current, replicas - len(new))
    new.extend(_Pod(created=t, new=True) for _ in range(add))
    return f"scale new {len(new) - add} -> {len(new)}"


def _reconcile_old(old: list, new: list, t: int, rules: _PodRules, min_available: int,
                   old_available: int) -> str | None:
    """reconcileOldReplicaSets: cleanupUnhealthyReplicas, then scaleDownOldReplicaSetsForRollingUpdate, both
    within what keeping ``min_available`` available pods allows (new pods not yet available count against it)."""
    new_available = sum(rules.available(p, t) for p in new)
    max_scaled_down = len(old) + len(new) - min_available - (len(new) - new_available)
    if not old or max_scaled_down <= 0:
        return None
    before = len(old)
    unhealthy = [p for p in old if not rules.available(p, t)]  # cleanupUnhealthyReplicas
    for pod in unhealthy[:max_scaled_down]:
        old.remove(pod)
    total_available = old_available + new_available  # from the snapshot
    if total_available > min_available:  # scaleDownOldReplicaSetsForRollingUpdate
        del old[:min(len(old), total_available - min_available)]
    return f"scale old {before} -> {len(old)}" if len(old) < before else None


def _serve(pods: list, t: int, rules: _PodRules, requests: int, rng: np.random.Generator) -> dict[str, int]:
    """The interval after a sync: Ready pods (the Service's endpoints) share the requests evenly; those that cannot
    serve fail theirs, and every request fails when no pod is Ready. Connection draining of terminating pods (a
    preStop hook) is not modelled."""
    ready = sum(rules.ready(p, t) for p in pods)
    serving = sum(rules.ready(p, t) and rules.serves(p, t) for p in pods)
    failed = requests if ready == 0 else int(rng.binomial(requests, (ready - serving) / ready))
    return {"ready": ready, "serving": serving, "available": sum(rules.available(p, t) for p in pods),
            "failed": failed}


def _progress(status: dict, last: dict, last_progress: int, t: int, deadline: int,
              complete: bool) -> tuple[str, str, int]:
    """The Progressing condition (DeploymentProgressing, DeploymentTimedOut): (status, reason, last progress)."""
    if complete:
        return "True", "NewReplicaSetAvailable", last_progress
    if any(status[k] > last[k] for k in ("updated", "ready", "available")) or status["old"] < last["old"]:
        return "True", "ReplicaSetUpdated", t
    if last_progress + deadline < t:  # strictly after the deadline
        return "False", "ProgressDeadlineExceeded", last_progress
    return "True", "ReplicaSetUpdated", last_progress


def _sync(t: int, old: list, new: list | None, rules: _PodRules, replicas: int, max_total: int,
          min_available: int) -> tuple[list, list[str]]:
    """One sync on one status snapshot: (the new ReplicaSet's pods, the actions taken)."""
    actions = []
    old_available = sum(rules.available(p, t) for p in old)  # the snapshot this sync reads
    if new is None:  # getNewReplicaSet: created with NewRSNewReplicas, and the same sync continues
        new = [_Pod(created=t, new=True) for _ in range(max(0, min(max_total - len(old), replicas)))]
        actions.append(f"create new ReplicaSet with {len(new)}")
    action = _reconcile_new(old, new, t, replicas, max_total) or \
        _reconcile_old(old, new, t, rules, min_available, old_available)
    return new, actions + ([action] if action else [])


_COLUMNS = ["sync", "old", "new", "total", "ready", "serving", "available", "requests", "failed", "action",
            "progressing", "reason"]


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


@dataclass(frozen=True, eq=False)
class RollingUpdate:
    """What a RollingUpdate did: ``frame``, one row per controller sync, and the numbers it ran with."""

    frame: pd.DataFrame
    """One row per sync, the state after its action (see ``simulate_rolling_update``)."""
    replicas: int
    """``spec.replicas``: the pods the Deployment wants."""
    surge: int
    """``maxSurge`` resolved to pods (rounded up): how many pods above ``replicas`` may exist."""
    unavailable: int
    """``maxUnavailable`` resolved to pods (rounded down, at most ``replicas``): how many below ``replicas`` may be
    unavailable."""
    outcome: str
    """"complete", "ProgressDeadlineExceeded" or "max_syncs reached"."""
    max_total: int
    """``replicas + surge``: the most pods that ever exist at once."""
    min_available: int
    """``replicas - unavailable``: the fewest available pods the controller keeps."""


def simulate_rolling_update(
    replicas: int, max_surge: int | str, max_unavailable: int | str, ready_delay: int = 1, min_ready_syncs: int = 0,
    fail_new: bool | None = None, readiness_probe: bool = True, requests_per_sync: int = 1000, seed: int = 0, *,
    progress_deadline_syncs: int = 12, max_syncs: int = 200,
) -> RollingUpdate:
    """A RollingUpdate from the old version to a new one, one row per controller sync (``_sync``, as ``rolling.go``'s
    ``rolloutRolling``: create the new ReplicaSet, then scale it up within ``replicas + surge`` or scale old pods
    down within ``replicas - unavailable`` available pods; then the Progressing condition).

    Pods follow ``_PodRules``: ready after ``ready_delay`` syncs, available ``min_ready_syncs`` later,
    ``readiness_probe=False`` marks them Ready before they can serve, ``fail_new=True`` makes the new version
    broken: with a probe the rollout stalls and, after ``progress_deadline_syncs`` syncs without progress, reports
    ``Progressing=False``, reason ``ProgressDeadlineExceeded``; nothing rolls back. ``requests_per_sync`` requests
    per sync are spread over the Ready pods (``_serve``).

    Returns a ``RollingUpdate``: its ``frame`` has one row per sync, the state after its action (``sync``, ``old``,
    ``new``, ``total``, ``ready``: the endpoints, ``serving``: Ready pods that can answer, ``available``: what the
    controller counts, ``requests``, ``failed``, ``action``, ``progressing``, ``reason``), until the update is
    complete or the deadline reported; its fields hold ``replicas``, ``surge``, ``unavailable``, ``outcome``
    ("complete", "ProgressDeadlineExceeded" or "max_syncs reached"), ``max_total`` and ``min_available``. Raises ValueError naming a bad count, delay, deadline or seed, maxSurge/maxUnavailable
    the API server refuses, or ``fail_new`` / ``readiness_probe`` not True or False (the text 'False' is refused).
    """
    replicas = require_whole_number(replicas, "replicas", minimum=1)
    surge, unavailable = resolve_fenceposts(replicas, max_surge, max_unavailable)
    unavailable = min(unavailable, replicas)  # MaxUnavailable caps it at the replica count
    rules = _PodRules(require_whole_number(ready_delay, "ready_delay", minimum=1),
                      require_whole_number(min_ready_syncs, "min_ready_syncs"), _flag(readiness_probe,
                      "readiness_probe"), _flag(False if fail_new is None else fail_new, "fail_new"))
    requests_per_sync = require_whole_number(requests_per_sync, "requests_per_sync")
    deadline = require_whole_number(progress_deadline_syncs, "progress_deadline_syncs", minimum=1)
    max_syncs = require_whole_number(max_syncs, "max_syncs", minimum=1)
    rng = np.random.default_rng(require_whole_number(seed, "seed"))
    old, new = [_Pod(created=0, new=False) for _ in range(replicas)], None
    max_total, min_available = replicas + surge, replicas - unavailable
    rows, last_progress, outcome = [], 1, "max_syncs reached"
    last = {"updated": 0, "old": replicas, "ready": replicas, "available": replicas}
    for t in range(1, max_syncs + 1):
        new, actions = _sync(t, old, new, rules, replicas, max_total, min_available)
        served = _serve(old + new, t, rules, requests_per_sync, rng)
        status = {"updated": len(new), "old": len(old), "ready": served["ready"], "available": served["available"]}
        complete = len(new) == replicas and not old and served["available"] == replicas  # DeploymentComplete
        progressing, reason, last_progress = _progress(status, last, last_progress, t, deadline, complete)
        last = status
        rows.append({"sync": t, "old": len(old), "new": len(new), "total": len(old) + len(new), **served,
                     "requests": requests_per_sync, "action": "; ".join(actions) or "wait",
                     "progressing": progressing, "reason": reason})
        if complete or reason == "ProgressDeadlineExceeded":
            outcome = "complete" if complete else reason
            break
    return RollingUpdate(frame=pd.DataFrame(rows, columns=_COLUMNS), replicas=replicas, surge=surge,
                         unavailable=unavailable, outcome=outcome, max_total=max_total, min_available=min_available)
