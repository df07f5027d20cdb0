"""The course store (SQLite and artifacts below ``build/mlflow``), checked before MLflow touches it; experiments
held by one notebook at a time; runs."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from helpers.paths import BUILD_DIR, relative
from helpers.runtime import importing_mlflow
from helpers.tracking.config import PROBE_TIMEOUT_SECONDS, StoreUnavailable, configure
from helpers.validation import require_bool, require_number

with importing_mlflow():
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

__all__ = [
    "STORE_DIR", "sqlite_uri", "course_store_uri", "tracking_uri", "describe_store", "sqlite_path",
    "artifact_root", "check_store", "client", "connect", "use_experiment", "release_experiments", "start_run", "safe_name",
]

#: Folder of the course store (SQLite database ``mlflow.db`` and the ``artifacts/`` folder).
STORE_DIR = BUILD_DIR / "mlflow"

_held_locks: dict[tuple[str, str], object] = {}


def sqlite_uri(path: Path | str) -> str:
    """``sqlite:///`` URI of a database file, absolute (so it means the same file from any working folder)."""
    return "sqlite:///" + Path(path).resolve().as_posix()


def course_store_uri() -> str:
    """The course store: ``sqlite:///<repo>/build/mlflow/mlflow.db`` (absolute)."""
    return sqlite_uri(STORE_DIR / "mlflow.db")


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` when the user set it (e.g. a running server), else the course store."""
    return os.environ.get("MLFLOW_TRACKING_URI", "").strip() or course_store_uri()


def describe_store(uri: str | None = None) -> str:
    """Where runs go, for display: the course store as a relative path, another SQLite file by name, or a server."""
    uri = uri or tracking_uri()
    if uri == course_store_uri():
        return "the course store (build/mlflow/mlflow.db)"
    db = sqlite_path(uri)
    if db is not None:
        return f"a SQLite store ({db.name})"
    if uri.startswith(("http://", "https://")):
        return f"the tracking server at {uri}"
    return f"the store {uri}"


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or None for any other kind of store."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(unquote(uri[len("sqlite:///"):]))


def artifact_root(uri: str | None = None) -> str | None:
    """Where a SQLite store keeps artifacts: ``artifacts/`` next to its database, as a ``file://`` URI.

    None for a server (it manages its own artifacts) or any other store (MLflow's default applies).
    """
    db = sqlite_path(uri or tracking_uri())
    if db is None:
        return None
    return (db.parent / "artifacts").resolve().as_uri()


def _lock(path: Path, timeout: float):
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path), timeout=timeout)


def check_store(uri: str | None = None) -> None:
    """Fail fast, naming the store and the fix, when MLflow could not use ``uri`` (default ``tracking_uri()``).

    MLflow's own clients retry for minutes before they give up: its HTTP client with backoff (0, 4, 8 ... 120 s)
    when no server listens, its SQLite store about 100 s when the database file cannot be opened. This check takes
    at most ``PROBE_TIMEOUT_SECONDS`` for a server and milliseconds for a SQLite file.

    Raises:
        StoreUnavailable: no MLflow server answers at an ``http(s)://`` URI, or a SQLite store's file cannot be
            created or opened (the message names the URI or file and says how to fix it).
    """
    uri = uri or tracking_uri()
    if uri.startswith(("http://", "https://")):
        _probe_server(uri)
        return
    db = sqlite_path(uri)
    if db is not None:
        _probe_sqlite(db, uri)


def _unset_hint(uri: str) -> str:
    if os.environ.get("MLFLOW_TRACKING_URI", "").strip() != uri:
        return ""
    return (
        " Or unset MLFLOW_TRACKING_URI to use the course store (build/mlflow/mlflow.db): `unset MLFLOW_TRACKING_URI` "
        "in the shell that starts Jupyter (Windows: `set MLFLOW_TRACKING_URI=`), or run "
        "`os.environ.pop(\"MLFLOW_TRACKING_URI\")` in the notebook and run this cell again."
    )


