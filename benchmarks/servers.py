"""Figures for the server commands: start to health for each server, a busy port's exit time, the live logging rate.

Run with ``make bench`` (all benchmarks) or ``python -m course bench servers``. Prints, does not assert.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

os.environ.setdefault("PYTHONHASHSEED", "0")

from course import dashboards, servers  # noqa: E402
from helpers.paths import REPO_ROOT  # noqa: E402


def started(label: str, server: servers.Server) -> servers.Server:
    print(f"{label:<60} {server.started_seconds:6.1f} s from start to a healthy answer", flush=True)
    return server


def busy_port_exit() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        for command in ("mlflow-ui", "live"):
            begin = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "course", command, "--port", str(port)], cwd=REPO_ROOT,
                                    capture_output=True, text=True)  # fmt: skip
            seconds = time.perf_counter() - begin
            print(f"{'python -m course ' + command + ' on a busy port: exit ' + str(result.returncode):<60} "
                  f"{seconds:6.1f} s", flush=True)  # fmt: skip


def live_rate(folder: Path) -> None:
    server = started("mlflow server (live's store)", dashboards.start_mlflow(
        servers.free_port(), store_uri="sqlite:///" + (folder / "live.db").as_posix()))  # fmt: skip
    try:
        lines: list[str] = []
        days = 8
        dashboards.run_live(server.port, interval=1.0, days=days, out=lines.append)
        run_url = next(line for line in lines if line.startswith("open ")).split()[1]
        run_id = run_url.replace(dashboards.RUNS_VIEW, "").rsplit("/", 1)[-1]
        query = urllib.parse.urlencode({"run_id": run_id, "metric_key": "accuracy"})
        with urllib.request.urlopen(f"{server.url}/api/2.0/mlflow/metrics/get-history?{query}") as response:
            stamps = sorted(int(p["timestamp"]) for p in json.load(response)["metrics"])
        rate = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)
        print(f"{'live logging rate (interval 1 s, read back over REST)':<60} {rate:6.2f} days per second")
    finally:
        servers.stop_all([server])


def processes(label: str, server: servers.Server) -> None:
    """How many processes a server runs and their resident memory (MLflow's job runner alone is 8 processes)."""
    import psutil

    family = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    rss = sum(p.memory_info().rss for p in family) / 2**20
    print(f"{label + ': processes, resident memory':<60} {len(family):6d}  {rss:8.0f} MiB", flush=True)


def prometheus_start(folder: Path) -> None:
    import shutil

    from course import prometheus

    if shutil.which("prometheus") is None:
        print(f"prometheus: skipped ({prometheus.INSTALL_HINT})")
        return
    config = prometheus.render_config(1.0, servers.free_port(), out_dir=folder / "prometheus")
    server = prometheus.start_prometheus(servers.free_port(), config)
    servers.stop_all([started("prometheus (the course's rules at 1 s per simulated day)", server)])


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        busy_port_exit()
        server = started("mlflow server --workers 1", dashboards.start_mlflow(
            servers.free_port(), store_uri="sqlite:///" + (Path(folder) / "mlflow.db").as_posix()))  # fmt: skip
        processes("mlflow server, MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false", server)
        servers.stop_all([server])
        prometheus_start(Path(folder))
        from helpers import workspace

        if (workspace.WORKSPACE_DIR).is_dir() and any(workspace.WORKSPACE_DIR.iterdir()):
            # start_evidently always sets DO_NOT_TRACK=1: the Evidently UI posts usage events otherwise
            ui = dashboards.start_evidently(servers.free_port())
            servers.stop_all([started("evidently ui (build/workspace)", ui)])
        else:
            print("evidently ui: skipped (no build/workspace yet: run the capstone notebook first)")
        servers.stop_all([started("jupyter lab", dashboards.start_lab(servers.free_port(), root=folder))])
        live_rate(Path(folder))
