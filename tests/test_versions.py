"""helpers.versions: DVC versions the training data in a scratch git repository, and gives every version back."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.paths import BUILD_DIR, REPO_ROOT, build_path
from helpers.versions import DataRepo, file_md5


def _frame(first: int, rows: int) -> pd.DataFrame:
    return pd.DataFrame({"day": range(first, first + rows), "income": [40_000.5 + i for i in range(rows)]})


@pytest.fixture
def repo():
    return DataRepo.create(build_path("test-versions", f"repo-{os.getpid()}"))


def test_round_trip_restores_the_earlier_version_byte_for_byte(repo):
    first = repo.save(_frame(0, 500), "train.csv", "Training data: days 0-59", "2024-03-01")
    old_bytes = (repo.root / "train.csv").read_bytes()
    second = repo.save(_frame(90, 300), "train.csv", "Training data: days 90-119", "2024-05-30")
    new_bytes = (repo.root / "train.csv").read_bytes()
    assert old_bytes != new_bytes and first != second

    # going back: git puts the old train.csv.dvc in place, DVC the old bytes from its cache
    assert repo.checkout(first, "train.csv") == hashlib.md5(old_bytes).hexdigest()
    assert (repo.root / "train.csv").read_bytes() == old_bytes

    # reading by revision after the cache is gone: the bytes come from the named remote
    repo.wipe_cache()
    assert not (repo.root / ".dvc" / "cache").exists()
    assert repo.read("train.csv", second, remote="local") == new_bytes
    assert repo.read("train.csv", first, remote="local") == old_bytes

    # ... and forward again
    assert repo.checkout(second, "train.csv") == hashlib.md5(new_bytes).hexdigest()


def test_versions_lists_what_each_commit_pins(repo):
    frames = [_frame(0, 200), _frame(200, 100)]
    expected = []
    for i, frame in enumerate(frames):
        repo.save(frame, "data/train.csv", f"version {i}", f"2024-0{i + 1}-15")
        raw = (repo.root / "data" / "train.csv").read_bytes()
        expected.append((hashlib.md5(raw).hexdigest(), len(raw)))
    table = repo.versions("data/train.csv")
    assert table["message"].tolist() == ["version 0", "version 1"]
    assert table["date"].tolist() == ["2024-01-15", "2024-02-15"]  # the simulated dates, not the wall clock
    assert list(zip(table["md5"], table["size"])) == expected
    assert file_md5(repo.root / "data" / "train.csv") == expected[1][0]


def test_commit_ids_do_not_depend_on_where_or_when_the_repository_is_made():
    ids = []
    for name in ("a", "b"):
        repo = DataRepo.create(build_path("test-versions", f"ids-{os.getpid()}-{name}"))
        ids.append(repo.save(_frame(0, 50), "train.csv", "Training data", "2024-03-01"))
    assert ids[0] == ids[1]


def test_analytics_are_off_and_the_log_reads_as_commands(repo):
    repo.save(_frame(0, 10), "train.csv", "first", "2024-03-01")
    assert "analytics = False" in (repo.root / ".dvc" / "config").read_text()
    assert os.environ.get("DVC_NO_ANALYTICS") == "1"
    assert "dvc add train.csv" in repo.log and "dvc push --remote local" in repo.log


def test_bad_input_is_named(repo, tmp_path):
    with pytest.raises(ValueError, match="below build/"):
        DataRepo.create(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="no rows"):
        repo.save(_frame(0, 0), "train.csv", "empty", "2024-03-01")
    with pytest.raises(ValueError, match="inside the data repository"):
        repo.save(_frame(0, 5), "../outside.csv", "escape", "2024-03-01")
    with pytest.raises(RuntimeError, match="git checkout"):
        repo.checkout("0" * 40, "train.csv")


# ------------------------------------------------------------------------------------------------ no data loss
# Before: `DataRepo.create(folder, remote=<any folder>)` emptied the remote folder wherever it was (only `folder` was
# checked to lie below build/). Now nothing outside build/ is deleted, and nothing create did not make.


def test_a_remote_outside_build_is_refused_and_left_untouched(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(ValueError, match=r"remote .*thesis.* must lie below build/"):
        DataRepo.create(build_path("test-versions", f"outside-{os.getpid()}"), remote=precious)
    assert (precious / "chapter1.tex").read_text() == "years of work"


def test_a_folder_below_build_that_create_did_not_make_is_not_emptied():
    mine = build_path("test-versions", f"not-made-here-{os.getpid()}", "notes.txt")
    mine.write_text("kept")
    for kwargs in ({"folder": mine.parent}, {"folder": build_path("test-versions", f"r-{os.getpid()}"),
                                             "remote": mine.parent}):
        name = "remote" if "remote" in kwargs else "folder"
        with pytest.raises(ValueError, match=rf"{name} .*not-made-here.* was not made by DataRepo.create"):
            DataRepo.create(**kwargs)
    assert mine.read_text() == "kept"


def test_what_create_made_is_emptied_when_it_is_made_again():
    folder = build_path("test-versions", f"again-{os.getpid()}")
    first = DataRepo.create(folder)
    (first.remote / "stale").write_text("x")
    (first.root / "stale").write_text("x")
    second = DataRepo.create(folder)
    assert not (second.remote / "stale").exists() and not (second.root / "stale").exists()


def test_folder_and_remote_must_be_apart_and_the_site_cache_stays_in_build():
    folder = build_path("test-versions", f"apart-{os.getpid()}")
    with pytest.raises(ValueError, match="separate folders"):
        DataRepo.create(folder, remote=folder / "remote")
    with pytest.raises(ValueError, match="folder must be a folder path"):
        DataRepo.create("")
    repo = DataRepo.create(folder)
    repo.save(_frame(0, 5), "train.csv", "first", "2024-03-01")
    assert f"site_cache_dir = {BUILD_DIR / 'dvc-site-cache'}" in (repo.root / ".dvc" / "config.local").read_text()
    assert any((BUILD_DIR / "dvc-site-cache" / "repo").iterdir())
    assert "DVC_SITE_CACHE_DIR" not in os.environ  # set only while DVC runs


def test_dvc_writes_nothing_outside_the_clone(tmp_path):
    # HOME and TMPDIR point at empty folders; DVC's site cache would otherwise go to /var/tmp/dvc/repo/<hash>
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    scratch.mkdir()
    folder = build_path("test-versions", f"outside-{os.getpid()}")
    code = (f"from helpers.versions import DataRepo; import pandas as pd\n"
            f"repo = DataRepo.create({str(folder)!r})\n"
            f"rev = repo.save(pd.DataFrame({{'day': [0, 1]}}), 'train.csv', 'first', '2024-03-01')\n"
            f"repo.wipe_cache(); repo.read('train.csv', rev)\n")
    env = {k: v for k, v in os.environ.items() if k != "DVC_SITE_CACHE_DIR"}
    env.update(HOME=str(home), TMPDIR=str(scratch), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_CONFIG_HOME=str(home / ".config"))
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-800:]
    assert not any(home.iterdir()) and not any(scratch.iterdir()), (list(home.rglob("*")), list(scratch.rglob("*")))
    site = Path("/var/tmp/dvc/repo")
    mentions = [p for p in site.rglob("*") if p.is_file() and str(folder).encode() in p.read_bytes()] \
        if site.is_dir() else []
    assert not mentions, f"DVC's default site cache names this repository: {mentions}"
