"""Claims cells (the asserts behind a notebook's prose) keep their hidden source when notebooks are refreshed."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course.notebooks import NOTEBOOK_DIR, normalize


def test_normalize_keeps_hidden_source_of_claims_cells_only():
    claims = new_code_cell("assert True", metadata={"tags": ["claims"], "jupyter": {"source_hidden": True}})
    other = new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}, "execution": {"iopub.status.idle": "2025-01-01T00:00:00Z"}})
    nb = normalize(new_notebook(cells=[claims, other]))
    assert nb.cells[0].metadata == {"tags": ["claims"], "jupyter": {"source_hidden": True}}
    assert nb.cells[1].metadata == {}


def test_notebook_05_claims_cells_are_hidden_and_assert_something():
    nb = nbformat.read(NOTEBOOK_DIR / "05_silent_failure.ipynb", as_version=4)
    claims = [c for c in nb.cells if "claims" in c.metadata.get("tags", [])]
    assert len(claims) >= 10
    for cell in claims:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
        assert "claim(" in cell.source or "assert " in cell.source
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata.get("tags") == ["parameters"] and "seed = " in first_code.source and "fast = " in first_code.source
