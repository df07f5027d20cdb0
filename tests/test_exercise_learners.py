"""Every learner version of an exercise runs to the end with papermill (``fast=True``) and waits for answers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers.checks import VERDICT_UNANSWERED
from helpers.notebooks import learner_notebooks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_runs import run, stream_text, verdicts  # noqa: E402


@pytest.mark.parametrize("path", learner_notebooks(), ids=lambda p: p.name)
def test_learner_version_runs_and_waits_for_answers(path):
    found = verdicts(stream_text(run(path, "learner")))
    assert found and all(v.startswith(VERDICT_UNANSWERED) for v in found), found
