"""Shared test setup: notebook kernels use this environment's Jupyter kernel; markers and worker groups.

No test needs to restore ``MLFLOW_TRACKING_URI``: ``helpers.tracking.connect`` leaves the process environment as it
was (``tests/test_tracking.py`` checks it), so kernels started later by the same pytest worker never inherit a test's
temporary store.

Markers (declared in pyproject.toml), applied here by file so that ``make check`` can leave them out:

* ``notebooks``: executes notebooks (papermill runs of every notebook and exercise, nbval's cells, the runner's
  kernels);
* ``server``: starts a real server (MLflow, PostgreSQL, Prometheus, Evidently UI, JupyterLab, a browser) on
  127.0.0.1.

Workers (``make test``: ``pytest -n 2 --dist loadfile``): each test file stays on one worker (module fixtures are
built once, one notebook's nbval cells share a kernel), so the papermill runs are split over three files to spread
them: course notebooks (``test_notebooks.py``), exercise solutions (``test_exercise_solutions.py``) and learner
versions (``test_exercise_learners.py``). When nbval checks the committed notebooks in the same session, the papermill
run of the same course notebook is left out: nbval has executed every cell of it already.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
# The course's own runs hold notebooks to their text: a false claim fails (nbval's kernels inherit this).
os.environ.setdefault("COURSE_STRICT_CLAIMS", "1")

#: Test files whose tests execute notebooks or start kernels.
NOTEBOOK_FILES = {"test_notebooks.py", "test_exercise_solutions.py", "test_exercise_learners.py", "test_try_it.py",
                  "test_runner.py", "test_handouts.py", "test_assistant_regenerate.py",
                  "test_nothing_outside_build.py"}
#: The files of papermill runs: only their parametrized runs execute notebooks (the rest reads files).
PAPERMILL_FILES = {"test_notebooks.py", "test_exercise_solutions.py", "test_exercise_learners.py", "test_try_it.py"}
#: Test files whose tests start servers.
SERVER_FILES = {"test_servers.py", "test_mlflow_server.py", "test_browser.py", "test_assistant_browser.py",
                "test_postgres.py", "test_prometheus.py"}
#: The papermill runs of course notebooks that nbval makes redundant in a session that runs both.
PAPERMILL_RUN = "test_notebook_runs"


def _notebook_param(item) -> Path | None:
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get("path") if callspec is not None else None
    return Path(value) if value is not None else None


def pytest_collection_modifyitems(config, items):
    nbval_notebooks = {Path(str(item.fspath)).name for item in items if str(item.fspath).endswith(".ipynb")}
    kept, dropped = [], []
    for item in items:
        path = Path(str(item.fspath))
        notebook = _notebook_param(item)
        if getattr(item, "originalname", None) == PAPERMILL_RUN and notebook is not None and notebook.name in nbval_notebooks:
            dropped.append(item)
            continue
        if path.suffix == ".ipynb" or path.name in NOTEBOOK_FILES and (notebook is not None or
                                                                      path.name not in PAPERMILL_FILES):
            item.add_marker(pytest.mark.notebooks)
        if path.name in SERVER_FILES:
            item.add_marker(pytest.mark.server)
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
