"""Shared test setup: notebook kernels use this environment's Jupyter kernel, and no test leaks an MLflow store."""

import os

import pytest

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")


@pytest.fixture(autouse=True)
def _restore_mlflow_tracking_uri():
    """``mlflow.set_tracking_uri`` also writes ``MLFLOW_TRACKING_URI`` into the process environment.

    Left behind by one test, it would send every notebook kernel started later by the same pytest worker (they
    inherit the environment) to that test's temporary store. Restore the variable after each test.
    """
    saved = os.environ.get("MLFLOW_TRACKING_URI")
    yield
    if saved is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = saved
