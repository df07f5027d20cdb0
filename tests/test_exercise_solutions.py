"""Every exercise solution runs with papermill (``fast=True``) and each question ends correct (or answered, for a
thought experiment), as its ``last_outcome`` records."""

from __future__ import annotations

import pytest
from notebook_runs import outcomes

from course.notebooks import solution_notebooks
from helpers.paths import relative


@pytest.mark.parametrize("path", solution_notebooks(), ids=lambda p: p.name)
def test_solution_answers_every_question_correctly(path):
    found = outcomes(path, "solutions")
    assert found, f"{relative(path)} defines no question"
    wrong = {name: outcome for name, outcome in found.items() if outcome not in ("correct", "answered")}
    assert not wrong, f"{relative(path)}: {wrong}"
