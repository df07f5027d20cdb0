"""Argo Rollouts' analysis: a run's phase from its measurements (``analysis.go``), and a metric's success and
failure conditions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass


from helpers.validation import require_whole_number

__all__ = [
    "MEASUREMENT_PHASES", "AnalysisResult", "assess_run", "analysis_run", "MetricSpec", "measurement_phase",
]


#: What one Argo Rollouts measurement can be.
MEASUREMENT_PHASES = ("Successful", "Failed", "Inconclusive", "Error")


@dataclass(frozen=True)
class AnalysisResult:
    """The phase of one metric's analysis and the measurement (1-based) at which it ended (None while Running)."""

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
        phase = assess_run(tally["Failed"], tally["Inconclusive"], consecutive, counted, failure_limit,
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
