"""The ``mlflow server`` command line that ``make mlflow-ui`` (``course.dashboards``) runs on the course store."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = [
    "DASHBOARD_HOST", "DASHBOARD_PORT", "server_command",
]

#: Where ``make mlflow-ui`` serves the dashboard.
DASHBOARD_HOST, DASHBOARD_PORT = "127.0.0.1", 5000


def server_command(
    backend_store_uri: str, artifacts_destination: Path | str, host: str = DASHBOARD_HOST, port: int = DASHBOARD_PORT
) -> list[str]:
    """The ``mlflow server`` command line for a store: one worker, artifacts served by the server."""
    return [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", backend_store_uri,
        "--artifacts-destination", Path(artifacts_destination).resolve().as_uri(),
        "--host", host, "--port", str(port), "--workers", "1",
    ]  # fmt: skip
