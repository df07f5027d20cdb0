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
    assert all(c.metadata.get("jupyter") == {"source_hidden": True} and "claim(" in c.source for c in claims)


def test_notebooks_00_01_03_claims_use_claim_with_a_message():
    """A false claim names itself (helpers.claims.claim), and a learner's other parameters only print a note."""
    import ast

    import pytest

    for name in ("00_start_here.ipynb", "01_data_drift.ipynb", "03_bias_audit.ipynb"):
        nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        claims = [c for c in nb.cells if "claims" in c.metadata.get("tags", [])]
        assert len(claims) >= 8, name
        for cell in claims:
            assert cell.metadata.get("jupyter") == {"source_hidden": True}, (name, cell.source[:80])
            tree = ast.parse(cell.source)
            if any(isinstance(node, ast.Assert) for node in ast.walk(tree)):
                pytest.fail(f"{name}: a bare assert in a claims cell: {cell.source[:120]!r}")
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "claim"]
            assert calls, (name, cell.source[:120])
            assert all(len(call.args) == 2 for call in calls), (name, cell.source[:120])
