"""`make run`'s runner: every notebook runs, a failure names the notebook and the cell, the others still run."""

import nbformat
import pytest

from course.__main__ import main
from course.notebooks import normalize, print_table, run_all


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


def _children() -> set[int]:
    """PIDs of this process's living descendants (kernels are started as children)."""
    psutil = pytest.importorskip("psutil")
    return {c.pid for c in psutil.Process().children(recursive=True) if c.status() != psutil.STATUS_ZOMBIE}


def test_notebooks_run_in_parallel_in_stable_order_with_their_own_artefacts(tmp_path):
    # each notebook records when its cell ran and writes one file below build/; with two workers the two
    # cells overlap in time, the results keep the order given, and each lists only the file it wrote
    marks = tmp_path / "marks"
    marks.mkdir()
    cell = (
        "import time, pathlib\n"
        "from helpers.paths import build_path\n"
        "start = time.time(); time.sleep(4)\n"
        "pathlib.Path({marks!r}, {name!r}).write_text(f'{{start}} {{time.time()}}')\n"
        "build_path('test-runner', {name!r} + '.txt').write_text('written by ' + {name!r})\n"
    )
    paths = [
        _notebook(tmp_path / f"{name}.ipynb", cell.format(marks=str(marks), name=name)) for name in ("02_b", "01_a")
    ]
    before = _children()
    results = run_all(paths, out_dir=tmp_path / "out", workers=2)
    assert _children() - before == set(), "a kernel outlived make run"
    assert [r.notebook for r in results] == ["02_b.ipynb", "01_a.ipynb"] and all(r.ok for r in results)
    (b_start, b_end), (a_start, a_end) = ([float(x) for x in (marks / n).read_text().split()] for n in ("02_b", "01_a"))
    assert a_start < b_end and b_start < a_end, "the two notebooks did not run at the same time"
    assert "build/test-runner/02_b.txt" in results[0].artefacts
    assert "build/test-runner/01_a.txt" not in results[0].artefacts
    assert "build/test-runner/01_a.txt" in results[1].artefacts
    assert all(r.seconds >= 4 for r in results)  # each notebook's own time, its kernel's start included


def test_a_dead_kernel_names_the_notebook_the_cell_and_the_likely_cause(tmp_path, capsys):
    # the kernel is killed as the system's out-of-memory killer would (SIGKILL): no Python error of its own
    dying = _notebook(tmp_path / "03_dies.ipynb", "x = 1",
                      "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "print('never')")
    good = _notebook(tmp_path / "04_good.ipynb", "print('fine')")
    before = _children()
    results = run_all([dying, good], out_dir=tmp_path / "out")
    assert _children() - before == set(), "a kernel outlived make run"
    assert [r.ok for r in results] == [False, True]
    error = results[0].error
    assert "kernel died while cell" in error and "`import os, signal`" in error and "memory" in error
    print_table(results)
    assert "FAILED 03_dies.ipynb: the kernel died while cell" in capsys.readouterr().out


def test_ctrl_c_during_make_run_stops_the_kernels_starts_no_more_and_names_what_did_not_run(tmp_path):
    """``python -m course run`` gets SIGINT once its first kernel runs: it exits non-zero within 10 s, without a
    traceback, naming the notebooks that did not run, and no process it started survives (checked by PID)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from course.notebooks import course_notebooks
    from helpers.paths import REPO_ROOT, relative

    log = tmp_path / "run.log"
    process = subprocess.Popen([sys.executable, "-m", "course", "run"], cwd=REPO_ROOT, stdout=log.open("w"),
                               stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        kernels: list = []
        while not kernels and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            children = psutil.Process(process.pid).children(recursive=True)
            seen |= {c.pid for c in children}
            kernels = [c for c in children if "ipykernel" in " ".join(_cmdline(c))]
        assert kernels, f"no kernel started: {log.read_text()}"
        time.sleep(1)
        seen |= {c.pid for c in psutil.Process(process.pid).children(recursive=True)}
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        code = process.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    output = log.read_text()
    assert took < 10 and code != 0, (took, code, output)
    assert "Traceback" not in output, output
    assert "Did not run:" in output and relative(course_notebooks()[-1]) in output, output
    alive = [pid for pid in seen if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert not alive, f"left running: {alive}"


def _cmdline(process) -> list[str]:
    import psutil

    try:
        return process.cmdline()
    except psutil.Error:
        return []


def test_normalize_writes_the_full_language_info_the_kernel_reports(tmp_path):
    """JupyterLab writes the kernel's language_info into a notebook it opens; a notebook committed with less opens
    marked modified. The kernel's own report (kept by papermill) is what normalize() writes."""
    from course.notebooks import execute, language_info

    path = _notebook(tmp_path / "00_tiny.ipynb", "print('hello')")
    written = nbformat.read(path, as_version=4).metadata["language_info"]
    bare = nbformat.read(path, as_version=4)
    bare.metadata["language_info"] = {"name": "python"}  # what notebooks were committed with
    nbformat.write(bare, path)
    execute(path, tmp_path / "out.ipynb")
    reported = nbformat.read(tmp_path / "out.ipynb", as_version=4).metadata["language_info"]  # the kernel's reply
    assert reported == language_info() == written
    assert {"codemirror_mode", "file_extension", "mimetype", "name", "nbconvert_exporter", "pygments_lexer",
            "version"} <= set(reported)  # fmt: skip
