"""An Argo Rollouts canary: ``setWeight`` / ``pause`` / ``analysis`` steps; a Failed or Error analysis aborts."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.rollout.analysis import AnalysisResult, MetricSpec, assess_run, measurement_phase
from helpers.rollout.manifests import duration_seconds

__all__ = [
    "CanaryResult", "run_canary", "canary_traffic",
]


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
            minutes = duration_seconds(seconds) / 60
            elapsed += duration_seconds(seconds)
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
                seconds = interval_seconds or max(duration_seconds(m.interval or "60s") for m in metrics)
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
                    metric_phase[metric.name] = assess_run(
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
