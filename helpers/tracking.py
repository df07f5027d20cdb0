"""Experiment tracking with MLflow: one course store, quiet logging, monitoring histories, datasets and a registry.

The course store is a SQLite database and an artifact folder below ``build/mlflow/``, addressed by an absolute URI
computed from the repository root, so notebooks, exercises, tests and papermill all log to the same place and never
drop ``mlflow.db`` or ``mlruns/`` into the current folder. ``MLFLOW_TRACKING_URI``, when set, overrides it (e.g. to
log to a running ``mlflow server``).

Typical use in a notebook::

    from helpers import tracking
    experiment_id = tracking.use_experiment("credit-monitoring", fresh=True)
    with tracking.start_run("homework"):
        mlflow.log_metrics({"accuracy": 0.93, "fairness_ratio": 0.91})

* ``log_history`` logs one metric point per simulated day (step = days since the first day, timestamp = the
  simulated date), and ``read_history`` reads such a history back from MLflow.
* ``log_dataset`` records a DataFrame as an MLflow dataset input of the active run (name, digest, a real file as
  source), so every run says which data version it saw.
* ``log_model`` / ``register`` / ``set_alias`` / ``load_by_alias``: the model registry with aliases (``champion``,
  ``challenger``), never the deprecated stages.
* ``server_command`` is the ``mlflow server`` command line that ``make mlflow-ui`` (``helpers.dashboards``) runs on
  the course store at http://127.0.0.1:5000.

MLflow's quiet and offline switches (no run URLs, progress bars, telemetry or deprecation noise; HTTP calls that give
up in seconds) are applied by ``configure()``, which every function here calls first: it is idempotent, so import
order never matters, and it changes nothing on import. ``connect`` checks the store before MLflow touches it, so a
tracking server that is not running, or a store that cannot be written, fails in seconds with the fix.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd

from helpers.data import frame_digest
from helpers.paths import BUILD_DIR
from helpers.validation import require_columns, require_no_nan, require_rows

with warnings.catch_warnings():
    # tqdm (imported by mlflow) may warn that ipywidgets is missing; mlflow's progress bars are off anyway
    warnings.filterwarnings("ignore", message=r".*IProgress not found.*")
    import mlflow
    from mlflow.entities import Metric
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

__all__ = [
    "QUIET_ENVIRONMENT", "OFFLINE_ENVIRONMENT", "PROBE_TIMEOUT_SECONDS", "StoreUnavailable", "configure",
    "STORE_DIR", "DATASET_DIR", "CHAMPION", "CHALLENGER", "DASHBOARD_HOST", "DASHBOARD_PORT", "MODEL_PACKAGES",
    "sqlite_uri", "course_store_uri", "tracking_uri", "describe_store", "artifact_root", "check_store",
    "connect", "use_experiment", "release_experiments", "start_run", "log_history", "read_history",
    "log_dataset", "run_datasets", "load_dataset", "pip_requirements", "log_model", "register", "set_alias",
    "alias_version", "load_by_alias", "runs_table", "server_command",
]

# ----------------------------------------------------------------------------------------------------------------
# Configuration: explicit, idempotent, applied by every entry point (``configure``)
# ----------------------------------------------------------------------------------------------------------------
#: MLflow's switches the course sets unless the user set them: quiet output and HTTP calls that give up quickly.
QUIET_ENVIRONMENT = {
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",  # no "View run ... at: http://..." after each run
    "MLFLOW_PRINT_MODEL_URLS_ON_CREATION": "false",  # no model URLs when logging or registering a model
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",  # no tqdm bars when uploading or downloading artifacts
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    # a server that stops answering fails a call in seconds, not after retries with backoff up to minutes
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
#: Set whatever the user set: the course makes no outside connection.
OFFLINE_ENVIRONMENT = {"MLFLOW_DISABLE_TELEMETRY": "true"}
#: Seconds ``connect`` waits for a tracking server's ``/health`` answer before saying it is not there.
PROBE_TIMEOUT_SECONDS = 3.0


class StoreUnavailable(RuntimeError):
    """The tracking store cannot be used: no server answers at the URI, or the SQLite file cannot be opened."""


def configure() -> None:
    """Apply the course's MLflow settings; safe to call any number of times, in any order with imports.

    * environment: ``QUIET_ENVIRONMENT`` (where the user has not set a value) and ``OFFLINE_ENVIRONMENT`` (always);
    * telemetry: if ``mlflow`` was imported before the switch was set, its telemetry client is dropped before it
      sends anything (MLflow contacts its telemetry host only once the client records a first event);
    * logging: the ``mlflow`` and ``alembic`` loggers at WARNING;
    * warnings: MLflow's deprecation warnings and three known, not actionable, messages are filtered out.

    Undo: the environment variables can be deleted (``os.environ.pop``) and ``warnings.resetwarnings()`` clears
    the filters; nothing else is changed. Every function of this module calls it first.
    """
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ.update(OFFLINE_ENVIRONMENT)
    try:
        from mlflow.telemetry import set_telemetry_client
        from mlflow.telemetry.client import get_telemetry_client

        if get_telemetry_client() is not None:
            set_telemetry_client()  # re-reads the switch: with telemetry disabled it leaves no client
    except ImportError:  # an MLflow without telemetry
        pass
    for name in ("mlflow", "alembic", "alembic.runtime.migration"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for category in (DeprecationWarning, FutureWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=r"mlflow(\.|$)")
    # raised from tqdm/pydantic/sqlalchemy/setuptools while mlflow imports or validates; not actionable for learners
    # (filterwarnings replaces an identical filter, so calling this again adds nothing)
    warnings.filterwarnings("ignore", message=r".*IProgress not found.*")
    warnings.filterwarnings("ignore", message=r".*pkg_resources is deprecated.*")
    warnings.filterwarnings("ignore", message=r".*Hint: Inferred schema contains integer column.*")
    warnings.filterwarnings("ignore", message=r".*Any type hint is inferred as AnyType.*")


def _configured(function):
    """Run ``configure()`` before ``function``: each entry point applies the settings itself."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        configure()
        return function(*args, **kwargs)

    return wrapper

