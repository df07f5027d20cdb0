"""Every notebook and exercise runs top to bottom with papermill (``fast=True``) and says what it should."""

from __future__ import annotations

import json

import nbformat
import pytest

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


# Appended to an exercise before it runs: prints each question's machine-readable verdict (helpers.checks).
OUTCOMES_CELL = """import json as _json
from helpers.checks import Question as _Question
print("OUTCOMES", _json.dumps({_k: _v.last_outcome for _k, _v in sorted(globals().items()) if isinstance(_v, _Question)}))"""


def _outcomes(path, kind) -> dict[str, str]:
    """{question variable: its last_outcome} after running the exercise ``path`` to the end."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(OUTCOMES_CELL))
    source = BUILD_DIR / "test-executed" / f"{kind}-source" / path.name
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, source)
    lines = [line for line in _stream_text(_run(source, kind)).splitlines() if line.startswith("OUTCOMES ")]
    return json.loads(lines[-1].removeprefix("OUTCOMES "))


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
    outcomes = _outcomes(path, "solutions")
    assert outcomes, f"{relative(path)} defines no question"
    wrong = {name: outcome for name, outcome in outcomes.items() if outcome not in ("correct", "answered")}
    assert not wrong, f"{relative(path)}: {wrong}"


@pytest.mark.parametrize("path", learner_notebooks(), ids=lambda p: p.name)
def test_learner_version_runs_and_waits_for_answers(path):
    outcomes = _outcomes(path, "learner")
    assert outcomes and set(outcomes.values()) == {"unanswered"}, outcomes


def test_learner_notebooks_match_their_solutions():
    stale = [relative(p) for p in stale_learner_notebooks()]
    assert not stale, f"regenerate with `make notebooks`: {stale}"


# The README's papermill examples and "Try it" knobs of notebooks 00, 01 and 03, run as a learner would (claims that
# a knob makes false print a note instead of stopping the notebook).
TRY_IT = [
    ("00_start_here.ipynb", {"scenario": "proxy_bias", "seed": 7}, None),
    ("01_data_drift.ipynb", {"seed": 7, "daily_threshold": 0.1}, "the stable world never fires"),
    ("01_data_drift.ipynb", {"per_day": 100}, None),
    ("03_bias_audit.ipynb", {"cv_repeats": 3, "alarm_per_day": 50}, None),
]


@pytest.mark.notebooks
@pytest.mark.parametrize("name, parameters, note", TRY_IT, ids=lambda v: str(v))
def test_try_it_parameters_run_to_the_end(name, parameters, note):
    from course.notebooks import NOTEBOOK_DIR

    out = BUILD_DIR / "test-executed" / "try-it" / f"{name[:2]}_{'_'.join(map(str, parameters.values()))}.ipynb"
    try:
        execute(NOTEBOOK_DIR / name, out, {**FAST, **parameters}, strict_claims=False)
    except Exception as error:  # name the notebook and the cell
        pytest.fail(f"{name} with {parameters}: {describe_failure(error)}", pytrace=False)
    executed = nbformat.read(out, as_version=4)
    stderr = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []) if o.get("name") == "stderr")
    if note:
        assert f"Claim no longer holds: {note}" in stderr, stderr[-2000:]
