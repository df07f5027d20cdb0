"""The course's server commands, for real: a busy port is refused at once with the fix, ``--port`` is honoured, a
server that does not come up is an error, and no process a command started survives it, however it is stopped.

Every server here is real, on 127.0.0.1 at a free port; "no process survives" is checked by PID: the command's
descendants are listed (psutil) while it runs, and each of those PIDs must be gone after it stops.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from course import dashboards, servers
from helpers.paths import REPO_ROOT
from helpers.workspace import PROJECT_NAME

pytestmark = pytest.mark.server

START_SECONDS = 240  # a loaded 2-core machine can take a minute to start an MLflow server


# ------------------------------------------------------------------------------------------------ helpers
def _command(name: str, *args: str, env: dict | None = None, log: Path) -> subprocess.Popen:
    """``python -m course NAME ARGS`` with SIGINT at its default (a test runner may have started us ignoring it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "course", name, *args],
        cwd=REPO_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(log: Path, text: str, process: subprocess.Popen, seconds: float = START_SECONDS) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace")
        if text in content:
            return content
        if process.poll() is not None:
            pytest.fail(f"the command exited with {process.returncode} before printing {text!r}:\n{content}")
        time.sleep(0.5)
    pytest.fail(f"no {text!r} within {seconds} s:\n{log.read_text(errors='replace')}")


