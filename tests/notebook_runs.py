"""Shared by the papermill test files: run a notebook with ``fast=True``; read each exercise question's verdict.

The runs live in several files (course notebooks, exercise solutions, learner versions, the "Try it" knobs); each
run is a unit of its own for pytest-xdist (``tests/conftest.py``), so the workers share them out one by one."""

from __future__ import annotations

import json

import nbformat
import pytest

from course.notebooks import describe_failure, execute
from helpers.paths import BUILD_DIR, relative

FAST = {"fast": True}

# Appended to an exercise before it runs: prints each question's machine-readable verdict (helpers.exercises.checks).
OUTCOMES_CELL = """import json as _json
from helpers.exercises.checks import Question as _Question
print("OUTCOMES", _json.dumps({_k: _v.last_outcome for _k, _v in sorted(globals().items()) if isinstance(_v, _Question)}))"""


def run(path, kind, parameters: dict | None = None, strict_claims: bool = True):
    """Execute ``path`` into build/test-executed/<kind>/ and return the executed notebook (fail naming the cell)."""
    out = BUILD_DIR / "test-executed" / kind / path.name
    try:
        execute(path, out, {**FAST, **(parameters or {})}, strict_claims=strict_claims)
    except Exception as error:  # name the notebook and the cell
        pytest.fail(f"{relative(path)} with {parameters or FAST}: {describe_failure(error)}", pytrace=False)
    return nbformat.read(out, as_version=4)


def stream_text(nb, name: str | None = None) -> str:
    """Everything the notebook printed (its stream outputs, or only ``name``: "stdout"/"stderr"), in order."""
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and name in (None, o.get("name")))


def outcomes(path, kind) -> dict[str, str]:
    """{question variable: its ``last_outcome``} after running the exercise ``path`` to the end."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(OUTCOMES_CELL))
    source = BUILD_DIR / "test-executed" / f"{kind}-source" / path.name
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, source)
    lines = [line for line in stream_text(run(source, kind)).splitlines() if line.startswith("OUTCOMES ")]
    assert lines, f"{relative(path)} did not reach its last cell"
    return json.loads(lines[-1].removeprefix("OUTCOMES "))