# ----------------------------------------------------------------------------------------------------------------
# The course store
# ----------------------------------------------------------------------------------------------------------------
#: Folder of the course store (SQLite database ``mlflow.db`` and the ``artifacts/`` folder).
STORE_DIR = BUILD_DIR / "mlflow"
#: Where ``log_dataset`` writes the data files it records as dataset sources.
DATASET_DIR = STORE_DIR / "datasets"
#: Aliases the course uses in the model registry.
CHAMPION, CHALLENGER = "champion", "challenger"
#: Where ``make mlflow-ui`` serves the dashboard.
DASHBOARD_HOST, DASHBOARD_PORT = "127.0.0.1", 5000
#: The packages a logged course model needs (exact pins of this environment; saves ~3.5 s of inference per model).
MODEL_PACKAGES = ("scikit-learn", "numpy", "pandas", "scipy", "mlflow")

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
    db = _sqlite_path(uri)
    if db is not None:
        return f"a SQLite store ({db.name})"
    if uri.startswith(("http://", "https://")):
        return f"the tracking server at {uri}"
    return f"the store {uri}"


def _sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or None for any other kind of store."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(unquote(uri[len("sqlite:///"):]))


def artifact_root(uri: str | None = None) -> str | None:
    """Where a SQLite store keeps artifacts: ``artifacts/`` next to its database, as a ``file://`` URI.

    None for a server (it manages its own artifacts) or any other store (MLflow's default applies).
    """
    db = _sqlite_path(uri or tracking_uri())
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
    db = _sqlite_path(uri)
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
            f"with `python -m helpers mlflow-ui{f' --port {port}' if port else ''}` (or `mlflow server --host "
            f"127.0.0.1 --port {port or 5000}`) in another terminal and run this cell again.{_unset_hint(uri)}"
        ) from None
    if body != "OK":
        raise StoreUnavailable(
            f"the tracking URI {uri} answers, but not as an MLflow server (GET /health said {body[:40]!r}): check the "
            f"address and port.{_unset_hint(uri)}"
        )


