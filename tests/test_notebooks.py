"""Every notebook runs top to bottom with papermill (``fast=True``) and says what it should; the exercises' runs are
in ``test_exercise_solutions.py`` and ``test_exercise_learners.py``, the "Try it" knobs in ``test_try_it.py``."""

from __future__ import annotations

import pytest
from notebook_runs import run

from course.notebooks import course_notebooks, learner_notebooks, solution_notebooks, stale_learner_notebooks
from helpers.paths import relative


def test_there_are_notebooks_and_exercises():
    assert course_notebooks(), "no notebooks found in notebooks/"
    assert solution_notebooks(), "no exercise solutions found in exercises/solutions/"
    assert len(learner_notebooks()) == len(solution_notebooks())


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_notebook_runs(path):
    nb = run(path, "notebooks")
    assert any(cell.cell_type == "code" and cell.get("outputs") for cell in nb.cells), "notebook produced no output"


def test_learner_notebooks_match_their_solutions():
    stale = [relative(p) for p in stale_learner_notebooks()]
    assert not stale, f"regenerate with `make notebooks`: {stale}"
