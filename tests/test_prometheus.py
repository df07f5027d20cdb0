"""A real Prometheus evaluating the course's rules (``make prometheus``): the configuration passes promtool, the
rendered rules scale every duration and nothing else, the red flag goes pending then fires on the simulated days the
rule's semantics give, and Ctrl+C stops the command and Prometheus (checked by PID).

The expected days are worked out from the feed's values and Prometheus' rule semantics (GUIDE: pending at the first
evaluation where the condition holds, firing once ``for`` has passed: for ``for: 2d`` at daily evaluations, the third
consecutive day), never from the replay's own output.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

from course import prometheus as P
from course import servers
from helpers.paths import REPO_ROOT

SECONDS_PER_DAY = 0.5
START_DAY = 84
RED_FLAG = "DisparateImpactRedFlag"


def _promtool() -> str:
    if shutil.which("promtool") is None:
        pytest.skip(P.INSTALL_HINT)
    return shutil.which("promtool")


def _check_config(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_promtool(), "check", "config", str(path)], capture_output=True, text=True, timeout=60)


def test_promtool_accepts_the_course_configuration_and_its_rules():
    result = _check_config(P.COURSE_CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 7 rules found" in result.stdout + result.stderr  # it loaded alerts.yml through rule_files


def test_rendered_rules_scale_each_duration_and_keep_everything_else(tmp_path):
    config = P.render_config(1.0, 19109, out_dir=tmp_path)
    result = _check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr
    source = yaml.safe_load(P.COURSE_RULES.read_text())["groups"]
    rendered = yaml.safe_load((tmp_path / "rules.yml").read_text())["groups"]
    # by hand: a day is 1 s here, so 1d -> 1000 ms and 2d -> 2000 ms
    assert [g["interval"] for g in rendered] == ["1000ms", "1000ms"]
    red_flag = next(r for g in rendered for r in g["rules"] if r["alert"] == RED_FLAG)
    assert red_flag["for"] == "2000ms"
    for before, after in zip(source, rendered):
        for old, new in zip(before["rules"], after["rules"]):
            assert (old["expr"], old.get("labels")) == (new["expr"], new.get("labels"))
    settings = yaml.safe_load(config.read_text())
    assert settings["global"] == {"scrape_interval": "250ms", "evaluation_interval": "1000ms"}
    assert settings["scrape_configs"][0]["static_configs"] == [{"targets": ["127.0.0.1:19109"]}]


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "1", True, 5000])
def test_a_replay_speed_out_of_range_is_refused_by_name(bad, tmp_path):
    with pytest.raises(ValueError, match="seconds_per_day"):
        P.render_rules(bad, out_dir=tmp_path)


def test_without_prometheus_the_command_says_how_to_install_it(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no prometheus on PATH
    result = subprocess.run([sys.executable, "-m", "course", "prometheus"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0
    assert P.INSTALL_HINT in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------------------ a replay
def _expected_days(start: int) -> tuple[int, int]:
    """The first simulated day the red flag is pending and the first it fires, from the feed and the rule."""
    from course.dashboards import daily_monitoring

    rule = next(r for g in yaml.safe_load(P.COURSE_RULES.read_text())["groups"] for r in g["rules"]
                if r["alert"] == RED_FLAG)  # fmt: skip
    assert rule["expr"] == "credit_disparate_impact < 0.8" and rule["for"] == "2d"
    below = (daily_monitoring("proxy_bias", days=180)["fairness_ratio"] < 0.8).tolist()
    pending = next(d for d in range(start, len(below)) if below[d])
    firing = next(d for d in range(start + 2, len(below)) if below[d - 2] and below[d - 1] and below[d])
    return pending, firing


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _current_day(exporter: str) -> int | None:
    for line in _get(f"{exporter}/metrics").splitlines():
        if line.startswith(P.DAY_METRIC + " "):
            return int(float(line.split()[1]))
    return None


@pytest.mark.server
def test_the_red_flag_goes_pending_then_fires_on_the_days_the_rule_gives_and_ctrl_c_stops_all(tmp_path):
    if shutil.which("prometheus") is None:
        pytest.skip(P.INSTALL_HINT)
    port, exporter_port = servers.free_port(), servers.free_port()
    log = tmp_path / "prometheus.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "course", "prometheus", "--port", str(port), "--exporter-port", str(exporter_port),
         "--seconds-per-day", str(SECONDS_PER_DAY), "--start-day", str(START_DAY)],
        cwd=REPO_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    seen: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 240
        while "firing" not in seen and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            try:
                alerts = json.loads(_get(f"http://127.0.0.1:{port}/api/v1/alerts"))["data"]["alerts"]
                day = _current_day(f"http://127.0.0.1:{exporter_port}")
            except OSError:
                continue  # not up yet
            for alert in alerts:
                if alert["labels"]["alertname"] == RED_FLAG:
                    seen.setdefault(alert["state"], day)
        children = [p.pid for p in psutil.Process(process.pid).children(recursive=True)]
        assert any(psutil.Process(pid).name() == "prometheus" for pid in children)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    output = log.read_text()
    pending, firing = _expected_days(START_DAY)
    # one day of slack: an evaluation and the replay's clock are separate timers (see course.prometheus)
    assert pending <= seen.get("pending", -1) <= pending + 1, (seen, pending, output)
    assert firing <= seen.get("firing", -1) <= firing + 1, (seen, firing, output)
    assert "Traceback" not in output
    alive = [pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert not alive, f"left running: {alive}"


@pytest.mark.parametrize("which", ["--port", "--exporter-port"])
def test_a_busy_port_is_refused_at_once_with_the_fix(which):
    import socket

    if shutil.which("prometheus") is None:
        pytest.skip(P.INSTALL_HINT)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "course", "prometheus", which, str(busy)], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert f"port {busy} is in use: choose another with {which} {busy + 1}" in result.stderr
    assert "Traceback" not in result.stderr and "preparing" not in result.stdout  # refused before any work
