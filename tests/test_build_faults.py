"""Faults of the folder a run writes into and of the tracking store: one clear line (path, cause, fix) each.

Before: a ``build/`` that was a file or read-only, or a damaged ``build/mlflow/mlflow.db``, gave a traceback from deep
inside ``os``, SQLite or MLflow; an exercise check whose setup cell was skipped created ``mlflow.db`` in the current
folder; a check against a tracking server that never answers waited about 40 s.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from helpers import paths
from helpers.paths import REPO_ROOT, BuildFolderError
from helpers.tracking import StoreUnavailable, check_store, sqlite_uri, store


@pytest.fixture
def fake_build(tmp_path, monkeypatch):
    """``helpers.paths`` pointed at a repository in tmp_path (its build/ not yet made)."""
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    return tmp_path / "build"


def test_build_as_a_file_is_named_with_the_command_that_fixes_it(fake_build):
    fake_build.write_text("not a folder")
    with pytest.raises(BuildFolderError) as caught:
        paths.build_path("figures", "drift.png")
    message = str(caught.value)
    assert "build is a file, not a folder" in message and "`rm build`" in message and "\n" not in message


def test_a_file_where_a_subfolder_should_be_is_named(fake_build):
    fake_build.mkdir()
    (fake_build / "reports").write_text("")
    with pytest.raises(BuildFolderError, match=r"build/reports is a file, not a folder.*`rm build/reports`"):
        paths.writable_build_path(fake_build / "reports" / "drift.html")


@pytest.mark.skipif(shutil.which("setpriv") is None and os.geteuid() == 0, reason="needs setpriv to drop root")
def test_a_read_only_build_folder_is_named_with_the_fix(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    build.chmod(0o555)  # read-only for its owner; root ignores modes, so the check runs as nobody below
    tmp_path.chmod(0o755)
    code = ("import sys, pathlib; from helpers import paths; root = pathlib.Path(sys.argv[1]); "
            "paths.REPO_ROOT = root; paths.BUILD_DIR = root / 'build'\n"
            "try:\n    paths.build_path('figures', 'a.png')\nexcept paths.BuildFolderError as e:\n    print(e)")
    prefix = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip().startswith("cannot write in build/figures: permission denied"), done.stdout
    assert "chmod -R u+w build" in done.stdout and "make clean" in done.stdout


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_store_is_one_line_naming_the_file_and_the_fix(tmp_path, damage):
    db = tmp_path / "mlflow.db"
    if damage == "garbage":
        db.write_bytes(b"this is not SQLite " * 200)
    else:
        import sqlite3

        with sqlite3.connect(db) as connection:
            connection.execute("create table runs (id integer primary key, name text)")
            connection.executemany("insert into runs (name) values (?)", [("run " * 50,)] * 2000)
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    with pytest.raises(StoreUnavailable) as caught:
        check_store(sqlite_uri(db))
    message = str(caught.value)
    assert str(db) in message and f"`rm {db}`" in message and "\n" not in message


def test_the_damaged_course_store_says_to_start_it_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "STORE_DIR", REPO_ROOT / "build" / f"test-damaged-{os.getpid()}")
    db = store.STORE_DIR / "mlflow.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"\0" * 10)
    try:
        with pytest.raises(StoreUnavailable, match=rf"rm -r build/test-damaged-{os.getpid()}`"):
            check_store(sqlite_uri(db))
    finally:
        shutil.rmtree(db.parent)


def _run_client_in(folder, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    code = ("from helpers import tracking\ntry:\n    tracking.client()\n    print('no error')\n"
            "except tracking.StoreUnavailable as e:\n    print(e)")
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env.update(PYTHONPATH=str(REPO_ROOT), **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_check_whose_setup_cell_was_skipped_says_so_and_creates_no_store(tmp_path):
    done = _run_client_in(tmp_path)
    assert "no MLflow store chosen yet" in done.stdout and "setup cell" in done.stdout, done.stdout + done.stderr
    assert not any(tmp_path.iterdir())  # no mlflow.db, no mlruns/


@pytest.mark.server  # a listening socket on 127.0.0.1 that never answers, waited on for 3 s: the slow lane
def test_a_check_against_a_server_that_never_answers_gives_up_in_seconds(tmp_path):
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()
        done = _run_client_in(tmp_path, {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}"})
        took = time.monotonic() - started
    assert f"no MLflow tracking server answers at http://127.0.0.1:{port}" in done.stdout, done.stdout + done.stderr
    assert "within 3 s" in done.stdout
    print(f"gave up after {took:.1f} s (MLflow's own client: about 41 s)")
