"""Every exercise solution runs with papermill (``fast=True``) and each of its checks says Correct (or thanks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers.checks import VERDICT_CORRECT, VERDICT_THOUGHT
from helpers.notebooks import solution_notebooks
from helpers.paths import relative

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_runs import run, stream_text, verdicts  # noqa: E402


@pytest.mark.parametrize("path", solution_notebooks(), ids=lambda p: p.name)
def test_solution_answers_every_question_correctly(path):
    found = verdicts(stream_text(run(path, "solutions")))
    assert found, f"{relative(path)} checks no answer"
    wrong = [v for v in found if not v.startswith((VERDICT_CORRECT, VERDICT_THOUGHT))]
    assert not wrong, f"{relative(path)}: {wrong}"
