"""`make run`'s runner: every notebook runs, a failure names the notebook and the cell, the others still run."""

import nbformat

from helpers.__main__ import main
from helpers.notebooks import normalize, print_table, run_all


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("fast = False", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(normalize(nb), path)
    return path


def test_failure_is_reported_with_its_cell_and_the_rest_still_run(tmp_path, capsys):
    bad = _notebook(tmp_path / "01_bad.ipynb", "x = 1", "assert x == 2, 'x should be 2'")
    good = _notebook(tmp_path / "02_good.ipynb", "print('fast is', fast)")
    results = run_all([bad, good], parameters={"fast": True}, out_dir=tmp_path / "out")
    assert [r.ok for r in results] == [False, True]
    assert "cell [4]" in results[0].error and "AssertionError: x should be 2" in results[0].error
    assert (tmp_path / "out" / "html" / "02_good.html").exists()
    executed = nbformat.read(tmp_path / "out" / "executed" / "02_good.ipynb", as_version=4)
    assert "fast is True" in executed.cells[-1].outputs[0]["text"]
    print_table(results)
    out = capsys.readouterr().out
    assert "FAILED 01_bad.ipynb: cell [4]" in out and "1 of 2 notebooks ran" in out


def test_cli_without_command_prints_usage(capsys):
    assert main([]) == 2
    assert "check-env" in capsys.readouterr().out


def test_claims_cells_run_but_stay_out_of_the_html_hand_out(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("fast = False", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('reading path: ' + 'shown')"),
        nbformat.v4.new_code_cell("print('claim: ' + 'checked'); assert 1 + 1 == 2", metadata={"tags": ["claims"]}),
    ]
    normalize(nb)
    assert nb.cells[2].metadata["jupyter"] == {"source_hidden": True}  # collapsed in JupyterLab
    assert "jupyter" not in nb.cells[1].metadata
    path = tmp_path / "01_claims.ipynb"
    nbformat.write(nb, path)
    [result] = run_all([path], out_dir=tmp_path / "out")
    assert result.ok
    executed = nbformat.read(tmp_path / "out" / "executed" / path.name, as_version=4)
    assert "claim: checked" in executed.cells[-1].outputs[0]["text"]  # the claim ran
    html = (tmp_path / "out" / "html" / "01_claims.html").read_text(encoding="utf-8")
    assert "reading path: shown" in html
    assert "claim: checked" not in html and "assert 1 + 1" not in html
