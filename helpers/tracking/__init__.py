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
* ``server_command`` is the ``mlflow server`` command line that ``make mlflow-ui`` (``course.dashboards``) runs on
  the course store at http://127.0.0.1:5000.

Where each part lives: ``config`` (``configure``: MLflow's switches), ``store`` (the course store, ``connect``,
``use_experiment``, ``start_run``), ``history``, ``datasets``, ``registry`` and ``server``. Import from
``helpers.tracking``.

MLflow's quiet and offline switches (no run URLs, progress bars, telemetry or deprecation noise; HTTP calls that give
up in seconds) are applied by ``configure()``, which every function here calls first: it is idempotent, so import
order never matters, and it changes nothing on import. ``connect`` checks the store before MLflow touches it, so a
tracking server that is not running, or a store that cannot be written, fails in seconds with the fix.
"""

from helpers.tracking.config import (
    OFFLINE_ENVIRONMENT,
    PROBE_TIMEOUT_SECONDS,
    QUIET_ENVIRONMENT,
    StoreUnavailable,
    configure,
)
from helpers.tracking.datasets import DATASET_DIR, load_dataset, log_dataset, run_datasets
from helpers.tracking.history import log_history, read_history
from helpers.tracking.registry import (
    CHALLENGER,
    CHAMPION,
    MODEL_PACKAGES,
    alias_version,
    load_by_alias,
    log_model,
    pip_requirements,
    register,
    runs_table,
    set_alias,
)
from helpers.tracking.server import DASHBOARD_HOST, DASHBOARD_PORT, server_command
from helpers.tracking.store import (
    STORE_DIR,
    artifact_root,
    check_store,
    client,
    connect,
    course_store_uri,
    describe_store,
    release_experiments,
    sqlite_path,
    sqlite_uri,
    start_run,
    tracking_uri,
    use_experiment,
)

__all__ = [
    "QUIET_ENVIRONMENT", "OFFLINE_ENVIRONMENT", "PROBE_TIMEOUT_SECONDS", "StoreUnavailable", "configure",
    "STORE_DIR", "DATASET_DIR", "CHAMPION", "CHALLENGER", "DASHBOARD_HOST", "DASHBOARD_PORT", "MODEL_PACKAGES",
    "sqlite_path", "sqlite_uri", "course_store_uri", "tracking_uri", "describe_store", "artifact_root", "check_store",
    "client", "connect", "use_experiment", "release_experiments", "start_run", "log_history", "read_history",
    "log_dataset", "run_datasets", "load_dataset", "pip_requirements", "log_model", "register", "set_alias",
    "alias_version", "load_by_alias", "runs_table", "server_command",
]
