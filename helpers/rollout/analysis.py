"""Argo Rollouts' analysis: a run's phase from its measurements (``analysis.go``), and a metric's success and
failure conditions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from helpers.validation import require_whole_number

__all__ = [
    "MEASUREMENT_PHASES", "AnalysisResult", "MetricRun", "MetricSpec", "analysis_run", "assess_run",
    "measurement_phase",
]


#: What one Argo Rollouts measurement can be.
MEASUREMENT_PHASES = ("Successful", "Failed", "Inconclusive", "Error")


@dataclass(frozen=True)
class AnalysisResult:
    """The phase of one metric's analysis and the measurement (1-based) at which it ended (None while Running, or
    when the run stopped it because another metric ended it first: Argo records such a metric Successful)."""

    phase: str
    ended_at: int | None
    successful: int
    failed: int
    inconclusive: int
    errors: int


def assess_run(failed, inconclusive, consecutive_errors, counted, failure_limit, inconclusive_limit,
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
    require_whole_number(failure_limit, "failure_limit")
    require_whole_number(inconclusive_limit, "inconclusive_limit")
    require_whole_number(consecutive_error_limit, "consecutive_error_limit")
    if count is not None:
        require_whole_number(count, "count", minimum=1)


@dataclass
class MetricRun:
    """One metric's measurements so far and its phase: the analysis tally, written once (``analysis_run`` and
    ``run_canary`` both use it). ``add`` takes the next measurement's outcome and returns the phase after it."""

    failure_limit: int = 0
    inconclusive_limit: int = 0
    consecutive_error_limit: int = 4
    count: int | None = None
    tally: dict = field(default_factory=lambda: {phase: 0 for phase in MEASUREMENT_PHASES})
    consecutive_errors: int = 0
    phase: str = "Running"
    ended_at: int | None = None

    def __post_init__(self) -> None:
        _limits(self.failure_limit, self.inconclusive_limit, self.consecutive_error_limit, self.count)

    @classmethod
    def of(cls, metric: MetricSpec) -> MetricRun:
        """A fresh run with ``metric``'s limits and count."""
        return cls(metric.failure_limit, metric.inconclusive_limit, metric.consecutive_error_limit, metric.count)

    def add(self, outcome: str, position: int) -> str:
        """Count measurement number ``position`` (1-based) and return the phase after it (assessMetricStatus)."""
        if outcome not in MEASUREMENT_PHASES:
            raise ValueError(
                f"measurement {position} is {outcome!r}; each outcome must be one of {', '.join(MEASUREMENT_PHASES)}"
            )
        self.tally[outcome] += 1
        self.consecutive_errors = self.consecutive_errors + 1 if outcome == "Error" else 0
        counted = self.tally["Successful"] + self.tally["Failed"] + self.tally["Inconclusive"]
        self.phase = assess_run(self.tally["Failed"], self.tally["Inconclusive"], self.consecutive_errors, counted,
                                self.failure_limit, self.inconclusive_limit, self.consecutive_error_limit, self.count)
        if self.phase != "Running":
            self.ended_at = position
        return self.phase

    def result(self, phase: str | None = None) -> AnalysisResult:
        """The verdict so far (``phase`` overrides it, as when the run stops a metric that was still Running)."""
        t = self.tally
        return AnalysisResult(phase or self.phase, self.ended_at, t["Successful"], t["Failed"], t["Inconclusive"],
                              t["Error"])


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
    run = MetricRun(failure_limit, inconclusive_limit, consecutive_error_limit, count)
    if isinstance(results, str) or not isinstance(results, Sequence) or len(results) == 0:
        raise ValueError(
            f"results must be a non-empty sequence of measurement outcomes {MEASUREMENT_PHASES}, got {results!r}"
        )
    for position, outcome in enumerate(results, start=1):
        if run.add(outcome, position) != "Running":
            break
    return run.result()


_CONDITION = re.compile(r"^\s*result\[0\]\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]*\.?[0-9]+(?:[eE]-?[0-9]+)?)\s*$")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


@dataclass(frozen=True)
class MetricSpec:
    """One metric of an AnalysisTemplate: its conditions (``result[0] <op> <number>``), count, ``interval``,
    ``initial_delay`` (Argo's ``initialDelay``: None takes the first measurement as soon as the run starts) and
    limits."""

    name: str
    success_condition: str | None = None
    failure_condition: str | None = None
    count: int | None = None
    interval: str | None = None
    initial_delay: str | None = None
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
    """One measurement's phase, as Argo Rollouts decides it (``utils/evaluate/evaluate.go``, ``EvaluateResult``).

    ``value`` None means the query returned **no series** (an empty result): Argo cannot evaluate ``result[0]`` and
    records an **Error**. Any number, NaN included, is evaluated: Failed if the failureCondition holds, else
    Successful if the successCondition holds, else Inconclusive; with only one condition set, the other is its
    negation. Every comparison with NaN is false, so NaN is **Failed** with only a successCondition, Inconclusive
    with both, and Successful with only a failureCondition (docs/features/analysis.md, "NaN and Infinity").

    Raises:
        ValueError: a value that is neither None nor a number (a bool, a string), naming the metric.
    """
    if value is None:
        return "Error"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"metric {metric.name!r}: a measurement must be a number (NaN included) or None (the "
                         f"query returned no series), got {value!r}")

    def holds(condition: str | None) -> bool:
        if condition is None:
            return False
        op, number = _parse_condition(condition, metric.name)
        return _OPERATORS[op](float(value), number)

    failed, successful = holds(metric.failure_condition), holds(metric.success_condition)
    if metric.failure_condition is None:
        failed = not successful
    elif metric.success_condition is None:
        successful = not failed
    if failed:
        return "Failed"
    return "Successful" if successful else "Inconclusive"
