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
    "resolve_fenceposts", "simulate_rolling_update",
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
    replicas = require_whole_number(replicas, "replicas", minimum=1)
    surge, unavailable = resolve_fenceposts(replicas, max_surge, max_unavailable)
    unavailable = min(unavailable, replicas)  # MaxUnavailable caps it at the replica count
    ready_delay = require_whole_number(ready_delay, "ready_delay", minimum=1)
    min_ready_syncs = require_whole_number(min_ready_syncs, "min_ready_syncs")
    requests_per_sync = require_whole_number(requests_per_sync, "requests_per_sync")
    progress_deadline_syncs = require_whole_number(progress_deadline_syncs, "progress_deadline_syncs", minimum=1)
    max_syncs = require_whole_number(max_syncs, "max_syncs", minimum=1)
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
