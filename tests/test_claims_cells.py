"""Cells tagged ``claims`` (the checks of a notebook's prose) stay collapsed after ``make notebooks`` and check
something: ``claim(condition, "the claim in words")`` (``helpers.claims``) or, in cells not yet converted, ``assert``.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.notebooks import NOTEBOOK_DIR, course_notebooks, normalize

CHECKS = re.compile(r"^\s*(claim\(|assert\b)", re.MULTILINE)


def test_normalize_collapses_claims_cells_and_strips_the_rest():
    claims = new_code_cell("claim(True, 'x')", metadata={"tags": ["claims"]})
    hidden = new_code_cell("assert True", metadata={"tags": ["claims"], "jupyter": {"source_hidden": True}})
    other = new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}, "scrolled": True,
                                             "execution": {"iopub.status.idle": "2025-01-01T00:00:00Z"}})
    nb = normalize(new_notebook(cells=[claims, hidden, other]))
    assert nb.cells[0].metadata == {"tags": ["claims"], "jupyter": {"source_hidden": True}}
    assert nb.cells[1].metadata == {"tags": ["claims"], "jupyter": {"source_hidden": True}}
    assert nb.cells[2].metadata == {}


def test_the_check_pattern_tells_a_check_from_a_mention():
    assert CHECKS.search("# the text's figure\nclaim(x > 1, 'more than one')")
    assert CHECKS.search("assert x > 1")
    assert not CHECKS.search("# claims about x, asserted elsewhere\nprint(x)")


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_claims_cells_are_collapsed_and_check_something(path):
    nb = nbformat.read(path, as_version=4)
    claims = [c for c in nb.cells if "claims" in c.metadata.get("tags", [])]
    for cell in claims:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]
        assert CHECKS.search(cell.source), f"a claims cell checks nothing: {cell.source[:80]!r}"


@pytest.mark.parametrize("name, at_least", [("05_silent_failure.ipynb", 10), ("06_safe_updates.ipynb", 8)])
def test_the_monitoring_notebooks_back_their_text_with_claims(name, at_least):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    assert sum("claims" in c.metadata.get("tags", []) for c in nb.cells) >= at_least
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata.get("tags") == ["parameters"]
    assert re.search(r"^seed = ", first_code.source, re.M) and re.search(r"^fast = ", first_code.source, re.M)