def _probe_server(uri: str) -> None:
    import urllib.error
    import urllib.request

    health = uri.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(health, timeout=PROBE_TIMEOUT_SECONDS) as response:  # noqa: S310 (http only)
            body = response.read(64).decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        raise StoreUnavailable(
            f"the tracking URI {uri} answers, but not as an MLflow server (GET /health returned HTTP {error.code}): "
            f"check the address and port.{_unset_hint(uri)}"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            reason = f"no answer within {PROBE_TIMEOUT_SECONDS:g} s"
        port = urlparse(uri).port
        raise StoreUnavailable(
            f"no MLflow tracking server answers at {uri} ({reason}). Start one "
            f"with `python -m course mlflow-ui{f' --port {port}' if port else ''}` (or `mlflow server --host "
            f"127.0.0.1 --port {port or 5000}`) in another terminal and run this cell again.{_unset_hint(uri)}"
        ) from None
    if body != "OK":
        raise StoreUnavailable(
            f"the tracking URI {uri} answers, but not as an MLflow server (GET /health said {body[:40]!r}): check the "
            f"address and port.{_unset_hint(uri)}"
        )


def _store_fix(db: Path, uri: str) -> str:
    """The command that starts a broken SQLite store afresh: the course store's folder, or the file itself."""
    if db.resolve() == (STORE_DIR / "mlflow.db").resolve():
        return f"start the course store afresh with `rm -r {relative(STORE_DIR)}` (its runs are lost; `make run` " \
               f"logs them again)"
    return f"delete it (`rm {db}`) or choose another store.{_unset_hint(uri)}"


def _probe_sqlite(db: Path, uri: str) -> None:
    import sqlite3

    where = db.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(
            f"cannot create the folder of the MLflow store {db} ({error.strerror or error}): choose a writable "
            f"place for the store{'' if BUILD_DIR not in db.parents else ', or make build/ a writable folder'}."
            f"{_unset_hint(uri)}"
        ) from None
    if db.exists() and not db.is_file():
        raise StoreUnavailable(f"the MLflow store {db} is not a file (a folder?): remove it or choose another path")
    try:
        connection = sqlite3.connect(f"{db.as_uri()}?mode=rwc", uri=True, timeout=PROBE_TIMEOUT_SECONDS)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]  # reads every page: ms for the course
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise StoreUnavailable(
            f"cannot open the MLflow store {db} ({error}): its folder must be writable and the file a SQLite "
            f"database; {_store_fix(db, uri)}"
        ) from None
    if verdict != "ok":
        raise StoreUnavailable(f"the MLflow store {db} is damaged (SQLite's quick_check: {verdict[:120]}); "
                               f"{_store_fix(db, uri)}")


