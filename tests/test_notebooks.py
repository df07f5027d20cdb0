"""Every notebook and exercise runs top to bottom with papermill (``fast=True``) and says what it should."""

from __future__ import annotations

import nbformat
import pytest

from helpers.checks import (
    VERDICT_CORRECT,
    VERDICT_INCORRECT,
    VERDICT_THOUGHT,
    VERDICT_UNANSWERED,
)
from course.notebooks import (
    course_notebooks,
    describe_failure,
    execute,
    learner_notebooks,
    solution_notebooks,
    stale_learner_notebooks,
)
from helpers.paths import BUILD_DIR, relative

FAST = {"fast": True}


def _run(path, kind):
    out = BUILD_DIR / "test-executed" / kind / path.name
    try:
        execute(path, out, FAST)
    except Exception as error:  # name the notebook and the cell
        pytest.fail(f"{relative(path)}: {describe_failure(error)}", pytrace=False)
    return nbformat.read(out, as_version=4)


def _stream_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
    return "".join(parts)


def _verdicts(text: str) -> list[str]:
    markers = (VERDICT_CORRECT, VERDICT_INCORRECT, VERDICT_UNANSWERED, VERDICT_THOUGHT)
    return [line for line in text.splitlines() if line.startswith(markers)]


def test_there_are_notebooks_and_exercises():
    assert course_notebooks(), "no notebooks found in notebooks/"
    assert solution_notebooks(), "no exercise solutions found in exercises/solutions/"
    assert len(learner_notebooks()) == len(solution_notebooks())


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_notebook_runs(path):
    nb = _run(path, "notebooks")
    assert any(cell.cell_type == "code" and cell.get("outputs") for cell in nb.cells), "notebook produced no output"


@pytest.mark.parametrize("path", solution_notebooks(), ids=lambda p: p.name)
def test_solution_answers_every_question_correctly(path):
    verdicts = _verdicts(_stream_text(_run(path, "solutions")))
    assert verdicts, f"{relative(path)} checks no answer"
    wrong = [v for v in verdicts if not v.startswith((VERDICT_CORRECT, VERDICT_THOUGHT))]
    assert not wrong, f"{relative(path)}: {wrong}"


@pytest.mark.parametrize("path", learner_notebooks(), ids=lambda p: p.name)
def test_learner_version_runs_and_waits_for_answers(path):
    verdicts = _verdicts(_stream_text(_run(path, "learner")))
    assert verdicts and all(v.startswith(VERDICT_UNANSWERED) for v in verdicts), verdicts


def test_learner_notebooks_match_their_solutions():
    stale = [relative(p) for p in stale_learner_notebooks()]
    assert not stale, f"regenerate with `make notebooks`: {stale}"
