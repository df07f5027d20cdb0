"""Alert rules with Prometheus semantics: one engine for every alarm in the course.

A rule says "alert when ``metric op threshold`` has held for ``for_``". The course's rules are written once, as a real
Prometheus rule file (``monitoring/alerts.yml``, tested with ``promtool test rules``); ``load_rules`` reads it and
``evaluate`` decides, evaluation by evaluation, exactly what Prometheus would decide on the same samples
(prometheus/prometheus ``rules/alerting.go``):

* the condition holds at an evaluation: an inactive alert becomes **pending**, with ``active_since`` = now;
* a pending alert **fires** once now - active_since >= ``for_`` (``for_`` 0 fires at the first evaluation);
* the condition does not hold: a pending alert is dropped (its clock restarts next time); a firing alert stays firing
  while now - (the first evaluation without the condition) < ``keep_firing_for``, then resolves (**inactive**);
* **no data behaves exactly like recovery**: an evaluation without a sample (NaN here, a missing series in Prometheus)
  does not satisfy ``metric < 0.9``, so it resolves the alert. That is why ``absent(metric)`` rules exist: they hold
  when there is no sample, and catch a feed that went silent.

Evaluated once a day, "below 0.8 on three consecutive days" is ``for_="2d"``: pending on day 1 (active_since day 1),
still pending on day 2 (1 day elapsed), firing on day 3 (2 days elapsed). ``for_="3d"`` fires on the fourth day.

Rule files are read as promtool reads them (``promtool check rules``): a key written twice in one mapping (``for:``
twice) and two groups with one name are refused, with the file and line; so are a folder, a file that is not UTF-8
and invalid YAML. ``load_rules`` returns a ``RuleSet`` (a dict by alert name) whose unknown-name error lists the
valid names.

Public API: ``Rule``, ``RuleSet``, ``evaluate``, ``first_firing``, ``load_rules``, ``parse_duration``,
``COURSE_RULES`` and ``course_rules()``. Durations are Prometheus duration strings ("90m", "72h", "2d", "1h30m") or pandas Timedeltas.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.paths import REPO_ROOT
from helpers.validation import require_number

__all__ = [
    "ABSENT",
    "COURSE_RULES",
    "FIRING",
    "INACTIVE",
    "OPS",
    "PENDING",
    "Rule",
    "RuleSet",
    "course_rules",
    "evaluate",
    "first_firing",
    "load_rules",
    "parse_duration",
]

#: The course's rule file: the lesson's alert rules, written once, as Prometheus alerting rules.
COURSE_RULES = REPO_ROOT / "monitoring" / "alerts.yml"

INACTIVE, PENDING, FIRING = "inactive", "pending", "firing"
#: The comparison operators a rule may use (the condition is ``metric op threshold``).
OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
#: The one other kind of rule: ``absent(metric)`` holds when the metric has no sample at an evaluation.
ABSENT = "absent"

_UNITS = {"y": "365D", "w": "7D", "d": "1D", "h": "1h", "m": "1min", "s": "1s", "ms": "1ms"}
_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_COMPARISON = re.compile(rf"^\s*({_METRIC})\s*(<=|>=|<|>)\s*({_NUMBER})\s*$")
_ABSENT_EXPR = re.compile(rf"^\s*absent\s*\(\s*({_METRIC})\s*\)\s*$")
_RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


def parse_duration(value, what: str = "duration") -> pd.Timedelta:
    """A Prometheus duration ("30s", "90m", "72h", "2d", "1w", "1h30m"; units y w d h m s ms, largest first) or a
    pandas Timedelta (or ``datetime.timedelta``), as a ``pd.Timedelta``. "0" and "0s" are zero. Raises ``ValueError`` naming ``what`` for a
    malformed or negative duration."""
    if isinstance(value, (datetime.timedelta, np.timedelta64)):  # pd.Timedelta is a datetime.timedelta
        duration = pd.Timedelta(value)
    elif isinstance(value, str):
        text = value.strip()
        match = _DURATION.match(text)
        if text == "0":
            duration = pd.Timedelta(0)
        elif not text or match is None or not any(match.groups()):
            raise ValueError(
                f"{what} {value!r} is not a Prometheus duration: write a number and a unit, largest unit first, "
                f"from y w d h m s ms (e.g. '90m', '72h', '2d', '1h30m')"
            )
        else:
            duration = sum(
                (int(n) * pd.Timedelta(_UNITS[unit]) for n, unit in zip(match.groups(), _UNITS) if n),
                pd.Timedelta(0),
            )
    elif isinstance(value, int) and not isinstance(value, bool) and value == 0:
        duration = pd.Timedelta(0)  # YAML reads ``for: 0`` as the integer 0
    else:
        raise ValueError(
            f"{what} must be a Prometheus duration string (e.g. '2d') or a pandas Timedelta, got {value!r}"
        )
    if pd.isna(duration):
        raise ValueError(f"{what} must be a duration, got {value!r}")
    if duration < pd.Timedelta(0):
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return duration


@dataclass(frozen=True)
class Rule:
    """An alerting rule: alert when ``metric op threshold`` has held for ``for_``.

    Args:
        name: the alert's name (Prometheus' ``alert:``), e.g. "DisparateImpactRedFlag".
        metric: the metric's name, e.g. "credit_disparate_impact".
        op: "<", "<=", ">" or ">=" (or "absent", with ``threshold`` None: holds when the metric has no sample).
        threshold: the number the metric is compared with.
        for_: how long the condition must hold before the alert fires (a pending alert fires once
            now - active_since >= for_); "0s" fires at the first evaluation where it holds.
        keep_firing_for: how long a firing alert keeps firing after the condition stops holding.
        labels: labels added to the alert (e.g. ``{"severity": "page"}``).
        annotations: text for people (``summary``, ``description``, ``runbook``).

    Durations are stored as ``pd.Timedelta``. ``rule.expr`` is the PromQL expression ("credit_disparate_impact < 0.8").
    """

    name: str
    metric: str
    op: str
    threshold: float | None
    for_: pd.Timedelta | str = "0s"
    keep_firing_for: pd.Timedelta | str = "0s"
    labels: Mapping[str, str] | None = None
    annotations: Mapping[str, str] | None = field(default=None, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"rule name must be a non-empty string, got {self.name!r}")
        where = f"rule {self.name!r}"
        if not isinstance(self.metric, str) or not re.fullmatch(_METRIC, self.metric):
            raise ValueError(
                f"{where}: metric must be a metric name such as 'credit_model_accuracy', got {self.metric!r}"
            )
        if self.op == ABSENT:
            if self.threshold is not None:
                raise ValueError(f"{where}: an 'absent' rule takes no threshold (use None), got {self.threshold!r}")
        elif self.op not in OPS:
            raise ValueError(f"{where}: unknown op {self.op!r}; valid ops: {', '.join(OPS)} (or {ABSENT!r})")
        else:  # a numpy float32 0.8 is read as 0.8 (see helpers.validation.require_number)
            object.__setattr__(self, "threshold", require_number(self.threshold, f"{where}: threshold"))
        object.__setattr__(self, "for_", parse_duration(self.for_, f"{where}: for_"))
        object.__setattr__(self, "keep_firing_for", parse_duration(self.keep_firing_for, f"{where}: keep_firing_for"))
        for attribute in ("labels", "annotations"):
            value = getattr(self, attribute)
            if value is None:
                value = {}
            if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                         for k, v in value.items()):
                raise ValueError(f"{where}: {attribute} must map names to strings, got {value!r}")
            object.__setattr__(self, attribute, dict(value))

    @property
    def expr(self) -> str:
        """The rule's PromQL expression, as written in a rule file."""
        if self.op == ABSENT:
            return f"absent({self.metric})"
        return f"{self.metric} {self.op} {self.threshold:g}"

    def holds(self, value) -> bool:
        """Whether the condition holds for one evaluation's ``value`` (NaN or None: no sample)."""
        missing = value is None or pd.isna(value)
        if self.op == ABSENT:
            return bool(missing)
        return (not missing) and bool(OPS[self.op](float(value), self.threshold))


