"""Why a class shares MLflow on PostgreSQL: eight writers against each store, counted.

SQLite locks the whole database file for a write transaction; MLflow 3.17 waits up to 20 s for the lock
(``PRAGMA busy_timeout = 20000`` in ``mlflow/store/db/utils.py``), then fails the call with "database is locked":
the metric is lost unless the learner's code retries. PostgreSQL locks rows, so writers proceed while another
transaction is open. Each test holds one long write transaction open (a colleague's bulk import, say) until every
writer's first call has returned, then lets go:

* SQLite: each writer's call waits 20 s and fails with "database is locked", and every failed call is a metric that
  never lands: 8 of 8 lost (one call per writer: each failure costs 20 s of waiting, and one is the point);
* PostgreSQL: no call waits: no error, all ``8 * CALLS`` land, every call returning before the other transaction
  commits.

The last test runs ``make mlflow-server``'s stack (PostgreSQL and MLflow, real servers on free ports, stopped by PID)
and counts eight writers' metrics through its REST API in the database.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
import threading

import psutil
import pytest

from course.postgres import INSTALL_HINT, available, create_database, running_postgres, start_postgres
from course.servers import ServerError, free_port
from helpers.paths import build_path

pytestmark = pytest.mark.server  # real PostgreSQL clusters and MLflow servers; writers that wait 20 s on SQLite
WRITERS, CALLS = 8, 5
SQLITE_CALLS = 1  # each failing call waits MLflow's 20 s: one call per writer shows the loss
needs_postgres = pytest.mark.skipif(not available(), reason=INSTALL_HINT)
SETUP = (
    "import mlflow; c = mlflow.MlflowClient(tracking_uri={uri!r}); "
    "print(c.create_run(c.create_experiment('writers-' + __import__('uuid').uuid4().hex)).info.run_id)"
)


def _fresh(*parts: str):
    """An empty folder under build/ (a cluster left by an earlier run is removed: each test starts from nothing)."""
    path = build_path(*parts)
    shutil.rmtree(path, ignore_errors=True)
    return path


def _new_run(uri: str) -> str:
    """A run in a fresh store, created in another process (no store is cached in this one before the fork)."""
    done = subprocess.run([sys.executable, "-c", SETUP.format(uri=uri)], capture_output=True, text=True, check=True,
                          env={"MLFLOW_DISABLE_TELEMETRY": "true", "PATH": "/usr/bin:/bin"})  # fmt: skip
    return done.stdout.split()[-1]


def _writer(uri: str, run_id: str, index: int, calls: int, events) -> None:
    from mlflow import MlflowClient

    client, errors = MlflowClient(tracking_uri=uri), []
    for step in range(calls):
        try:
            client.log_metric(run_id, f"writer_{index}", float(step), step=step)
        except Exception as error:  # noqa: BLE001 - whatever a learner's notebook would see
            errors.append(str(error))
        if step == 0:
            events.put(("first", index))
    events.put(("done", index, errors))


def _eight_writers(uri: str, run_id: str, hold, calls: int = CALLS, until: str = "first") -> list[str]:
    """Run the writers while ``hold`` (a context manager) keeps a write transaction open until every writer's first
    call (``until="first"``) or every call (``until="done"``) has returned; returns every error message."""
    context = multiprocessing.get_context("fork")
    events = context.Queue()
    writers = [context.Process(target=_writer, args=(uri, run_id, i, calls, events)) for i in range(WRITERS)]
    seen = {"first": 0, "done": 0}
    errors = []

    def collect(kind: str) -> None:
        while seen[kind] < WRITERS:
            event = events.get(timeout=240)
            seen[event[0]] += 1
            if event[0] == "done":
                errors.extend(event[2])

    try:
        with hold:
            for w in writers:
                w.start()
            collect(until)
        collect("done")
    finally:
        for w in writers:
            w.join(timeout=30)
            if w.is_alive():
                w.kill()
    return errors


class _SqliteWrite:
    """An open write transaction on a SQLite file (``BEGIN IMMEDIATE`` takes the write lock at once)."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("CREATE TABLE bulk_import (x INTEGER)")
        return self

    def __exit__(self, *exc):
        self.connection.execute("COMMIT")
        self.connection.close()