def _probe_sqlite(db: Path, uri: str) -> None:
    import sqlite3

    where = db.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(
            f"cannot create the folder of the MLflow store {db} ({error.strerror or error}): choose a writable "
            f"place for the store.{_unset_hint(uri)}"
        ) from None
    if db.exists() and not db.is_file():
        raise StoreUnavailable(f"the MLflow store {db} is not a file (a folder?): remove it or choose another path")
    try:
        connection = sqlite3.connect(f"{db.as_uri()}?mode=rwc", uri=True, timeout=PROBE_TIMEOUT_SECONDS)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise StoreUnavailable(
            f"cannot open the MLflow store {db} ({error}): its folder {where} must be writable and the file a "
            f"SQLite database; delete build/mlflow to start the course store afresh.{_unset_hint(uri)}"
        ) from None


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
    db = _sqlite_path(uri)
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
    if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) or not lock_timeout >= 0:
        raise ValueError(f"lock_timeout must be a number of seconds >= 0, got {lock_timeout!r}")
    client = connect()
    if fresh and (tracking_uri(), name) not in _held_locks:
        _hold_experiment(name, lock_timeout)
    experiment = client.get_experiment_by_name(name)
    if experiment is not None and experiment.lifecycle_stage == "deleted":
        client.restore_experiment(experiment.experiment_id)
    if experiment is None:
        try:
            root = artifact_root()
            location = f"{root}/{_safe_name(name)}" if root else None
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
    lock_dir = (_sqlite_path(uri) or STORE_DIR / "mlflow.db").parent / "locks"
    store_key = hashlib.sha256(uri.encode()).hexdigest()[:8]  # one lock per (store, experiment)
    path = lock_dir / f"{_safe_name(name)}-{store_key}.lock"
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
        except Exception:  # noqa: BLE001: already released
            pass


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


@contextmanager
def start_run(run_name: str, tags: dict | None = None, nested: bool = False):
    """``mlflow.start_run`` in the active experiment (see ``use_experiment``), with a readable name and tags."""
    configure()
    with mlflow.start_run(run_name=run_name, tags=tags, nested=nested) as run:
        yield run


# ----------------------------------------------------------------------------------------------------------------
# Monitoring histories
# ----------------------------------------------------------------------------------------------------------------
_BATCH = 1000  # MLflow accepts at most 1000 metrics per log_batch call


def _day_numbers(dates: pd.Series, origin) -> pd.Series:
    origin = pd.Timestamp(origin) if origin is not None else dates.min()
    return (dates - origin).dt.days


