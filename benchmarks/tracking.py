"""Figures for tracking (issue 5): notebook 04's run time, the cost of logging a model, and the real-server test.

Run with ``make bench`` (all benchmarks) or ``python -m course bench tracking``. Prints, does not assert.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")

from course.notebooks import NOTEBOOK_DIR, execute  # noqa: E402
from helpers import tracking  # noqa: E402
from helpers.paths import BUILD_DIR, REPO_ROOT  # noqa: E402

NOTEBOOK = NOTEBOOK_DIR / "04_mlflow_tracking.ipynb"


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<68} {seconds:6.1f} s", flush=True)
    return seconds


def notebook(fast: bool) -> None:
    execute(NOTEBOOK, BUILD_DIR / "bench" / f"04_mlflow_tracking{'_fast' if fast else ''}.ipynb", {"fast": fast})


def model_logging(folder: Path) -> None:
    """One model logged with explicit pip requirements, one with MLflow inferring them."""
    import mlflow

    from helpers.models import train_baseline
    from helpers.world import simulate_applications

    os.environ["MLFLOW_TRACKING_URI"] = tracking.sqlite_uri(folder / "mlflow.db")
    try:
        tracking.use_experiment("bench")
        data = simulate_applications(days=30, per_day=200)
        model = train_baseline(data)
        with tracking.start_run("explicit"):
            timed("log_model, explicit pip requirements (course helper)", lambda: tracking.log_model(model))
        with tracking.start_run("inferred"):
            timed("log_model, requirements inferred by MLflow", lambda: mlflow.sklearn.log_model(model, name="model"))
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI", None)


def server_startup(folder: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = tracking.server_command(tracking.sqlite_uri(folder / "server.db"), folder / "artifacts", port=port)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:

        def wait_healthy():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                        return
                except OSError:
                    time.sleep(0.25)
            raise TimeoutError("server not healthy after 120 s")

        timed("mlflow server --workers 1: start until /health answers", wait_healthy)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def server_test() -> None:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/test_mlflow_server.py"]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-2000:])


def main() -> None:
    print(f"{'figure':<68} {'time':>8}")
    timed("notebook 04, as committed (fast=False), papermill", lambda: notebook(False))
    timed("notebook 04, fast=True (what the tests run)", lambda: notebook(True))
    with tempfile.TemporaryDirectory() as folder:
        model_logging(Path(folder))
        server_startup(Path(folder))
    timed("tests/test_mlflow_server.py (server + 04; 04 || ex04 on one SQLite)", server_test)
    print("Times include kernel start-up and imports (mlflow, evidently, aif360); they vary with machine load.")


if __name__ == "__main__":
    main()
