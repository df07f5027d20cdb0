"""helpers.tracking fails fast and says why: an unreachable server, a store that cannot be opened, an experiment
held by another process; and its configuration is explicit (no import-time changes, no import-order trap)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from helpers import tracking
from helpers.paths import REPO_ROOT

# Not a performance figure: a bound that tells "fails at once" from MLflow's retries with backoff (minutes).
FAIL_FAST_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_server_fails_in_seconds_naming_the_uri_and_the_fixes(monkeypatch):
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # as a learner would, in the shell
    for attempt in range(2):  # and again: the second call must not retry for minutes either
        started = time.monotonic()
        with pytest.raises(tracking.StoreUnavailable) as caught:
            tracking.use_experiment("unreachable")
        elapsed = time.monotonic() - started
        assert elapsed < FAIL_FAST_SECONDS, f"attempt {attempt}: {elapsed:.1f} s"
    message = str(caught.value)
    assert f"no MLflow tracking server answers at {uri}" in message
    assert f"python -m course mlflow-ui --port {port}" in message  # how to start it
    assert "unset MLFLOW_TRACKING_URI" in message  # or how to use the course store instead


def test_a_port_that_answers_but_is_not_mlflow_is_named(tmp_path):
    # a real HTTP server on a free port that is not MLflow (Python's own file server)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        with pytest.raises(tracking.StoreUnavailable, match=rf"http://127\.0\.0\.1:{port} answers, but not as an "
                                                            r"MLflow server \(GET /health returned HTTP 404\)"):
            tracking.check_store(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.poll() is not None


def test_a_store_that_cannot_be_created_fails_at_once_twice(tmp_path, monkeypatch):
    # as root a read-only folder is still writable; a file where the store's folder should be fails for anyone
    blocker = tmp_path / "build-is-a-file"
    blocker.write_text("not a folder")
    db = blocker / "mlflow" / "mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking.sqlite_uri(db))
    for _ in range(2):  # MLflow alone: about 100 s of retries per call, then a sqlite error without the path
        started = time.monotonic()
        with pytest.raises(tracking.StoreUnavailable, match=r"cannot create the folder of the MLflow store .*"
                                                            r"build-is-a-file"):
            tracking.use_experiment("read-only")
        assert time.monotonic() - started < FAIL_FAST_SECONDS


def test_a_store_that_is_not_a_database_is_named(tmp_path):
    db = tmp_path / "mlflow.db"
    db.write_text("this is not a SQLite database, " * 100)
    with pytest.raises(tracking.StoreUnavailable, match=r"cannot open the MLflow store .*mlflow\.db"):
        tracking.check_store(tracking.sqlite_uri(db))


def test_connect_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    tracking.connect(tracking.sqlite_uri(tmp_path / "mlflow.db"))
    assert "MLFLOW_TRACKING_URI" not in os.environ and "MLFLOW_REGISTRY_URI" not in os.environ
    import mlflow

    assert mlflow.get_tracking_uri() == tracking.sqlite_uri(tmp_path / "mlflow.db")  # this process uses it
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///somewhere-else.db")
    tracking.connect(tracking.sqlite_uri(tmp_path / "mlflow.db"))
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///somewhere-else.db"


# MLflow leaves telemetry off when any of these is present (its own CI detection): a learner's laptop has none
_CI_VARIABLES = ("PYTEST_CURRENT_TEST", "GITHUB_ACTIONS", "CI", "CIRCLECI", "GITLAB_CI", "JENKINS_URL", "TRAVIS",
                 "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ARN", "BUILDKITE", "TEAMCITY_VERSION",
                 "CLOUD_RUN_EXECUTION", "DO_NOT_TRACK")


def _python(code: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and k not in _CI_VARIABLES}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def test_importing_tracking_changes_neither_environment_nor_warning_filters():
    result = _python(
        """
        import os, warnings
        import mlflow, pandas  # what tracking itself imports
        before = (dict(os.environ), list(warnings.filters))
        import helpers.tracking
        after = (dict(os.environ), list(warnings.filters))
        print(before == after)
        """
    )
    assert result.stdout.strip() == "True", result.stderr


def test_telemetry_is_off_whatever_the_import_order():
    # mlflow first, with no switch in the environment: its telemetry client exists until configure() drops it
    result = _python(
        """
        import os
        import mlflow
        from mlflow.telemetry.client import get_telemetry_client
        created = get_telemetry_client() is not None
        from helpers import tracking
        tracking.configure()
        tracking.configure()  # idempotent
        print(created, get_telemetry_client() is None, os.environ["MLFLOW_DISABLE_TELEMETRY"])
        """,
    )
    assert result.returncode == 0, result.stderr
    created, dropped, switch = result.stdout.split()
    assert created == "True", "the trap this guards against: mlflow imported first creates a telemetry client"
    assert dropped == "True" and switch == "true", result.stdout
    # with the switch in the environment first (the Makefile and the kernelspec set it), none is ever created
    result = _python(
        "import mlflow\nfrom mlflow.telemetry.client import get_telemetry_client\nprint(get_telemetry_client())",
        env={"MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    assert result.stdout.strip() == "None", result.stderr


def test_makefile_and_kernelspec_carry_the_telemetry_switch():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "export MLFLOW_DISABLE_TELEMETRY := true" in makefile
    assert "--env MLFLOW_DISABLE_TELEMETRY true" in makefile


# ------------------------------------------------------------------------------------------------ experiment locks
HOLDER = """
import sys, time
from helpers import tracking
tracking.use_experiment("held", fresh=True)
print("holding", flush=True)
time.sleep(120)
"""


def _hold(store_uri: str, notebook: str | None):
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    env["MLFLOW_TRACKING_URI"] = store_uri
    if notebook:
        env["JPY_SESSION_NAME"] = notebook  # what Jupyter's server sets for a notebook's kernel
    process = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if line.strip() != "holding":
        process.kill()
        pytest.fail(f"the holder did not start: {process.stderr.read()}")
    return process


def _stop(process):
    process.send_signal(signal.SIGTERM) if hasattr(signal, "SIGTERM") else process.terminate()
    process.wait(timeout=15)
    assert process.poll() is not None


@pytest.fixture()
def lock_store(monkeypatch, fresh_mlflow_uri):
    uri = fresh_mlflow_uri  # the store exists before two processes use it
    tracking.connect(uri)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    yield uri
    tracking.release_experiments()


def test_an_experiment_held_by_an_open_notebook_is_reported_at_once(lock_store):
    holder = _hold(lock_store, "notebooks/04_mlflow_tracking.ipynb")
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError) as caught:
            tracking.use_experiment("held", fresh=True, lock_timeout=300)
        assert time.monotonic() - started < FAIL_FAST_SECONDS  # not after lock_timeout: it would never end
        message = str(caught.value)
        assert f"process {holder.pid}" in message and "notebooks/04_mlflow_tracking.ipynb" in message
        assert "Shut Down Kernel" in message
    finally:
        _stop(holder)


def test_an_experiment_held_by_a_batch_run_is_waited_for_then_named(lock_store):
    holder = _hold(lock_store, None)
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=rf"process {holder.pid} .*waited 1 s.*kill {holder.pid}"):
            tracking.use_experiment("held", fresh=True, lock_timeout=1)
        assert time.monotonic() - started >= 1
    finally:
        _stop(holder)
    # once the holder has ended, the experiment is free
    tracking.use_experiment("held", fresh=True, lock_timeout=5)
    db = tracking.sqlite_path(lock_store)
    (owner_file,) = (db.parent / "locks").glob("held-*.owner.json")
    assert json.loads(owner_file.read_text())["pid"] == os.getpid()  # what the next process would be told