def _set_uris(uri: str) -> None:
    """Point MLflow's tracking and registry at ``uri`` in this process only.

    ``mlflow.set_tracking_uri`` also writes ``MLFLOW_TRACKING_URI`` (and the registry's ``MLFLOW_REGISTRY_URI``) into
    ``os.environ`` for subprocesses; left there, every kernel or server this process starts later would inherit a
    store it did not ask for. Those two variables are put back as they were.
    """
    saved = {key: os.environ.get(key) for key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    try:
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def client() -> MlflowClient:
    """A client of the store MLflow points at now (``use_experiment`` or ``connect`` chose it), with the course's
    settings applied. Unlike ``connect``, it changes nothing.

    Raises:
        StoreUnavailable: no store was chosen yet (MLflow would create ``mlflow.db`` in the current folder: the
            notebook's setup cell was skipped), or a tracking server does not answer within
            ``PROBE_TIMEOUT_SECONDS`` (MLflow's own client would wait about 40 s).
    """
    configure()
    uri = mlflow.get_tracking_uri()
    here = Path.cwd()
    defaults = {sqlite_uri(here / "mlflow.db"), "sqlite:///mlflow.db", (here / "mlruns").as_uri(), "mlruns", "./mlruns"}
    if uri in defaults and not os.environ.get("MLFLOW_TRACKING_URI", "").strip():
        raise StoreUnavailable(
            "no MLflow store chosen yet (MLflow would create mlflow.db in this folder): run the notebook's setup "
            "cell first, the one calling tracking.use_experiment(...), then this cell again"
        )
    if uri.startswith(("http://", "https://")):
        _probe_server(uri)
    return MlflowClient()


def connect(uri: str | None = None) -> MlflowClient:
    """Point MLflow (tracking and registry) at ``uri`` (default ``tracking_uri()``) and return a client.

    The store is checked first (``check_store``: seconds, not MLflow's minutes of retries). A new SQLite store is
    created under a file lock, so two processes starting at once do not both run its schema migrations (the usual
    first-run failure when notebooks run in parallel). The process environment is left as it was.

    Raises:
        StoreUnavailable: see ``check_store``.
    """
    configure()
    uri = uri or tracking_uri()
    check_store(uri)
    _set_uris(uri)
    db = sqlite_path(uri)
    if db is None:
        return MlflowClient(tracking_uri=uri, registry_uri=uri)
    with _lock(db.with_name(db.name + ".init.lock"), timeout=120):
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # creates and migrates the database if needed
        client.search_registered_models(max_results=1)  # the registry's store checks its tables too
    return client


def use_experiment(name: str, fresh: bool = False, lock_timeout: float = 300.0) -> str:
    """Make ``name`` the active experiment (created if needed, artifacts inside the store); return its id.

    Args:
        name: experiment name, shown in the dashboard.
        fresh: start from a clean slate: earlier runs of the experiment are deleted (soft-deleted: hidden from
            searches and the dashboard) and so is any registered model tagged with this experiment by
            ``register``. A notebook that re-creates its results each time it runs uses ``fresh=True``. While one
            process works on a fresh experiment (until it ends or calls ``release_experiments``), another process
            asking for the same one waits instead of deleting the first one's runs: up to ``lock_timeout`` seconds
            for a batch run (papermill, a test), not at all for a JupyterLab kernel, which holds it until it is shut
            down.
        lock_timeout: seconds to wait for another, non-interactive process using the same experiment (a test or
            papermill run of the same notebook, which ends by itself); an open notebook is reported at once.

    Raises:
        TimeoutError: another process still uses the experiment (the message names it: process id, notebook, since
            when, and how to free it).
        StoreUnavailable: the store cannot be used (see ``check_store``).
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"experiment name must be a non-empty string, got {name!r}")
    fresh = require_bool(fresh, "fresh")
    lock_timeout = require_number(lock_timeout, "lock_timeout", minimum=0, unit="seconds")
    client = connect()
    if fresh and (tracking_uri(), name) not in _held_locks:
        _hold_experiment(name, lock_timeout)
    experiment = client.get_experiment_by_name(name)
    if experiment is not None and experiment.lifecycle_stage == "deleted":
        client.restore_experiment(experiment.experiment_id)
    if experiment is None:
        try:
            root = artifact_root()
            location = f"{root}/{safe_name(name)}" if root else None
            experiment_id = client.create_experiment(name, artifact_location=location)
        except MlflowException:  # created meanwhile by another process
            experiment_id = client.get_experiment_by_name(name).experiment_id
    else:
        experiment_id = experiment.experiment_id
    if fresh:
        for run in client.search_runs([experiment_id], max_results=50_000):
            client.delete_run(run.info.run_id)
        for model in client.search_registered_models(filter_string=f"tags.experiment = '{name}'"):
            client.delete_registered_model(model.name)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _hold_experiment(name: str, lock_timeout: float) -> None:
    """Take the (store, experiment) lock for this process, or raise naming the process that holds it."""
    import hashlib
    import json
    import time

    uri = tracking_uri()
    lock_dir = (sqlite_path(uri) or STORE_DIR / "mlflow.db").parent / "locks"
    store_key = hashlib.sha256(uri.encode()).hexdigest()[:8]  # one lock per (store, experiment)
    path = lock_dir / f"{safe_name(name)}-{store_key}.lock"
    owner_file = path.with_suffix(".owner.json")
    lock = _lock(path, timeout=0)
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            lock.acquire(timeout=0)
            break
        except Exception:  # filelock.Timeout: held by another process
            owner = _read_owner(owner_file)
            if owner.get("interactive") or time.monotonic() >= deadline:
                raise TimeoutError(_busy_message(name, owner, lock_timeout)) from None
            time.sleep(0.2)
    owner_file.write_text(json.dumps(_owner_record()))
    _held_locks[(uri, name)] = lock


def _owner_record() -> dict:
    import time

    notebook = os.environ.get("JPY_SESSION_NAME", "")  # set by Jupyter's server for the kernels it starts
    return {
        "pid": os.getpid(),
        "notebook": notebook,
        "interactive": bool(notebook),
        "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv[:3]))[:120],
        "since": time.strftime("%H:%M:%S"),
    }


def _read_owner(owner_file: Path) -> dict:
    import json

    try:
        return json.loads(owner_file.read_text())
    except (OSError, ValueError):
        return {}


def _busy_message(name: str, owner: dict, waited: float) -> str:
    if owner.get("pid"):
        what = f"the Jupyter kernel of {owner['notebook']}" if owner.get("notebook") else f"`{owner.get('command')}`"
        holder = f"process {owner['pid']} ({what}, since {owner.get('since', '?')})"
        fix = (
            "shut that kernel down (Kernel > Shut Down Kernel) or run the notebook there"
            if owner.get("interactive")
            else f"wait for it to finish or stop it (kill {owner['pid']})"
        )
    else:
        holder, fix = "another process", "close the other kernel running this notebook"
    waited_text = "" if owner.get("interactive") else f" (waited {waited:g} s)"
    return (
        f"experiment {name!r} is in use by {holder}{waited_text}: a fresh experiment would delete its runs. "
        f"{fix[0].upper() + fix[1:]}, then run this cell again."
    )


def release_experiments() -> None:
    """Release the experiments this process took with ``use_experiment(..., fresh=True)`` (else held until exit)."""
    for key in list(_held_locks):
        lock = _held_locks.pop(key)
        try:
            lock.release()
        except Exception:  # noqa: BLE001 (already released)
            pass


def safe_name(name: str) -> str:
    """``name`` with every character but letters, digits, ``-``, ``_`` and ``.`` replaced by ``_``: a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


@contextmanager
def start_run(run_name: str, tags: dict | None = None, nested: bool = False):
    """``mlflow.start_run`` in the active experiment (see ``use_experiment``), with a readable name and tags."""
    configure()
    with mlflow.start_run(run_name=run_name, tags=tags, nested=nested) as run:
        yield run
