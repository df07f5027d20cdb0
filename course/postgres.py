"""A private PostgreSQL cluster: created under ``build/``, listening on 127.0.0.1 at its own port, stopped by PID.

What a class or team shares a tracking server on (``make mlflow-server``, ``course.team_server``): MLflow on SQLite
locks the database file on every write, so concurrent writers fail with "database is locked"; PostgreSQL takes them.

* ``available``: whether PostgreSQL's server programs (``initdb``, ``pg_ctl``) are installed; ``INSTALL_HINT`` says
  how to install them.
* ``start_postgres`` creates the cluster on first use (``initdb -A trust -U course``: trust authentication, fine for
  a cluster that only listens on 127.0.0.1 and its own socket folder) and starts it (``pg_ctl ... -w start``);
  ``stop_postgres`` stops it (``pg_ctl -m fast stop``), then kills the postmaster and its children by PID if any
  survive; ``running_postgres`` does both around a block.
* ``initdb`` refuses to run as root: as root, both programs run as the ``postgres`` user (``runuser -u postgres
  --``) on a folder that user owns; as any other user they run directly.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course.servers import HOST, ServerError, busy_port_message, check_port, port_in_use
from helpers.paths import BUILD_DIR, relative

__all__ = [
    "INSTALL_HINT",
    "POSTGRES_DIR",
    "SUPERUSER",
    "Postgres",
    "PostgresError",
    "available",
    "create_database",
    "running_postgres",
    "start_postgres",
    "stop_postgres",
]  # fmt: skip

#: Where ``make mlflow-server`` keeps its cluster (the data in ``data/``, the log in ``postgres.log``).
POSTGRES_DIR = BUILD_DIR / "postgres"
#: The cluster's superuser (trust authentication: no password, local connections only).
SUPERUSER = "course"
INSTALL_HINT = (
    "PostgreSQL's server programs (initdb, pg_ctl) were not found: install them with "
    "`apt-get install postgresql` (Debian and Ubuntu put them in /usr/lib/postgresql/<version>/bin, which is "
    "searched too) or `brew install postgresql@15` (macOS)"
)
#: The OS user that runs the cluster when this process is root (initdb refuses root).
OS_USER = "postgres"
START_SECONDS = 60


class PostgresError(RuntimeError):
    """The cluster could not be created, started or stopped (the message ends with its log)."""


@dataclass(frozen=True)
class Postgres:
    """A running cluster: its folder (data in ``folder/data``), port and postmaster PID."""

    folder: Path
    port: int
    pid: int

    def uri(self, database: str = "postgres") -> str:
        """The SQLAlchemy URI of ``database`` (psycopg 3 driver), as MLflow's ``--backend-store-uri`` takes it."""
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/{database}"


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def available() -> bool:
    """True when ``initdb`` and ``pg_ctl`` are installed (on PATH or in Debian's /usr/lib/postgresql)."""
    return _program("initdb") is not None and _program("pg_ctl") is not None


def _run(program: str, *args: str, folder: Path, what: str) -> str:
    path = _program(program)
    if path is None:
        raise PostgresError(INSTALL_HINT)
    command = [path, *args]
    if os.geteuid() == 0:  # initdb refuses root: run as the postgres user, on a folder it owns
        command = ["runuser", "-u", OS_USER, "--", *command]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=START_SECONDS + 30, cwd=folder)
    if done.returncode != 0:
        log = folder / "postgres.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
        raise PostgresError(f"{what} failed ({program} exit {done.returncode}) for {relative(folder)}:\n"
                            f"{done.stdout}{done.stderr}{tail}")  # fmt: skip
    return done.stdout


def _prepare(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, user=OS_USER)
        for path in folder.rglob("*"):
            if path.owner() != OS_USER:
                shutil.chown(path, user=OS_USER)


def start_postgres(folder: Path | str = POSTGRES_DIR, port: int = 5433) -> Postgres:
    """Create the cluster in ``folder`` if it has none, start it on 127.0.0.1:``port`` and wait until it accepts.

    Raises ``ValueError`` (a port outside 1024-65535), ``ServerError`` (the port is busy) or ``PostgresError``
    (PostgreSQL is not installed, initdb or pg_ctl failed: the message ends with the log).
    """
    port, folder = check_port(port), Path(folder).resolve()
    if port_in_use(port):
        raise ServerError(busy_port_message(port, "PostgreSQL cluster"))
    _prepare(folder)
    data = folder / "data"
    if not (data / "PG_VERSION").exists():
        _run("initdb", "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-sync", folder=folder,
             what="creating the cluster")  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses={HOST}"
    _run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "postgres.log"), "-w", "-t",
         str(START_SECONDS), "start", folder=folder, what="starting the cluster")  # fmt: skip
    pid = int((data / "postmaster.pid").read_text().split()[0])
    return Postgres(folder, port, pid)


def stop_postgres(cluster: Postgres) -> None:
    """Stop the cluster (fast shutdown: open sessions are ended), then kill by PID whatever survives; safe twice."""
    import psutil

    try:
        postmaster = psutil.Process(cluster.pid)
        children = postmaster.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    with contextlib.suppress(PostgresError, subprocess.TimeoutExpired):
        _run("pg_ctl", "-D", str(cluster.folder / "data"), "-m", "fast", "-w", "-t", "30", "stop",
             folder=cluster.folder, what="stopping the cluster")  # fmt: skip
    _, alive = psutil.wait_procs([postmaster, *children], timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=10)


@contextlib.contextmanager
def running_postgres(folder: Path | str = POSTGRES_DIR, port: int = 5433) -> Iterator[Postgres]:
    """``start_postgres`` for the block, ``stop_postgres`` after it however it ends."""
    cluster = start_postgres(folder, port)
    try:
        yield cluster
    finally:
        stop_postgres(cluster)


def create_database(cluster: Postgres, name: str) -> str:
    """Create database ``name`` if it does not exist; returns its SQLAlchemy URI (``Postgres.uri``)."""
    import psycopg

    if not name.isidentifier():
        raise ValueError(f"database name must be letters, digits and underscores, got {name!r}")
    with psycopg.connect(host=HOST, port=cluster.port, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return cluster.uri(name)
