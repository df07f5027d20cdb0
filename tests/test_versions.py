"""helpers.versions: DVC versions the training data in a scratch git repository, and gives every version back."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest

from helpers.paths import build_path
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
