"""Claims cells (the checks behind a notebook's prose): collapsed in JupyterLab, and each one checks something with
``claim(condition, "the claim in words")``, so a false claim names itself and a learner's run only prints a note."""

from __future__ import annotations

import ast

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.notebooks import course_notebooks, normalize


def test_normalize_collapses_claims_cells_and_strips_the_rest():
    claims = new_code_cell("claim(True, 'x')", metadata={"tags": ["claims"]})
    hidden = new_code_cell("claim(True, 'y')", metadata={"tags": ["claims"], "jupyter": {"source_hidden": True}})
    other = new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}, "scrolled": True,
                                             "execution": {"iopub.status.idle": "2025-01-01T00:00:00Z"}})
    nb = normalize(new_notebook(cells=[claims, hidden, other]))
    assert nb.cells[0].metadata == {"tags": ["claims"], "jupyter": {"source_hidden": True}}
    assert nb.cells[1].metadata == {"tags": ["claims"], "jupyter": {"source_hidden": True}}
    assert nb.cells[2].metadata == {}


def _claim_calls(source: str) -> list[ast.Call]:
    tree = ast.parse(source)
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "claim"]


def test_the_check_finder_tells_a_claim_from_a_mention():
    assert len(_claim_calls("# the text's figure\nclaim(x > 1, 'more than one')")) == 1
    assert _claim_calls("# claims about x, checked elsewhere\nprint(x)") == []


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_claims_cells_are_collapsed_and_each_claim_says_what_it_checks(path):
    nb = nbformat.read(path, as_version=4)
    claims = [c for c in nb.cells if "claims" in c.metadata.get("tags", [])]
    assert len(claims) >= 5, f"{path.name} backs its text with only {len(claims)} claims cells"
    for cell in claims:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.Assert) for n in ast.walk(tree)), f"a bare assert: {cell.source[:120]!r}"
        calls = _claim_calls(cell.source)
        assert calls, f"a claims cell checks nothing: {cell.source[:120]!r}"
        assert all(len(c.args) + len(c.keywords) == 2 for c in calls), f"a claim without words: {cell.source[:120]!r}"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_the_first_code_cell_holds_the_knobs(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata.get("tags") == ["parameters"]
    assert "seed = " in first_code.source and "fast = " in first_code.source, path.name
