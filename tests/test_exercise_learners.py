"""Every learner version of an exercise runs to the end with papermill (``fast=True``) and waits for answers."""

from __future__ import annotations

import pytest
from notebook_runs import outcomes

from course.notebooks import learner_notebooks


@pytest.mark.parametrize("path", learner_notebooks(), ids=lambda p: p.name)
def test_learner_version_runs_and_waits_for_answers(path):
    found = outcomes(path, "learner")
    assert found and set(found.values()) == {"unanswered"}, found
