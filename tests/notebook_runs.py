"""Shared by the papermill test files: run a notebook with ``fast=True`` and read the verdicts its checks printed.

The runs are split over three files (course notebooks, exercise solutions, learner versions) so that pytest-xdist's
``--dist loadfile`` gives them to different workers."""

from __future__ import annotations

import nbformat
import pytest

from helpers.checks import VERDICT_CORRECT, VERDICT_INCORRECT, VERDICT_THOUGHT, VERDICT_UNANSWERED
from helpers.notebooks import describe_failure, execute
from helpers.paths import BUILD_DIR, relative

FAST = {"fast": True}


def run(path, kind):
    """Execute ``path`` into build/test-executed/<kind>/ and return the executed notebook (fail naming the cell)."""
    out = BUILD_DIR / "test-executed" / kind / path.name
    try:
        execute(path, out, FAST)
    except Exception as error:  # name the notebook and the cell
        pytest.fail(f"{relative(path)}: {describe_failure(error)}", pytrace=False)
    return nbformat.read(out, as_version=4)


def stream_text(nb) -> str:
    """Everything the notebook printed (its stream outputs), in order."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
    return "".join(parts)


def verdicts(text: str) -> list[str]:
    """The lines of ``text`` that are a check's verdict."""
    markers = (VERDICT_CORRECT, VERDICT_INCORRECT, VERDICT_UNANSWERED, VERDICT_THOUGHT)
    return [line for line in text.splitlines() if line.startswith(markers)]
