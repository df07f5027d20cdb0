"""Flagger's canary schedule (``scheduler.go``): failed checks counted cumulatively, the weight held on a failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.validation import require_whole_number

__all__ = [
    "FlaggerResult", "flagger_run",
]


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

    No series or NaN: Flagger's Prometheus provider (``prometheus.go``) errs "no values found", a **failed** check
    (give ``False``); Argo instead evaluates NaN with the metric's conditions.

    Raises:
        ValueError: a step, max weight or threshold that is not a whole number in range, or ``checks`` not a
            sequence of True/False.
    """
    step_weight = require_whole_number(step_weight, "step_weight", minimum=1)
    max_weight = require_whole_number(max_weight, "max_weight", minimum=1)
    if step_weight > 100 or max_weight > 100:
        raise ValueError(f"step_weight and max_weight are percentages of traffic (1-100), got {step_weight}, "
                         f"{max_weight}")
    threshold = require_whole_number(threshold, "threshold", minimum=1)
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
