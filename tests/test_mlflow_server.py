"""A real ``mlflow server`` on 127.0.0.1: notebook 04 logs to it, and the REST API shows what it logged.

Also: two notebooks logging to the same SQLite store at the same time both finish (SQLite locking is the usual
failure). The server is stopped by its PID in the fixture's teardown, also when a test fails.
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

import nbformat
import pytest
from mlflow.tracking import MlflowClient

from course.notebooks import NOTEBOOK_DIR, SOLUTION_DIR, describe_failure, execute
from helpers import tracking

pytestmark = pytest.mark.server

NOTEBOOK = NOTEBOOK_DIR / "04_mlflow_tracking.ipynb"
EXERCISE = SOLUTION_DIR / "ex04_mlflow_tracking.ipynb"
EXPERIMENT = "credit-monitoring"  # what notebook 04 logs to
MODEL = "credit-scoring"  # what notebook 04 registers
NOTEBOOK_TRY_IT = {"retrain_every": 15}  # notebook 04's "Try it" knob (its recap names it)
STARTUP_SECONDS = 120
MIN_DAYS = 91  # the notebook's histories cover 90+ simulated days


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, endpoint: str, **params) -> dict:
    url = f"{base}/api/2.0/mlflow/{endpoint}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def post(base: str, endpoint: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/api/2.0/mlflow/{endpoint}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def stop(process: subprocess.Popen) -> None:
    """Stop the server by its PID (its process group: the server and its worker), then reap it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@pytest.fixture()
def mlflow_server(tmp_path):
    """``mlflow server`` (1 worker) on a free port with a temporary SQLite store; yields its base URL."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    command = tracking.server_command(tracking.sqlite_uri(tmp_path / "mlflow.db"), tmp_path / "artifacts", port=port)
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"mlflow server exited with {process.returncode}:\n{_tail(tmp_path / 'server.log')}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not healthy after {STARTUP_SECONDS} s:\n{_tail(tmp_path / 'server.log')}")
            time.sleep(0.5)
        yield base
    finally:
        stop(process)
        log.close()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _execute(path: Path, out: Path) -> None:
    try:
        execute(path, out, {"fast": True})
    except Exception as error:
        pytest.fail(f"{path.name}: {describe_failure(error)}", pytrace=False)
    assert not _stderr(out), f"{path.name} wrote to stderr: {_stderr(out)}"


def _stderr(executed: Path) -> list[str]:
    """The stderr outputs of an executed notebook (MLflow must stay quiet against a server too)."""
    nb = nbformat.read(executed, as_version=4)
    return [o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]


def test_notebook_04_logs_histories_datasets_and_aliases_to_a_real_server(mlflow_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)  # papermill's kernel inherits the environment
    _execute(NOTEBOOK, tmp_path / NOTEBOOK.name)

    experiment = get(mlflow_server, "experiments/get-by-name", experiment_name=EXPERIMENT)["experiment"]
    runs = post(mlflow_server, "runs/search", {"experiment_ids": [experiment["experiment_id"]], "max_results": 1000})
    runs = runs.get("runs", [])
    assert runs, "the experiment has no runs"

    # the monitoring history: one accuracy and one fairness_ratio point per simulated day, 90+ days
    histories = {}
    for run in runs:
        for key in ("accuracy", "fairness_ratio"):
            points = get(mlflow_server, "metrics/get-history", run_id=run["info"]["run_id"], metric_key=key)
            if len(points.get("metrics", [])) > 1:
                histories.setdefault(key, []).append(points["metrics"])
    for key in ("accuracy", "fairness_ratio"):
        assert histories.get(key), f"no run has a daily history of {key!r}"
        points = sorted(max(histories[key], key=len), key=lambda p: int(p.get("step", 0)))
        steps = [int(p.get("step", 0)) for p in points]
        assert len(points) >= MIN_DAYS, f"{key}: {len(points)} points"
        assert steps == list(range(steps[0], steps[0] + len(points))), f"{key}: days missing from the history"
        stamps = [int(p["timestamp"]) for p in points]
        assert {b - a for a, b in zip(stamps, stamps[1:])} == {86_400_000}, f"{key}: timestamps are not daily"

    # versioned data: runs record their training data as dataset inputs with a digest
    inputs = [
        (item["dataset"], {t["key"]: t["value"] for t in item.get("tags", [])})
        for run in runs
        for item in run.get("inputs", {}).get("dataset_inputs", [])
    ]
    training = [d for d, tags in inputs if tags.get("mlflow.data.context") == "training"]
    assert len(training) >= 2, inputs
    assert all(d["digest"] and d["name"] for d in training)
    assert len({d["digest"] for d in training}) >= 2, "every retraining run saw the same data"

    # the registry: champion and challenger aliases on two different versions
    model = get(mlflow_server, "registered-models/get", name=MODEL)["registered_model"]
    aliases = {a["alias"]: a["version"] for a in model.get("aliases", [])}
    assert {"champion", "challenger"} <= set(aliases), aliases
    assert aliases["champion"] != aliases["challenger"]


def test_two_notebooks_log_to_one_sqlite_store_at_the_same_time(tmp_path):
    """Notebook 04 and the ex04 solution, started together, both log to the same SQLite file and both finish.

    Notebook 04 runs with its "Try it" knobs, as a learner runs them (a false claim is a note): this run is also 04's
    Try-it test (``tests/test_try_it.py`` lists the other notebooks'), so that ``make test`` runs 04 once less."""
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking.sqlite_uri(tmp_path / "store" / "mlflow.db")}
    script = (
        "import sys, json; from pathlib import Path; from course.notebooks import execute; "
        "execute(Path(sys.argv[1]), Path(sys.argv[2]), {'fast': True, **json.loads(sys.argv[3])}, "
        "strict_claims=sys.argv[3] == '{}')"
    )
    processes = {}
    for path, knobs in ((NOTEBOOK, NOTEBOOK_TRY_IT), (EXERCISE, {})):
        log = (tmp_path / f"{path.stem}.log").open("w")
        command = [sys.executable, "-c", script, str(path), str(tmp_path / path.name), json.dumps(knobs)]
        processes[path.name] = (subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT), log)
    try:
        codes = {name: p.wait(timeout=900) for name, (p, _) in processes.items()}
    finally:
        for process, log in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
    failed = {name: _tail(tmp_path / f"{Path(name).stem}.log") for name, code in codes.items() if code != 0}
    assert not failed, failed
    for path in (NOTEBOOK, EXERCISE):
        assert not _stderr(tmp_path / path.name), f"{path.name} wrote to stderr: {_stderr(tmp_path / path.name)}"

    client = MlflowClient(tracking_uri=env["MLFLOW_TRACKING_URI"])
    experiments = {e.name for e in client.search_experiments()}
    assert EXPERIMENT in experiments and len(experiments - {"Default"}) >= 2, experiments
