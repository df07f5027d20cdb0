"""The course's rule files in Prometheus' own rule engine (promtool), and the engine of helpers.alerts against it.

* ``promtool check rules`` and ``promtool test rules`` on monitoring/ (skipped, saying how to install promtool, when
  it is not on PATH; .ci/run installs it).
* Parity: every input series of the promtool test files is expanded from promtool's notation, fed to
  ``helpers.alerts.evaluate`` on promtool's evaluation grid, and the alerts firing at each ``eval_time`` must be
  exactly the ``exp_alerts`` that promtool checks (and passes) on the same series.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.alerts import ABSENT, FIRING, course_rules, evaluate, load_rules, parse_duration
from helpers.paths import REPO_ROOT

MONITORING = REPO_ROOT / "monitoring"
RULE_FILES = [MONITORING / "alerts.yml", MONITORING / "tests" / "semantics.yml"]
TEST_FILES = [MONITORING / "alerts_test.yml", MONITORING / "tests" / "semantics_test.yml"]
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="install Debian's prometheus package (apt-get install prometheus) for promtool"
)
#: Prometheus' default lookback: an instant query at t sees the latest sample in the 5 minutes up to t.
LOOKBACK = pd.Timedelta(minutes=5)
STALE = "stale"
_EPOCH = pd.Timestamp(0)


# ----------------------------------------------------------------------------------------------------------------
# promtool's input notation
# ----------------------------------------------------------------------------------------------------------------
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_EXPANDING = re.compile(rf"^({_NUMBER})(?:([+-])({_NUMBER}))?x(\d+)$")


def expand_values(text: str) -> list:
    """promtool's ``values`` notation as a list: numbers, None for ``_`` (no sample), STALE for ``stale``.

    ``a+bxN`` is a, a+b, ..., a+N*b (N+1 values), ``a-bxN`` likewise downwards, ``axN`` is a repeated N+1 times,
    ``_xN`` is N missing samples (N, not N+1, as in promtool's docs)."""
    values: list = []
    for token in str(text).split():
        if token == "_":
            values.append(None)
        elif token == STALE:
            values.append(STALE)
        elif re.fullmatch(r"_x\d+", token):
            values.extend([None] * int(token[2:]))
        elif match := _EXPANDING.match(token):
            start, sign, step, times = match.groups()
            increment = (float(step) if step else 0.0) * (-1 if sign == "-" else 1)
            values.extend(float(start) + k * increment for k in range(int(times) + 1))
        else:
            values.append(float(token))
    return values


def parse_series(text: str) -> tuple[str, dict[str, str]]:
    """``name{a="b", c="d"}`` -> ("name", {"a": "b", "c": "d"})."""
    match = re.fullmatch(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*", text)
    assert match, f"cannot read series {text!r}"
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"', match.group(2) or ""))
    return match.group(1), labels


def test_expand_values_follows_promtools_notation():
    # worked out from promtool's documentation of the expanding notation
    assert expand_values("1+2x3") == [1, 3, 5, 7]
    assert expand_values("5-1x2") == [5, 4, 3]
    assert expand_values("0x2 _ stale 0.5") == [0, 0, 0, None, STALE, 0.5]
    assert expand_values("_x3 1") == [None, None, None, 1]
    assert expand_values("-1+1x2") == [-1, 0, 1]
    assert parse_series('m{feature="income", b="x y"}') == ("m", {"feature": "income", "b": "x y"})
    assert parse_series("m") == ("m", {})


def sample_at(samples: list, interval: pd.Timedelta, now: pd.Timedelta) -> float:
    """What an instant query at ``now`` sees of one series: its latest sample within the lookback (NaN if none, or if
    that sample is a staleness marker)."""
    latest = None
    for k, value in enumerate(samples):
        if value is not None and now - LOOKBACK <= k * interval <= now:
            latest = value
    return np.nan if latest is None or latest == STALE else float(latest)


def engine_verdicts(test_file: Path):
    """For every alert_rule_test of ``test_file``: (test group, alert, eval_time, firing label sets by the engine,
    label sets promtool expects)."""
    spec = yaml.safe_load(test_file.read_text())
    rules = {}
    for rule_file in spec["rule_files"]:
        rules.update(load_rules(test_file.parent / rule_file))
    evaluation_interval = parse_duration(spec.get("evaluation_interval", "1m"))
    for group in spec["tests"]:
        interval = parse_duration(group.get("interval", spec.get("evaluation_interval", "1m")))
        series = [(*parse_series(s["series"]), expand_values(s["values"])) for s in group["input_series"]]
        cases = group.get("alert_rule_test", [])
        last = max(parse_duration(case["eval_time"]) for case in cases)
        grid = [k * evaluation_interval for k in range(int(last / evaluation_interval) + 1)]
        times = pd.DatetimeIndex([_EPOCH + t for t in grid])
        for case in cases:
            rule = rules[case["alertname"]]
            eval_time = parse_duration(case["eval_time"])
            # promtool checks the alerts of the last evaluation at or before eval_time
            position = max(i for i, t in enumerate(grid) if t <= eval_time)
            of_metric = [(labels, samples) for name, labels, samples in series if name == rule.metric]
            if rule.op == ABSENT:
                seen = [[sample_at(samples, interval, t) for t in grid] for _, samples in of_metric]
                values = [np.nan if all(math.isnan(v[i]) for v in seen) else 1.0 for i in range(len(grid))]
                candidates = [({}, pd.Series(values, index=times))]
            else:
                candidates = [(labels, pd.Series([sample_at(samples, interval, t) for t in grid], index=times))
                              for labels, samples in of_metric]
            firing = {
                frozenset({**labels, **rule.labels}.items())
                for labels, values in candidates
                if evaluate(rule, values)["state"].iloc[position] == FIRING
            }
            expected = {frozenset((alert.get("exp_labels") or {}).items()) for alert in case.get("exp_alerts") or []}
            yield group.get("name", ""), rule.name, case["eval_time"], firing, expected


@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda p: p.name)
def test_the_engine_fires_exactly_where_promtool_does(test_file):
    verdicts = list(engine_verdicts(test_file))
    assert verdicts, f"{test_file.name} has no alert_rule_test"
    mismatches = [v for v in verdicts if v[3] != v[4]]
    assert not mismatches, "\n".join(
        f"{group}: {alert} at {when}: engine fires {sorted(map(dict, got), key=str)}, "
        f"promtool expects {sorted(map(dict, want), key=str)}"
        for group, alert, when, got, want in mismatches
    )
    # the boundary cases are there: some evaluations fire, some do not
    assert any(v[4] for v in verdicts) and any(not v[4] for v in verdicts)


def test_every_course_rule_is_tested_in_promtool():
    spec = yaml.safe_load((MONITORING / "alerts_test.yml").read_text())
    tested = {case["alertname"] for group in spec["tests"] for case in group.get("alert_rule_test", [])}
    fired = {case["alertname"] for group in spec["tests"] for case in group.get("alert_rule_test", [])
             if case.get("exp_alerts")}
    assert set(course_rules()) == tested == fired


def test_keep_firing_for_is_tested_in_promtool():
    rules = load_rules(MONITORING / "tests" / "semantics.yml")
    assert any(rule.keep_firing_for > pd.Timedelta(0) for rule in rules.values())


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)


