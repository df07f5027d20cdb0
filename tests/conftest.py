"""Shared test setup: notebook kernels use this environment's Jupyter kernel; markers and worker groups.

No test needs to restore ``MLFLOW_TRACKING_URI``: ``helpers.tracking.connect`` leaves the process environment as it
was (``tests/test_tracking.py`` checks it), so kernels started later by the same pytest worker never inherit a test's
temporary store.

Markers (declared in pyproject.toml), applied here so that ``make check`` can leave them out:

* ``notebooks``: executes notebooks or starts kernels: the papermill runs (``PAPERMILL_TESTS``: the files that hold
  them also have fast tests that only read files), nbval's cells and every test in ``NOTEBOOK_FILES``;
* ``server``: starts a real server (MLflow, PostgreSQL, Prometheus, Evidently UI, JupyterLab, a browser) on
  127.0.0.1: every test in ``SERVER_FILES``, and a test elsewhere that carries ``@pytest.mark.server``.

Workers (``make test``: ``pytest -n 2 --dist loadfile``): a test file stays on one worker (module fixtures are built
once; one notebook's nbval cells share a kernel), except the papermill runs: each is a unit of its own, so the two
workers share them out one by one (``pytest_xdist_make_scheduler`` below). Units are handed out in the order of
``SLOWEST_FIRST``, then the notebook runs, then the rest: longest first balances two workers best, and the order
changes no result. When nbval checks the committed notebooks in the same session, the papermill run of the same course
notebook is left out: nbval has executed every cell of it already.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
# The course's own runs hold notebooks to their text: a false claim fails (nbval's kernels inherit this).
os.environ.setdefault("COURSE_STRICT_CLAIMS", "1")

#: Test functions each run of which executes one notebook with papermill (the rest of their files reads files).
PAPERMILL_TESTS = ("test_notebook_runs", "test_solution_answers_every_question_correctly",
                   "test_learner_version_runs_and_waits_for_answers", "test_try_it_parameters_run_to_the_end")
#: Test files every test of which executes notebooks or starts kernels (or, for the LLM, loads the model).
NOTEBOOK_FILES = {"test_runner.py", "test_handouts.py", "test_assistant_regenerate.py", "test_nothing_outside_build.py"}
#: Test files whose tests start servers.
SERVER_FILES = {"test_servers.py", "test_mlflow_server.py", "test_browser.py", "test_assistant_browser.py",
                "test_postgres.py", "test_prometheus.py"}
#: The papermill runs of course notebooks that nbval makes redundant in a session that runs both.
PAPERMILL_RUN = "test_notebook_runs"
#: Test files handed to the workers first, longest first (worker seconds, from ``pytest --durations=0``).
SLOWEST_FIRST = ("test_mlflow_server.py", "test_postgres.py", "test_assistant_regenerate.py", "test_browser.py",
                 "test_servers.py", "test_nothing_outside_build.py", "test_assistant_browser.py", "test_prometheus.py",
                 "test_runner.py", "test_tracing_descriptors.py", "test_tracking_failfast.py", "test_drift.py",
                 "test_assistant_tracing_judge.py", "test_build_faults.py", "test_lesson_code.py", "test_fairness.py",
                 "test_tracking.py", "test_gate.py")


def _is_papermill_run(nodeid: str) -> bool:
    """``tests/test_try_it.py::test_try_it_parameters_run_to_the_end[...]``: one notebook executed by papermill."""
    function = nodeid.split("::")[-1].split("[")[0]
    return function in PAPERMILL_TESTS


def _order(item) -> int:
    name = Path(str(item.fspath)).name
    if name in SLOWEST_FIRST:
        return SLOWEST_FIRST.index(name)
    return len(SLOWEST_FIRST) + (0 if _is_papermill_run(item.nodeid) or name.endswith(".ipynb") else 1)


@pytest.fixture(scope="session")
def empty_mlflow_db(tmp_path_factory) -> Path:
    """An empty MLflow SQLite store, its tables created once per worker (creating them costs about a second)."""
    from helpers import tracking

    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    tracking.connect(tracking.sqlite_uri(db))
    return db


@pytest.fixture()
def fresh_mlflow_uri(tmp_path, empty_mlflow_db) -> str:
    """The URI of a fresh MLflow store in this test's folder (``tmp_path / "mlflow.db"``, a copy of the empty one)."""
    from helpers import tracking

    shutil.copy(empty_mlflow_db, tmp_path / "mlflow.db")
    return tracking.sqlite_uri(tmp_path / "mlflow.db")


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
        if path.suffix == ".ipynb" or path.name in NOTEBOOK_FILES or _is_papermill_run(item.nodeid):
            item.add_marker(pytest.mark.notebooks)
        if path.name in SERVER_FILES:
            item.add_marker(pytest.mark.server)
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = sorted(kept, key=_order)  # stable: each file's tests and each notebook's cells keep their order


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown, and unused, with -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, except that each papermill run is a unit of its own (pytest-xdist's ``loadgroup`` would
    say this with marks, but it does not see them under pytest 9: it renames a node id pytest 9 no longer reads)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class PapermillRunsApart(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if _is_papermill_run(nodeid) else super()._split_scope(nodeid)

    return PapermillRunsApart(config, log)