def test_sqlite_loses_the_writes_made_while_another_write_is_open():
    folder = build_path("test-postgres", "sqlite")
    for old in folder.glob("mlflow.db*"):
        old.unlink()
    db = folder / "mlflow.db"
    uri = f"sqlite:///{db}"
    run_id = _new_run(uri)
    errors = _eight_writers(uri, run_id, _SqliteWrite(db), calls=SQLITE_CALLS)
    assert len(errors) >= WRITERS and all("database is locked" in e for e in errors), errors[:2]
    with sqlite3.connect(db) as check:
        landed = check.execute("SELECT count(*) FROM metrics WHERE run_uuid = ?", [run_id]).fetchone()[0]
    print(f"SQLite: {len(errors)} of {WRITERS * SQLITE_CALLS} calls failed, {landed} metrics landed")
    assert landed == WRITERS * SQLITE_CALLS - len(errors)  # each failed call is a lost metric, and only those


@pytest.fixture(scope="module")
def cluster():
    if not available():
        pytest.skip(INSTALL_HINT)
    with running_postgres(_fresh("test-postgres", "cluster"), free_port()) as running:
        yield running


class _PostgresWrite:
    """An open write transaction on the same database (a table created and filled, not committed yet)."""

    def __init__(self, cluster, database):
        import psycopg

        self.connection = psycopg.connect(host="127.0.0.1", port=cluster.port, user="course", dbname=database)

    def __enter__(self):
        self.connection.execute("CREATE TABLE bulk_import (x INTEGER)")
        self.connection.execute("INSERT INTO bulk_import SELECT generate_series(1, 1000)")
        return self

    def __exit__(self, *exc):
        self.connection.commit()
        self.connection.close()


@needs_postgres
def test_postgres_takes_every_write_while_another_write_is_open(cluster):
    import psycopg

    uri = create_database(cluster, "writers")
    run_id = _new_run(uri)
    errors = _eight_writers(uri, run_id, _PostgresWrite(cluster, "writers"), until="done")  # all while it is open
    assert errors == []
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="course", dbname="writers") as check:
        landed = check.execute("SELECT count(*) FROM metrics WHERE run_uuid = %s", [run_id]).fetchone()[0]
        imported = check.execute("SELECT count(*) FROM bulk_import").fetchone()[0]
    print(f"PostgreSQL: 0 of {WRITERS * CALLS} calls failed, {landed} metrics landed")
    assert (landed, imported) == (WRITERS * CALLS, 1000)


@needs_postgres
def test_cluster_refuses_a_busy_port_and_a_bad_database_name(cluster):
    with pytest.raises(ServerError, match=f"port {cluster.port} is in use"):
        start_postgres(build_path("test-postgres", "second"), cluster.port)
    with pytest.raises(ValueError, match="port 80 is out of range"):
        start_postgres(build_path("test-postgres", "second"), 80)
    with pytest.raises(ValueError, match="database name"):
        create_database(cluster, "no; drop")
    assert psutil.pid_exists(cluster.pid)


@needs_postgres
def test_team_server_takes_eight_writers_and_stops_everything():
    import psycopg

    from course.team_server import start_team_server, stop_team_server

    cluster, server = start_team_server(free_port(), free_port(), folder=_fresh("test-postgres", "team"),
                                        artifacts=build_path("test-postgres", "team-artifacts"))  # fmt: skip
    pids = [cluster.pid, server.pid, *(p.pid for p in psutil.Process(server.pid).children(recursive=True))]
    try:
        run_id = _new_run(server.url)
        errors = _eight_writers(server.url, run_id, threading.Lock())  # nothing held: the server's own load
        with psycopg.connect(host="127.0.0.1", port=cluster.port, user="course", dbname="mlflow") as check:
            landed = check.execute("SELECT count(*) FROM metrics WHERE run_uuid = %s", [run_id]).fetchone()[0]
    finally:
        stop_team_server(cluster, server)
    assert errors == [] and landed == WRITERS * CALLS
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_mlflow_server_command_names_bad_ports_and_a_missing_postgresql(capsys, monkeypatch):
    from course import team_server

    assert team_server.main(["--port", "80"]) == 2
    assert "port 80 is out of range" in capsys.readouterr().err
    assert team_server.main(["--port", "5051", "--pg-port", "5051"]) == 2
    assert "port and pg_port must differ" in capsys.readouterr().err
    monkeypatch.setattr(team_server, "available", lambda: False)  # a machine without PostgreSQL's programs
    assert team_server.main(["--port", str(free_port()), "--pg-port", str(free_port())]) == 1
    assert "apt-get install postgresql" in capsys.readouterr().err