@needs_promtool
@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(rule_file):
    result = promtool("check", "rules", str(rule_file.relative_to(REPO_ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda p: p.name)
def test_promtool_test_rules(test_file):
    result = promtool("test", "rules", str(test_file.relative_to(REPO_ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_promtool_fails_a_wrong_expectation(tmp_path):
    # The red flag cannot fire a day earlier: promtool must fail a test file that says it does.
    (tmp_path / "alerts.yml").write_text((MONITORING / "alerts.yml").read_text())
    wrong = (MONITORING / "alerts_test.yml").read_text().replace(
        "- {alertname: DisparateImpactRedFlag, eval_time: 14d, exp_alerts: [*red_flag]}",
        "- {alertname: DisparateImpactRedFlag, eval_time: 13d, exp_alerts: [*red_flag]}",
    )
    assert wrong != (MONITORING / "alerts_test.yml").read_text()
    (tmp_path / "alerts_test.yml").write_text(wrong)
    result = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert result.returncode != 0 and "DisparateImpactRedFlag, time: 13d" in result.stdout + result.stderr


# ------------------------------------------------------------------------------- rule files refused as promtool does
_VALID = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 0.9\n"
_REFUSED = {
    # PyYAML keeps the last of two keys; promtool: 'mapping key "for" already defined at line 6'
    "duplicate_key": ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m < 0.9\n        for: 1d\n"
                      "        for: 2d\n", r"line 7.*'for' already defined at line 6"),
    # promtool: 'groupname: "g" is repeated in the same file'
    "repeated_group": (_VALID + "  - name: g\n    rules:\n      - alert: B\n        expr: m < 0.9\n",
                       r"group name 'g' is repeated"),
}


@needs_promtool
@pytest.mark.parametrize("case", sorted(_REFUSED))
def test_a_rule_file_promtool_refuses_is_refused_naming_the_file_and_place(case, tmp_path):
    text, pattern = _REFUSED[case]
    path = tmp_path / f"{case}.yml"
    path.write_text(text)
    checked = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 1, checked.stdout  # the real promtool refuses it ...
    with pytest.raises(ValueError, match=rf"rule file {case}\.yml.*{pattern}"):  # ... and so does load_rules
        load_rules(path)


@needs_promtool
def test_the_valid_twin_loads_in_both(tmp_path):
    path = tmp_path / "valid.yml"
    path.write_text(_VALID)
    assert subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, check=False).returncode == 0
    assert list(load_rules(path)) == ["A"]
