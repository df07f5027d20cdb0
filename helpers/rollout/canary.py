"""An Argo Rollouts canary: ``setWeight`` / ``pause`` / ``analysis`` steps; a Failed or Error analysis aborts."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.rollout.analysis import AnalysisResult, MetricRun, MetricSpec, measurement_phase
from helpers.rollout.manifests import duration_seconds
from helpers.validation import require_whole_number

__all__ = ["CanaryResult", "canary_traffic", "run_canary"]


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
    if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (int, np.integer)) or not 0 <= weight <= 100:
        raise ValueError(f"step {step}: setWeight must be a whole number from 0 to 100, got {weight!r}")
    return int(weight)


_STEP_KINDS = ("setWeight", "pause", "analysis")
_WORST_FIRST = ("Failed", "Error", "Inconclusive", "Successful")  # an AnalysisRun's phase: its worst metric's


@dataclass
class _Rollout:
    """The rollout's state as the steps advance it: the weight, the clock and the requests served."""

    requests_per_minute: float
    weight: int = 0
    seconds: float = 0.0
    canary_requests: float = 0.0
    total_requests: float = 0.0
    steps: list = field(default_factory=list)
    measurements: list = field(default_factory=list)
    analysis: dict = field(default_factory=dict)

    def serve(self, seconds: float) -> None:
        """Let ``seconds`` pass at the current weight."""
        self.seconds += seconds
        self.total_requests += self.requests_per_minute * seconds / 60
        self.canary_requests += self.requests_per_minute * seconds / 60 * self.weight / 100

    def record(self, step: int, kind: str, outcome: str) -> None:
        self.steps.append({"step": step, "kind": kind, "weight": self.weight, "minute": self.seconds / 60,
                           "outcome": outcome})


def _set_weight(rollout: _Rollout, index: int, weight: Any) -> str | None:
    """A ``setWeight`` step: the traffic router gives the canary ``weight`` % of requests at once."""
    rollout.weight = _check_weight(weight, index)
    rollout.record(index, "setWeight", "")
    return None


def _pause(rollout: _Rollout, index: int, seconds: Any) -> str | None:
    """A ``pause`` step: wait its duration at the current weight; no duration waits for a person (Paused)."""
    if seconds is None:
        rollout.record(index, "pause", "paused until a person resumes")
        return "Paused"
    rollout.serve(duration_seconds(seconds))
    rollout.record(index, "pause", f"{duration_seconds(seconds) / 60:g} min")
    return None


def _first_and_every(metric: MetricSpec, interval_seconds: int | None) -> tuple[int, int]:
    """When a metric is first measured (its ``initialDelay``, else at once) and then how often."""
    first = duration_seconds(metric.initial_delay) if metric.initial_delay is not None else 0
    return first, interval_seconds or duration_seconds(metric.interval or "60s")


def _measure_due(rollout, index, number, due, runs, values) -> None:
    """Judge the metrics ``due`` at measurement ``number`` on ``values`` and record the row."""
    row = {"step": index, "weight": rollout.weight, "measurement": number, "minute": rollout.seconds / 60}
    for metric in due:
        if metric.name not in values:
            raise ValueError(f"measure() returned no value for metric {metric.name!r}; it returned "
                             f"{', '.join(values) or 'nothing'}")
        outcome = measurement_phase(metric, values[metric.name])
        runs[metric.name].add(outcome, number)
        row[metric.name], row[f"{metric.name}_phase"] = values[metric.name], outcome
    rollout.measurements.append(row)


def _analysis_run(rollout, index, metrics, measure, interval_seconds, limit=1000) -> str:
    """An AnalysisRun (analysis.go): each metric measured at its own times until one ends the run or all end."""
    runs = {m.name: MetricRun.of(m) for m in metrics}
    schedule = {m.name: _first_and_every(m, interval_seconds) for m in metrics}
    next_at = {name: first for name, (first, _) in schedule.items()}
    started, number = rollout.seconds, 0
    while number < limit:
        running = [m for m in metrics if runs[m.name].phase == "Running"]
        if not running or any(r.phase in ("Failed", "Error", "Inconclusive") for r in runs.values()):
            break
        at = min(next_at[m.name] for m in running)
        rollout.serve(started + at - rollout.seconds)
        number += 1
        due = [m for m in running if next_at[m.name] == at]
        _measure_due(rollout, index, number, due, runs, measure(rollout.weight, index, number))
        for metric in due:
            next_at[metric.name] = at + schedule[metric.name][1]
    # a metric the run stopped (another ended it, or the limit) is recorded Successful, as Argo records it
    phases = {name: run.phase if run.phase != "Running" else "Successful" for name, run in runs.items()}
    for name, run in runs.items():
        rollout.analysis[f"step {index}: {name}"] = run.result(phases[name])
    return next(p for p in _WORST_FIRST if p in phases.values())