@_configured
def log_history(
    frame: pd.DataFrame,
    metrics: str | Sequence[str],
    date_column: str = "date",
    run_id: str | None = None,
    origin=None,
) -> int:
    """Log one point per row of ``frame`` for each column of ``metrics``: a daily monitoring history.

    Each point's timestamp is the simulated date of its row (not the wall clock) and its step is the number of days
    since ``origin`` (default: the earliest date in ``frame``), so the MLflow charts' x-axis is the simulated
    calendar. Metric names are the column names.

    Args:
        frame: one row per period, e.g. the output of ``helpers.performance.performance_timeline``.
        metrics: column name(s) to log (numbers, no NaN: drop periods without a value first).
        date_column: the column holding each row's date.
        run_id: the run to log into; default the active run.
        origin: the date counted as step 0.

    Returns:
        The number of metric points logged.

    Raises:
        ValueError: a missing column, an empty frame, NaN in a metric, a date that occurs twice, no active run.
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metrics:
        raise ValueError("metrics is empty: name at least one column to log")
    require_rows(frame, "history")
    require_columns(frame, [date_column, *metrics], "history")
    require_no_nan(frame, [date_column, *metrics], "history")
    dates = pd.to_datetime(frame[date_column])
    repeated = dates[dates.duplicated()]
    if len(repeated):
        raise ValueError(
            f"history has {len(repeated)} repeated date(s) in column {date_column!r} (first: "
            f"{repeated.iloc[0].date()}); log one row per period"
        )
    run_id = run_id or _active_run_id()
    steps = _day_numbers(dates, origin).astype(int).tolist()
    stamps = (dates.astype("int64") // 1_000_000).astype(int).tolist()  # ms since the epoch
    points = [
        Metric(key=name, value=float(value), timestamp=stamp, step=step)
        for name in metrics
        for value, stamp, step in zip(frame[name].tolist(), stamps, steps)
    ]
    client = MlflowClient()
    for start in range(0, len(points), _BATCH):
        client.log_batch(run_id, metrics=points[start : start + _BATCH], synchronous=True)
    return len(points)


def _active_run_id() -> str:
    run = mlflow.active_run()
    if run is None:
        raise ValueError("no active run: pass run_id=... or call inside `with tracking.start_run(...)`")
    return run.info.run_id


@_configured
def read_history(run_id: str, key: str) -> pd.DataFrame:
    """A metric's history as logged in MLflow: columns ``step``, ``date`` (from the timestamp) and ``key``.

    Raises:
        ValueError: the run has no metric ``key`` (the message lists the metrics it has).
    """
    client = MlflowClient()
    points = client.get_metric_history(run_id, key)
    if not points:
        have = sorted(client.get_run(run_id).data.metrics)
        raise ValueError(f"run has no metric {key!r}; its metrics are: {', '.join(have) or 'none'}")
    frame = pd.DataFrame(
        {
            "step": [p.step for p in points],
            "date": pd.to_datetime([p.timestamp for p in points], unit="ms"),
            key: [p.value for p in points],
        }
    )
    return frame.sort_values(["step", "date"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------------------------------------
@_configured
def log_dataset(
    df: pd.DataFrame,
    name: str,
    context: str = "training",
    targets: str | None = None,
    run_id: str | None = None,
):
    """Record ``df`` as an MLflow dataset input of a run (default: the active run) and return the dataset.

    The frame is saved as ``build/mlflow/datasets/<name>-<digest>.parquet`` (written once per content) and that
    file is the dataset's ``source``, so a run's inputs say exactly which data version it saw; ``digest`` is the
    content hash MLflow shows in the dashboard.

    Args:
        df: the data (e.g. the training window of a retraining run).
        name: the data version's name, e.g. ``"applications-days-060-089"``.
        context: the role of the data in the run: ``training``, ``evaluation`` ...
        targets: the label column, when there is one.

    Raises:
        ValueError: an empty frame, or ``targets`` not a column of it.
    """
    from mlflow.entities import DatasetInput, InputTag
    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    require_rows(df, f"dataset {name!r}")
    if targets is not None:
        require_columns(df, [targets], f"dataset {name!r}")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}")
    digest = frame_digest(df)
    path = DATASET_DIR / f"{_safe_name(name)}-{digest}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        df.to_parquet(partial, index=False)
        os.replace(partial, path)  # atomic: a concurrent reader never sees half a file
    with warnings.catch_warnings():
        # mlflow registers its local-file source class twice and warns that a path "can be interpreted in
        # multiple ways" (both are the same class): not actionable
        warnings.filterwarnings("ignore", message=r".*can be interpreted in multiple ways.*")
        dataset = mlflow.data.from_pandas(df, source=str(path), name=name, targets=targets, digest=digest)
    run_id = run_id or _active_run_id()
    entity = DatasetInput(dataset._to_mlflow_entity(), tags=[InputTag(MLFLOW_DATASET_CONTEXT, context)])
    MlflowClient().log_inputs(run_id, datasets=[entity])
    return dataset


@_configured
def run_datasets(run_id: str, context: str | None = None) -> pd.DataFrame:
    """The dataset inputs of a run: columns ``name``, ``digest``, ``context``, ``source`` (a file path)."""
    import json

    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    rows = []
    for item in MlflowClient().get_run(run_id).inputs.dataset_inputs:
        tags = {t.key: t.value for t in item.tags}
        source = json.loads(item.dataset.source or "{}")
        rows.append(
            {
                "name": item.dataset.name,
                "digest": item.dataset.digest,
                "context": tags.get(MLFLOW_DATASET_CONTEXT, ""),
                "source": source.get("uri", item.dataset.source),
            }
        )
    frame = pd.DataFrame(rows, columns=["name", "digest", "context", "source"])
    if context is not None:
        frame = frame[frame["context"] == context].reset_index(drop=True)
    return frame


def load_dataset(source: str) -> pd.DataFrame:
    """Read back a dataset file written by ``log_dataset`` (its ``source``)."""
    path = Path(urlparse(source).path if source.startswith("file:") else source)
    if not path.exists():
        raise ValueError(f"dataset source {path.name!r} does not exist (was build/ cleaned?)")
    return pd.read_parquet(path)


# ----------------------------------------------------------------------------------------------------------------
# Models and the registry
# ----------------------------------------------------------------------------------------------------------------
def pip_requirements(packages: Iterable[str] = MODEL_PACKAGES) -> list[str]:
    """Exact pins (``name==version``) of ``packages`` as installed here: what a logged model needs to run."""
    from importlib import metadata

    return [f"{p}=={metadata.version(p)}" for p in packages]


@_configured
def log_model(model, name: str = "model", example: pd.DataFrame | None = None):
    """Log a scikit-learn model into the active run with explicit pip requirements; return MLflow's ``ModelInfo``.

    ``example`` (a few input rows) records the model's signature: the columns and types it expects.
    """
    from mlflow.models import infer_signature

    signature = None
    if example is not None:
        features = getattr(model, "feature_names_", list(example.columns))
        require_columns(example, features, "example")
        signature = infer_signature(example[features], model.predict_proba(example[features])[:, 1])
    return mlflow.sklearn.log_model(
        model, name=name, pip_requirements=pip_requirements(), signature=signature
    )


@_configured
def register(model_uri: str, name: str, alias: str | None = None, experiment: str | None = None):
    """Register the model at ``model_uri`` (e.g. ``ModelInfo.model_uri``) as a new version of ``name``.

    ``alias`` (e.g. ``"champion"``) is pointed at the new version. ``experiment`` tags the registered model, so
    ``use_experiment(experiment, fresh=True)`` can clean it up. Returns the ``ModelVersion``.
    """
    client = MlflowClient()
    try:
        client.create_registered_model(name, tags={"experiment": experiment} if experiment else None)
    except MlflowException as error:
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    run_id, model_id = _lineage(model_uri)
    version = client.create_model_version(name, model_uri, run_id=run_id, model_id=model_id)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return version


def _lineage(model_uri: str) -> tuple[str | None, str | None]:
    """(run id, logged-model id) of a model URI. A tracking server needs the model id to accept a
    ``models:/<model id>`` source (a local store does not)."""
    if model_uri.startswith("runs:/"):
        return model_uri[len("runs:/"):].split("/", 1)[0], None
    model_id = model_uri.rstrip("/").split("/")[-1]
    try:
        return MlflowClient().get_logged_model(model_id).source_run_id, model_id
    except MlflowException:  # not a logged model: the version simply has no run link
        return None, None


@_configured
def set_alias(name: str, alias: str, version: int | str) -> None:
    """Point ``alias`` of registered model ``name`` at ``version``: the whole deployment-side change."""
    MlflowClient().set_registered_model_alias(name, alias, str(version))


@_configured
def alias_version(name: str, alias: str) -> int:
    """The version number ``alias`` of registered model ``name`` points at.

    Raises:
        ValueError: the model or the alias does not exist (the message lists the aliases it has).
    """
    client = MlflowClient()
    try:
        return int(client.get_model_version_by_alias(name, alias).version)
    except MlflowException as error:
        try:
            aliases = sorted(client.get_registered_model(name).aliases)
        except MlflowException:
            raise ValueError(f"no registered model named {name!r}") from error
        raise ValueError(
            f"registered model {name!r} has no alias {alias!r}; its aliases are: {', '.join(aliases) or 'none'}"
        ) from error


@_configured
def load_by_alias(name: str, alias: str):
    """Load the scikit-learn model that ``models:/<name>@<alias>`` points at (what a serving process would do)."""
    alias_version(name, alias)  # a clear error for an unknown model or alias
    return mlflow.sklearn.load_model(f"models:/{name}@{alias}")


@_configured
def runs_table(experiment_id: str, filter_string: str = "", order_by: list[str] | None = None) -> pd.DataFrame:
    """The experiment's runs as a table (``mlflow.search_runs``): one row per run, metrics/params/tags columns."""
    return mlflow.search_runs([experiment_id], filter_string=filter_string, order_by=order_by or [])


# ----------------------------------------------------------------------------------------------------------------
# The dashboard
# ----------------------------------------------------------------------------------------------------------------
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
