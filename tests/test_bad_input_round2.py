"""Round two of the bad-input table (``tests/bad_input_cases.py``): each case gets the expected error type and a
message naming the parameter, file or value; numpy scalars and numpy bools are accepted where numbers and booleans
are. Nothing the table makes lies outside ``build/`` (but one folder in TMPDIR that a case must leave untouched)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bad_input_cases as table  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _scratch():
    yield
    shutil.rmtree(table.SCRATCH, ignore_errors=True)
    shutil.rmtree(table.outside_folder(), ignore_errors=True)


@pytest.mark.parametrize("call, error, names", [c[1:] for c in table.CASES], ids=[c[0] for c in table.CASES])
def test_bad_input_gets_a_clear_error(call, error, names):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value.args[0]) if isinstance(caught.value, KeyError) else str(caught.value)
    assert re.search(names, message), f"the message does not name what is wrong: {message!r}"


@pytest.mark.parametrize("call, check", [c[1:] for c in table.ACCEPTED], ids=[c[0] for c in table.ACCEPTED])
def test_numpy_scalars_are_numbers_and_numpy_bools_booleans(call, check):
    assert check(call())


def test_a_folder_outside_build_survives_being_named_as_a_remote():
    outside = table.outside_folder()
    with pytest.raises(ValueError, match="must lie below build/"):
        table.versions.DataRepo.create(table.SCRATCH / "survivor", remote=outside)
    assert (outside / "precious.txt").read_text() == "must survive"


def test_the_table_is_large_enough():
    assert len(table.CASES) >= 120
    assert len({c[0] for c in table.CASES}) == len(table.CASES), "case ids must be unique"