def _descendants(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def _stop_and_check(process: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the command; it must exit 0 and take every descendant with it (checked by PID)."""
    pids = _descendants(process.pid)
    if process.poll() is not None:
        return  # it had ended already: the test's own assertion says why
    assert pids, "the command started no child process"
    process.send_signal(signum)
    try:
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:  # a failing test must not leave the command behind either
            servers.stop(process)
    survivors = _alive(pids)
    for pid in survivors:  # clean up before failing
        psutil.Process(pid).kill()
    assert code == 0
    assert not survivors, f"processes left running after {signal.Signals(signum).name}: {survivors}"


@pytest.fixture()
def store_env(tmp_path):
    """Point the commands at a temporary MLflow store (never the course's own)."""
    return {"MLFLOW_TRACKING_URI": "sqlite:///" + (tmp_path / "store" / "mlflow.db").as_posix()}


@pytest.fixture()
def busy_port():
    """A port on 127.0.0.1 where something listens (as AirPlay listens on 5000 on a Mac)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


# ------------------------------------------------------------------------------------------------ the machinery
def test_busy_port_message_names_the_port_the_owner_and_the_fix():
    assert servers.busy_port_message(5000, "MLflow server") == (
        "port 5000 is in use (macOS uses it for AirPlay): choose another with --port 5001 "
        "(the MLflow server was not started)"
    )


@pytest.mark.parametrize("port, message", [(80, "port 80 is out of range"), (70000, "port 70000 is out of range"),
                                           ("abc", "port must be a whole number.*'abc'"), (None, "None")])  # fmt: skip
def test_bad_ports_are_named(port, message):
    with pytest.raises(ValueError, match=message):
        servers.check_port(port)


def test_start_reports_a_server_that_exits_with_its_code_and_log(tmp_path):
    script = "import sys; print('cannot open the store'); sys.exit(3)"
    with pytest.raises(servers.ServerError, match=r"exited with code 3(.|\n)*cannot open the store"):
        servers.start("test server", [sys.executable, "-c", script], servers.free_port(), log_path=tmp_path / "s.log")


def test_start_stops_a_server_that_never_answers(tmp_path):
    pid_file = tmp_path / "pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
    with pytest.raises(servers.ServerError, match=r"did not answer .* within 3 s"):
        servers.start("silent server", [sys.executable, "-c", script], servers.free_port(), timeout=3,
                      log_path=tmp_path / "s.log")  # fmt: skip
    assert not _alive([int(pid_file.read_text())])


def test_stop_ends_children_that_left_the_process_group(tmp_path):
    """A grandchild in its own session (as Jupyter starts kernels) gets no group signal: stop finds it by PID."""
    pid_file = tmp_path / "pid"
    grandchild = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
    parent = (
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}], start_new_session=True); time.sleep(600)"
    )
    process = subprocess.Popen([sys.executable, "-c", parent], start_new_session=True)
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    pids = [process.pid, int(pid_file.read_text())]
    servers.stop(process, timeout=5)
    assert not _alive(pids)


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is a Linux feature")
def test_a_server_does_not_outlive_a_command_killed_with_sigkill(tmp_path):
    """SIGKILL gives the command no chance to clean up; the server it started must end anyway."""
    port, pid_file = servers.free_port(), tmp_path / "pid"
    script = (
        "import sys, time; from course import servers; "
        f"s = servers.start('http server', [sys.executable, '-m', 'http.server', '{port}', '--bind', '127.0.0.1'], "
        f"{port}, log_path={str(tmp_path / 'http.log')!r}); open({str(pid_file)!r}, 'w').write(str(s.pid)); "
        "time.sleep(600)"
    )
    command = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT)
    server_pid = None
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (pid_file.exists() and pid_file.read_text()):
            assert command.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        server_pid = int(pid_file.read_text())
        command.kill()
        command.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive([server_pid]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive([server_pid]), "the server outlived the command"
    finally:
        if command.poll() is None:
            command.kill()
        for pid in _alive([server_pid] if server_pid else []):  # a failing run leaves nothing behind either
            psutil.Process(pid).kill()


# ------------------------------------------------------------------------------------------------ the commands
@pytest.mark.parametrize("command", ["mlflow-ui", "dashboard", "lab", "live"])
def test_a_busy_port_exits_non_zero_at_once_with_the_fix(command, busy_port, store_env, tmp_path):
    extra = ["--workspace", str(_workspace(tmp_path))] if command == "dashboard" else []
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "course", command, "--port", str(busy_port), *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **store_env},
    )  # fmt: skip
    seconds = time.monotonic() - started
    print(f"{command}: busy port {busy_port} refused after {seconds:.1f} s")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"port {busy_port} is in use: choose another with --port {busy_port + 1}" in result.stderr
    assert seconds < 30  # the bound (the exit itself takes well under a second plus Python's start-up)


@pytest.mark.parametrize("port", ["80", "70000", "http"])
def test_a_bad_port_is_named_and_nothing_starts(port):
    result = subprocess.run([sys.executable, "-m", "course", "mlflow-ui", "--port", port], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert port in result.stderr and "1024 to 65535" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [(["--scenario", "recession"], "unknown scenario 'recession'; choose one of: stable"),
     (["--days", "1"], "days must be a whole number of at least 2"),
     (["--interval", "0"], "interval must be a positive number of seconds, got 0.0")],
)  # fmt: skip
def test_live_names_a_bad_argument_before_starting_anything(args, message):
    port = servers.free_port()
    result = subprocess.run([sys.executable, "-m", "course", "live", "--port", str(port), *args], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
    assert not servers.port_in_use(port)


def test_dashboard_without_a_workspace_says_how_to_make_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "course", "dashboard", "--workspace", str(tmp_path / "none")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no Evidently workspace" in result.stderr and "none" in result.stderr and "notebook" in result.stderr


def _workspace(tmp_path: Path) -> Path:
    """A workspace with one project and one weekly snapshot."""
    import numpy as np
    import pandas as pd

    from helpers import workspace

    path = tmp_path / "workspace"
    if not path.exists():
        rng = np.random.default_rng(0)
        frames = pd.DataFrame({"date": np.repeat(pd.date_range("2024-01-01", periods=7), 50),
                               "income": rng.normal(50, 10, 350)})  # fmt: skip
        reference = pd.DataFrame({"income": rng.normal(50, 10, 350)})
        ws, project = workspace.open_project(path=path)
        workspace.add_weekly_snapshots(ws, project, frames, reference, ["income"])
    return path


def test_mlflow_ui_honours_port_and_sigint_stops_every_child(store_env, tmp_path):
    port = servers.free_port()
    log = tmp_path / "mlflow-ui.log"
    process = _command("mlflow-ui", "--port", str(port), env=store_env, log=log)
    try:
        shown = _wait_for(log, "runs:", process)
        # the address printed opens MLflow's "Model training" view (the experiments list), not its GenAI view
        assert f"http://127.0.0.1:{port}/#/experiments?workflowType=machine_learning" in shown
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            assert response.status == 200
        (server,) = [psutil.Process(pid) for pid in _descendants(process.pid)
                     if "server" in psutil.Process(pid).cmdline()][:1]  # fmt: skip
        # no job runner and its workers (10 processes, 2.4 GB): the course needs no server jobs
        assert server.environ().get("MLFLOW_SERVER_ENABLE_JOB_EXECUTION") == "false"
        assert len(_descendants(process.pid)) <= 3, [psutil.Process(p).cmdline()[:4] for p in _descendants(process.pid)]
        print(shown.strip())
    finally:
        _stop_and_check(process, signal.SIGINT)


def test_dashboard_serves_the_workspace_with_do_not_track_and_sigterm_stops_it(tmp_path):
    port = servers.free_port()
    log = tmp_path / "dashboard.log"
    process = _command("dashboard", "--port", str(port), "--workspace", str(_workspace(tmp_path)), log=log)
    try:
        print(_wait_for(log, "up at", process).strip())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/projects", timeout=10) as response:
            assert [p["name"] for p in json.load(response)] == [PROJECT_NAME]
        (ui,) = [psutil.Process(pid) for pid in _descendants(process.pid) if "evidently.cli" in " ".join(
            psutil.Process(pid).cmdline())]  # fmt: skip
        assert ui.environ().get("DO_NOT_TRACK") == "1"
        assert ui.cmdline()[ui.cmdline().index("--port") + 1] == str(port)
    finally:
        _stop_and_check(process, signal.SIGTERM)


def test_live_logs_days_a_real_server_returns_and_ctrl_c_stops_the_server_it_started(store_env, tmp_path):
    port = servers.free_port()
    log = tmp_path / "live.log"
    days = 6
    process = _command("live", "--port", str(port), "--days", str(days), "--interval", "0.5", env=store_env, log=log)
    try:
        content = _wait_for(log, f"all {days} days logged", process)
        base = f"http://127.0.0.1:{port}"
        experiment = _get(base, "experiments/get-by-name", experiment_name="live-dashboard")["experiment"]
        (run,) = _post(base, "runs/search", {"experiment_ids": [experiment["experiment_id"]]})["runs"]
        assert run["info"]["status"] == "FINISHED"
        last_line = next(line for line in content.splitlines() if line.startswith(f"day {days - 1:3d}"))
        feed = dashboards.daily_monitoring("proxy_bias", days=days)  # what live plays back
        for key in dashboards.LIVE_METRICS:
            # a day logs a point only when the value is known that evening: no accuracy before outcomes are on record
            known = [day for day, value in enumerate(feed[key]) if value == value]
            points = _get(base, "metrics/get-history", run_id=run["info"]["run_id"], metric_key=key).get("metrics", [])
            assert sorted(int(p.get("step", 0)) for p in points) == known, key
            assert all(0.0 <= p["value"] <= 1.5 for p in points), key
            if known and known[-1] == days - 1:
                last = max(points, key=lambda p: int(p.get("step", 0)))["value"]
                assert f"{key} {last:.3f}" in last_line, (key, last_line)  # the terminal showed what the server holds
        assert not feed["accuracy"].notna().any(), "six days in, no loan's outcome is on record yet"
        stamps = sorted(int(p["timestamp"]) for p in _get(base, "metrics/get-history", run_id=run["info"]["run_id"],
                                                           metric_key="fairness_ratio")["metrics"])  # fmt: skip
        gaps = [(b - a) / 1000 for a, b in zip(stamps, stamps[1:])]
        print(f"live: {len(stamps)} days, {(len(stamps) - 1) / sum(gaps):.2f} days per second (interval 0.5 s)")
        assert min(gaps) >= 0.45, gaps  # one day per interval, never a burst
    finally:
        _stop_and_check(process, signal.SIGINT)


def _get(base: str, endpoint: str, **params) -> dict:
    url = f"{base}/api/2.0/mlflow/{endpoint}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _post(base: str, endpoint: str, body: dict) -> dict:
    request = urllib.request.Request(f"{base}/api/2.0/mlflow/{endpoint}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_lab_serves_with_its_token_and_sigterm_stops_it_and_its_kernels(tmp_path):
    """JupyterLab starts kernels in their own sessions; after SIGTERM to ``helpers lab`` none may survive."""
    port = servers.free_port()
    log = tmp_path / "lab.log"
    process = _command("lab", "--port", str(port), env={"JUPYTER_TOKEN": "course-test-token"}, log=log)
    try:
        shown = _wait_for(log, "up at", process)
        assert f"http://127.0.0.1:{port}/lab?token=course-test-token" in shown
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", data=b"{}", method="POST",
                                         headers={"Authorization": "token course-test-token"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 201
        deadline = time.monotonic() + START_SECONDS
        while not any("ipykernel" in " ".join(psutil.Process(p).cmdline()) for p in _descendants(process.pid)):
            assert time.monotonic() < deadline, "no kernel process appeared"
            time.sleep(0.5)
        unauthorised = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels")
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(unauthorised, timeout=30)
    finally:
        _stop_and_check(process, signal.SIGTERM)


def test_a_damaged_workspace_is_one_clear_line_not_a_server_that_answers_500(tmp_path):
    """A snapshot file cut short (an interrupted write): make dashboard names the file and the fix, starts nothing."""
    path = _workspace(tmp_path)
    (snapshot,) = list(path.glob("*/snapshots/*.json"))[:1]
    snapshot.write_text(snapshot.read_text()[:100])
    port = servers.free_port()
    result = subprocess.run([sys.executable, "-m", "course", "dashboard", "--workspace", str(path), "--port",
                             str(port)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is damaged" in lines[0] and snapshot.name in lines[0], result.stderr
    assert "make notebooks ONLY=07" in lines[0] and "Traceback" not in result.stderr
    assert not servers.port_in_use(port)