def _analysis(rollout, index, metrics, measure, interval_seconds) -> str | None:
    """An ``analysis`` step: Failed or Error aborts (weight 0, the stable version restored); Inconclusive pauses."""
    phase = _analysis_run(rollout, index, metrics, measure, interval_seconds)
    rollout.record(index, "analysis", f"analysis {phase}")
    if phase in ("Failed", "Error"):
        rollout.weight = 0
        rollout.record(index, "abort", "aborted: canary weight 0, stable version restored")
        return "Degraded"
    return "Paused" if phase == "Inconclusive" else None


def _step_kind(step: Mapping[str, Any], index: int) -> str:
    kinds = [k for k in _STEP_KINDS if k in step]
    if len(kinds) != 1 or len(step) != 1:
        raise ValueError(f"step {index} {dict(step)!r}: each step must be exactly one of setWeight, pause or analysis")
    return kinds[0]


def run_canary(
    steps: Sequence[Mapping[str, Any]],
    metrics: Sequence[MetricSpec],
    measure: Callable[[int, int, int], Mapping[str, float | None]],
    requests_per_minute: float = 1000.0,
    interval_seconds: int | None = None,
) -> CanaryResult:
    """Run an Argo Rollouts canary: ``setWeight`` moves traffic, ``pause`` waits, ``analysis`` measures.

    At an analysis step an AnalysisRun starts: each metric is measured **at once** (or after its ``initial_delay``),
    then once per ``interval`` (``interval_seconds`` overrides every metric's), so three measurements 5 minutes apart
    span 10 minutes. ``measure(weight, step, measurement)`` returns ``{metric name: value}``: a number (NaN
    included, evaluated by the conditions) or None (the query returned no series: an Error). Each metric's
    measurements are judged by ``measurement_phase`` and tallied by ``MetricRun`` (the limits of ``analysis_run``).
    The run ends as soon as one metric is Failed, Error or Inconclusive (the others stop, and Argo records them
    Successful), or when all reached their count; its phase is the worst of its metrics (Failed > Error >
    Inconclusive > Successful). Failed or Error aborts the rollout: weight 0, the stable version serves everything
    (phase "Degraded"). Inconclusive pauses it (phase "Paused"). After the last step the canary is the new stable
    version (weight 100, phase "Healthy").

    Traffic accounting: ``requests_per_minute`` reach the service; the canary serves ``weight`` % of them while its
    weight holds (pauses, and the analysis until its last measurement).

    Raises:
        ValueError: an unknown step kind (named with its position), a weight outside 0-100, a measurement without a
            metric, or no steps.
    """
    if not steps:
        raise ValueError("steps is empty: give at least one setWeight, pause or analysis step")
    if not metrics and any("analysis" in s for s in steps):
        raise ValueError("an analysis step needs at least one metric (MetricSpec)")
    rollout, phase, aborted_at = _Rollout(requests_per_minute), "Healthy", None
    for index, step in enumerate(steps, start=1):
        kind = _step_kind(step, index)
        if kind == "setWeight":
            ended = _set_weight(rollout, index, step[kind])
        elif kind == "pause":
            ended = _pause(rollout, index, step[kind])
        else:
            ended = _analysis(rollout, index, metrics, measure, interval_seconds)
        if ended is not None:
            phase, aborted_at = ended, index if ended == "Degraded" else None
            break
    if phase == "Healthy" and rollout.weight != 100:
        rollout.weight = 100
        rollout.record(len(steps) + 1, "promote", "all steps done: canary becomes stable")
    return CanaryResult(
        steps=pd.DataFrame(rollout.steps, columns=["step", "kind", "weight", "minute", "outcome"]),
        measurements=pd.DataFrame(rollout.measurements),
        phase=phase,
        final_weight=rollout.weight,
        aborted_at_step=aborted_at,
        canary_requests=rollout.canary_requests,
        total_requests=rollout.total_requests,
        analysis=rollout.analysis,
    )