def _check_series(series, rule: Rule) -> pd.Series:
    where = f"series for rule {rule.name!r}"
    if not isinstance(series, pd.Series):
        raise TypeError(f"{where} must be a pandas Series indexed by evaluation times, got {type(series).__name__}")
    if len(series) == 0:
        raise ValueError(f"{where} is empty: give at least one evaluation (time -> value, NaN for no sample)")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(
            f"{where} must have a DatetimeIndex of evaluation times, got {type(series.index).__name__} "
            f"(e.g. series.index = pd.to_datetime(...))"
        )
    if series.index.hasnans:
        raise ValueError(f"{where} has a missing evaluation time (NaT) in its index")
    steps = np.diff(series.index.asi8)
    if (steps <= 0).any():
        i = int(np.argmax(steps <= 0))
        raise ValueError(
            f"{where}: evaluation times must be strictly increasing, but {series.index[i + 1]} follows "
            f"{series.index[i]} (position {i + 1}); sort the series and drop duplicate times"
        )
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        raise ValueError(f"{where} must hold numbers (NaN for no sample), got dtype {series.dtype}")
    return series.astype(float)


def evaluate(rule: Rule, series: pd.Series) -> pd.DataFrame:
    """The rule's state at every evaluation, as Prometheus decides it.

    Args:
        rule: the rule (``Rule`` or one from ``load_rules``).
        series: the metric at each evaluation: a Series indexed by evaluation times (a strictly increasing
            DatetimeIndex); NaN means no sample at that evaluation (which resolves a threshold rule, like recovery).

    Returns:
        One row per evaluation: ``time``, ``value``, ``state`` ("inactive", "pending" or "firing") and
        ``active_since`` (when the current pending or firing episode started; NaT when inactive).
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a helpers.alerts.Rule, got {type(rule).__name__}")
    values = _check_series(series, rule)
    state, active_since, first_clear = INACTIVE, pd.NaT, pd.NaT
    states, since = [], []
    for now, value in zip(values.index, values.to_numpy()):
        if rule.holds(value):
            first_clear = pd.NaT  # a firing alert's keep_firing_for clock stops while the condition holds
            if state == INACTIVE:
                state, active_since = PENDING, now
        elif state == PENDING:
            state, active_since = INACTIVE, pd.NaT  # dropped: the clock restarts at the next true evaluation
        elif state == FIRING:
            if pd.isna(first_clear):
                first_clear = now
            if not (rule.keep_firing_for > pd.Timedelta(0) and now - first_clear < rule.keep_firing_for):
                state, active_since, first_clear = INACTIVE, pd.NaT, pd.NaT
        if state == PENDING and now - active_since >= rule.for_:
            state = FIRING
        states.append(state)
        since.append(active_since)
    return pd.DataFrame({
        "time": values.index,
        "value": values.to_numpy(),
        "state": states,
        "active_since": pd.DatetimeIndex(since, tz=values.index.tz),
    })


def first_firing(rule: Rule, series: pd.Series) -> pd.Timestamp | None:
    """The first evaluation time at which ``rule`` fires on ``series`` (see ``evaluate``), or None if it never does."""
    states = evaluate(rule, series)
    firing = states.loc[states["state"] == FIRING, "time"]
    return None if firing.empty else pd.Timestamp(firing.iloc[0])


def _rule_from_yaml(entry, index: int, group: str, where: str) -> Rule:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: rule {index + 1} of group {group!r} must be a mapping, got {entry!r}")
    if "record" in entry:
        raise ValueError(f"{where}: rule {entry['record']!r} is a recording rule; only alerting rules are read")
    name = entry.get("alert")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: rule {index + 1} of group {group!r} has no 'alert' name")
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise ValueError(f"{where}: rule {name!r} has unknown field(s) {', '.join(unknown)}; valid: "
                         f"{', '.join(sorted(_RULE_KEYS))}")
    expr = entry.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(f"{where}: rule {name!r} has no 'expr'")
    comparison, absent = _COMPARISON.match(expr), _ABSENT_EXPR.match(expr)
    if comparison:
        metric, op, threshold = comparison.group(1), comparison.group(2), float(comparison.group(3))
    elif absent:
        metric, op, threshold = absent.group(1), ABSENT, None
    else:
        raise ValueError(
            f"{where}: rule {name!r} has expr {expr.strip()!r}, which this engine cannot evaluate; it reads "
            f"'<metric> <op> <number>' with op one of {', '.join(OPS)} (e.g. 'credit_model_accuracy < 0.9') or "
            f"'absent(<metric>)'"
        )
    try:
        return Rule(name, metric, op, threshold, for_=entry.get("for", "0s"),
                    keep_firing_for=entry.get("keep_firing_for", "0s"), labels=entry.get("labels"),
                    annotations=entry.get("annotations"))
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


class RuleSet(dict):
    """``{alert name: Rule}`` in file order; looking up a name the file lacks raises ``KeyError`` listing the valid
    names."""

    def __missing__(self, name):
        raise KeyError(f"no alert named {name!r}; the rule file's alerts are: {', '.join(self)}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping, as promtool does (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"mapping key {key!r} already defined at line {seen[key] + 1}", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _read_rule_file(path: Path, where: str):
    """The parsed YAML of a rule file, or an error naming the file and what is wrong with it."""
    if path.is_dir():
        raise IsADirectoryError(f"rule file {path} is a folder: name a rule file in it, e.g. {COURSE_RULES.name}")
    if not path.is_file():
        raise FileNotFoundError(f"rule file {path} does not exist (the course's rules are in {COURSE_RULES.name})")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where} is not UTF-8 text (byte {error.start}: {error.reason}); rule files are YAML in "
                         f"UTF-8: save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f", line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = " ".join(filter(None, [error.context, error.problem]))
        raise ValueError(f"{where} is not valid YAML{line}: {problem}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"{where} is not valid YAML: {error}") from None


def load_rules(path: str | Path) -> RuleSet:
    """The alerting rules of a Prometheus rule file, as a ``RuleSet`` (``{alert name: Rule}``) in file order.

    The file has the form ``groups: [{name, interval, rules: [{alert, expr, for, keep_firing_for, labels,
    annotations}]}]``; each ``expr`` must be ``<metric> <op> <number>`` or ``absent(<metric>)``. Raises
    ``FileNotFoundError`` for a missing file, ``IsADirectoryError`` for a folder and ``ValueError`` naming the file,
    group, rule or field for anything else: not UTF-8, invalid YAML, a key written twice, two groups with one name, a
    missing field, an unsupported expression, a malformed duration, a repeated alert name.
    """
    path = Path(path)
    where = f"rule file {path.name}"
    document = _read_rule_file(path, where)
    if not isinstance(document, Mapping) or not isinstance(document.get("groups"), list) or not document["groups"]:
        raise ValueError(f"{where} must have a top-level 'groups:' list (Prometheus rule file format)")
    rules = RuleSet()
    groups: set[str] = set()
    for g, group in enumerate(document["groups"]):
        if not isinstance(group, Mapping) or not isinstance(group.get("name"), str):
            raise ValueError(f"{where}: group {g + 1} has no 'name'")
        name = group["name"]
        if name in groups:
            raise ValueError(f"{where}: group name {name!r} is repeated (group {g + 1}); promtool refuses it: "
                             f"give each group its own name")
        groups.add(name)
        if "interval" in group:
            parse_duration(group["interval"], f"{where}: interval of group {name!r}")
        if not isinstance(group.get("rules"), list):
            raise ValueError(f"{where}: group {name!r} has no 'rules' list")
        for i, entry in enumerate(group["rules"]):
            rule = _rule_from_yaml(entry, i, name, where)
            if rule.name in rules:
                raise ValueError(f"{where}: alert name {rule.name!r} appears twice; names must be unique here")
            rules[rule.name] = rule
    return rules


def course_rules() -> RuleSet:
    """The course's rules: ``load_rules(COURSE_RULES)`` (``monitoring/alerts.yml``)."""
    return load_rules(COURSE_RULES)
