"""Cells tagged ``claims`` (the checks of a notebook's prose) stay collapsed after ``make notebooks``."""

from __future__ import annotations

import nbformat

from course.notebooks import NOTEBOOK_DIR, normalize


def test_normalize_keeps_claims_cells_collapsed_and_strips_the_rest():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("assert True", metadata={"tags": ["claims"]}),
                nbformat.v4.new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}, "scrolled": True})]
    normalize(nb)
    assert nb.cells[0].metadata["jupyter"] == {"source_hidden": True}
    assert "jupyter" not in nb.cells[1].metadata and "scrolled" not in nb.cells[1].metadata


def test_notebook_06_claims_are_collapsed_and_hold_asserts():
    nb = nbformat.read(NOTEBOOK_DIR / "06_safe_updates.ipynb", as_version=4)
    claims = [c for c in nb.cells if "claims" in c.metadata.get("tags", [])]
    assert len(claims) >= 8
    assert all(c.metadata.get("jupyter") == {"source_hidden": True} and "assert" in c.source for c in claims)