def _divide(numerator: float, denominator: float) -> float:
    """PromQL's division of two samples: IEEE floats, so 0/0 is NaN and x/0 is +Inf or -Inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def _check_traffic(error_rate: Any, latency_p95_seconds: Any, errors_or_zero: Any) -> None:
    for name, value in (("error_rate", error_rate), ("latency_p95_seconds", latency_p95_seconds)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if not 0 <= error_rate <= 1:
        raise ValueError(f"error_rate must be between 0 and 1, got {error_rate!r}")
    if not isinstance(errors_or_zero, (bool, np.bool_)):
        raise ValueError(f"errors_or_zero must be True or False, got {errors_or_zero!r}")


def canary_traffic(
    model: Any, applications: pd.DataFrame, requests_per_minute: float, *, error_rate: float = 0.001,
    latency_p95_seconds: float = 0.12, rate_window_minutes: float = 15, fairness_window_minutes: float = 15,
    protected: str = "group", privileged: Any = "majority", errors_or_zero: bool = True, seed: int = 0,
) -> Callable[[int, int, int], dict[str, float | None]]:
    """A ``measure`` function for ``run_canary``: what Prometheus would return for the canary's own requests.

    At weight w, the canary received w % of ``requests_per_minute``: over the last ``rate_window_minutes`` for the
    error rate and the latency, over the last ``fairness_window_minutes`` for the fairness ratio (the windows of the
    queries in ``deploy/analysis-template.yaml``). Requests are applications drawn (with replacement) from
    ``applications`` and decided by ``model``: ``fairness-ratio`` is the unprivileged group's approval rate over the
    privileged group's; ``error-rate`` the share of failed (5xx) requests (each fails with probability
    ``error_rate``: inject a fault by raising it); ``latency-p95-seconds`` the 95th percentile of lognormal
    latencies whose 95th percentile is ``latency_p95_seconds``.

    Missing data as Prometheus returns it: a window with no request divides 0 by 0, NaN (a success-only condition
    fails it); a canary that never failed a request has no 5xx series, read as 0 with ``errors_or_zero=True`` (the
    template's ``or vector(0)``) and as None (no series: an Error) without it, until the canary's first 5xx.
    """
    from helpers.models import decide

    _check_traffic(error_rate, latency_p95_seconds, errors_or_zero)
    seed = require_whole_number(seed, "seed")
    decided = decide(model, applications)
    approved = decided["approved"].to_numpy()
    privileged_mask = decided[protected].isin([privileged]).to_numpy()
    rng = np.random.default_rng(seed)
    sigma = 0.5  # spread of log latencies; the median follows from the 95th percentile
    median = float(latency_p95_seconds) / math.exp(1.6448536 * sigma)
    served_5xx = [False]  # has the canary's 5xx series been created (its first failed request)?

    def fairness(weight: int) -> float:
        n_fair = int(rng.poisson(requests_per_minute * fairness_window_minutes * weight / 100))
        rows = rng.integers(0, len(approved), size=n_fair)
        priv, decisions = privileged_mask[rows], approved[rows]
        minority = _divide(decisions[~priv].sum(), (~priv).sum())
        return _divide(minority, _divide(decisions[priv].sum(), priv.sum()))

    def measure(weight: int, step: int, measurement: int) -> dict[str, float | None]:
        n_rate = int(rng.poisson(requests_per_minute * rate_window_minutes * weight / 100))
        failed = int(rng.binomial(n_rate, error_rate)) if n_rate else 0
        served_5xx[0] = served_5xx[0] or failed > 0
        has_errors = served_5xx[0] or errors_or_zero
        latency = float(np.quantile(median * np.exp(sigma * rng.standard_normal(n_rate)), 0.95)) if n_rate \
            else math.nan  # histogram_quantile over zero rates is NaN
        return {
            "error-rate": _divide(failed, n_rate) if has_errors else None,
            "latency-p95-seconds": latency,
            "fairness-ratio": fairness(weight),
        }

    return measure
