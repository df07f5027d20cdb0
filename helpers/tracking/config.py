"""MLflow's quiet and offline switches, applied explicitly and idempotently by every entry point (``configure``)."""

from __future__ import annotations

import logging
import os
import warnings

__all__ = [
    "OFFLINE_ENVIRONMENT", "PROBE_TIMEOUT_SECONDS", "QUIET_ENVIRONMENT", "StoreUnavailable", "configure", "configured",
]


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


def configured(function):
    """Decorator: run ``configure()`` before ``function``; each entry point of the package applies the settings itself
    (public inside ``helpers.tracking``, not re-exported)."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        configure()
        return function(*args, **kwargs)

    return wrapper
