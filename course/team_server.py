"""``make mlflow-server``: one MLflow tracking server for a class or team, on PostgreSQL, as MLflow documents it.

MLflow's default store, a SQLite file, takes one writer at a time: with several learners logging at once, calls wait
on the file's lock and, past the wait, fail with "database is locked". A team server keeps its runs in PostgreSQL
(the backend store) and its artifacts in a folder the server serves (``--artifacts-destination``):

* a private PostgreSQL cluster under ``build/postgres`` on 127.0.0.1 (``course.postgres``), with a database
  ``mlflow``;
* ``mlflow server --backend-store-uri postgresql+psycopg://course@127.0.0.1:<pg port>/mlflow`` with one worker and
  ``MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false`` (no job runner: it would start 10 processes and 2.4 GB), artifacts in
  ``build/team-server/artifacts``;
* Ctrl+C (or SIGTERM, SIGHUP) stops the server, its children and the cluster, by PID.

Learners point their notebooks at it with ``MLFLOW_TRACKING_URI=http://<host>:5050``. The server listens on
127.0.0.1 only: to share it on a network, put an authenticating proxy in front (MLflow's own server has no login).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.postgres import (
    INSTALL_HINT,
    POSTGRES_DIR,
    PostgresError,
    available,
    create_database,
    start_postgres,
    stop_postgres,
)
from course.servers import HOST, Server, ServerError, Stopped, check_port, serve_until_stopped, start, stop_all
from helpers.paths import BUILD_DIR

__all__ = ["ARTIFACTS_DIR", "POSTGRES_PORT", "TEAM_ENV", "TEAM_PORT", "main", "start_team_server", "stop_team_server"]

#: The team server's port (the course's own dashboard, ``make mlflow-ui``, keeps 5000).
TEAM_PORT = 5050
#: The private cluster's port (5432 is left to a PostgreSQL the machine may already run).
POSTGRES_PORT = 5433
ARTIFACTS_DIR = BUILD_DIR / "team-server" / "artifacts"
#: The server's environment: no telemetry, no job runner.
TEAM_ENV = {"MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}


def start_team_server(
    port: int = TEAM_PORT,
    pg_port: int = POSTGRES_PORT,
    folder: Path | str = POSTGRES_DIR,
    artifacts: Path | str = ARTIFACTS_DIR,
    **options,
):
    """Start the cluster, then MLflow on it; returns ``(cluster, server)``. Stop with ``stop_team_server``.

    ``options`` go to ``course.servers.start`` (``timeout``, ``log_path``). Raises ``ValueError`` (a bad port),
    ``ServerError`` (a busy port; MLflow did not answer) or ``PostgresError`` (PostgreSQL missing or failing); on
    any failure whatever was started is stopped first.
    """
    from helpers.tracking import server_command

    port, pg_port = check_port(port), check_port(pg_port)
    if port == pg_port:
        raise ValueError(f"port and pg_port must differ, both are {port}")
    if not available():
        raise PostgresError(INSTALL_HINT)
    cluster = start_postgres(folder, pg_port)
    try:
        uri = create_database(cluster, "mlflow")
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        command = server_command(uri, artifacts, host=HOST, port=port)
        server = start("MLflow team server", command, port, "/health", env=TEAM_ENV, **options)
    except BaseException:
        stop_postgres(cluster)
        raise
    return cluster, server


def stop_team_server(cluster, server: Server | None) -> None:
    """Stop MLflow (and its children), then the cluster, by PID; safe to call twice."""
    try:
        if server is not None:
            stop_all([server])
    finally:
        stop_postgres(cluster)


def main(argv: list[str] | None = None) -> int:
    """``python -m course mlflow-server [--port P] [--pg-port Q]``: serve until Ctrl+C; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m course mlflow-server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", default=TEAM_PORT, help=f"MLflow's port on 127.0.0.1 (default {TEAM_PORT})")
    parser.add_argument("--pg-port", default=POSTGRES_PORT, help=f"PostgreSQL's port (default {POSTGRES_PORT})")
    args = parser.parse_args(argv)
    cluster = server = None
    try:
        cluster, server = start_team_server(args.port, args.pg_port)
        return serve_until_stopped(
            [server],
            f"MLflow team server up at {server.url} (runs in PostgreSQL on port {cluster.port}, artifacts "
            f"in build/team-server/artifacts); stop it with Ctrl+C",
        )
    except (ValueError, ServerError, PostgresError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, ValueError) else 1
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        if cluster is not None:
            stop_team_server(cluster, server)
