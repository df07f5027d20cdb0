"""Executing the course's notebooks: ``make run`` (to build/, with HTML) and ``make notebooks`` (refresh in place).

* ``run_all`` executes every notebook in ``notebooks/`` with papermill into ``build/executed/``, renders each to
  ``build/html/`` (the hand-outs: cells tagged ``claims``, the checks of the prose, are left out), and prints a
  table (notebook, status, seconds, artefacts written). A failing notebook is reported with the cell that failed,
  the others still run, and the exit status is non-zero.
* ``refresh_committed`` re-executes the committed notebooks in place from a clean kernel (their outputs are what
  nbval checks), executes the exercise solutions, and regenerates the learner exercises from the solutions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.paths import BUILD_DIR, REPO_ROOT, relative

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
EXERCISE_DIR = REPO_ROOT / "exercises"
SOLUTION_DIR = EXERCISE_DIR / "solutions"
KERNEL = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
CELL_TIMEOUT_SECONDS = 600
#: Cells holding the checks of the prose: run by papermill and nbval, collapsed in JupyterLab, left out of the HTML.
CLAIMS_TAG = "claims"
# The kernel's own log (e.g. its start-up notice about local TCP transport) goes to the terminal, not the notebook;
# keep only its errors so that `make run` prints the table and nothing else. Notebook output is unaffected.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def course_notebooks() -> list[Path]:
    """The lesson notebooks, in course order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def solution_notebooks() -> list[Path]:
    """The exercise solutions (the source the learner exercises are generated from)."""
    return sorted(SOLUTION_DIR.glob("ex[0-9][0-9]_*.ipynb"))


def learner_notebooks() -> list[Path]:
    """The generated learner exercises."""
    return sorted(EXERCISE_DIR.glob("ex[0-9][0-9]_*.ipynb"))


@dataclass
class RunResult:
    notebook: str
    ok: bool
    seconds: float
    artefacts: list[str] = field(default_factory=list)
    error: str = ""


def describe_failure(error: Exception) -> str:
    """One line naming the failing cell and the error.

    The cell is given by its execution count in the executed copy (``[4]``, the number Jupyter shows beside it;
    papermill's injected-parameters cell counts too) and its first line of source.
    """
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        first_line = next((ln for ln in error.source.splitlines() if ln.strip()), "")
        return f"cell [{error.exec_count}] (`{first_line[:60]}`) raised {error.ename}: {error.evalue}"
    return f"{type(error).__name__}: {error}"


def execute(path: Path, output: Path, parameters: dict | None = None) -> None:
    """Execute ``path`` with papermill into ``output`` (cwd = the notebook's folder, kernel ``python3``)."""
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(path),
        str(output),
        parameters=parameters or {},
        kernel_name=KERNEL,
        cwd=str(path.parent),
        progress_bar=False,
        log_output=False,
        execution_timeout=CELL_TIMEOUT_SECONDS,
        extra_arguments=KERNEL_ARGUMENTS,
    )


def _to_html(executed: Path, html: Path) -> None:
    """Render an executed notebook as the HTML hand-out, without the cells tagged ``claims``."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {CLAIMS_TAG}
    body, _ = HTMLExporter(config=config).from_notebook_node(nbformat.read(executed, as_version=4))
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")


def _files_under(folder: Path) -> dict[Path, float]:
    if not folder.exists():
        return {}
    return {p: p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def run_all(
    notebooks: list[Path] | None = None, parameters: dict | None = None, out_dir: Path = BUILD_DIR
) -> list[RunResult]:
    """Execute notebooks into ``out_dir``/executed/ and render HTML into ``out_dir``/html/ (default: build/).

    Every notebook runs even when an earlier one fails; returns one result per notebook, in order.
    """
    results = []
    for path in notebooks or course_notebooks():
        executed = out_dir / "executed" / path.name
        html = out_dir / "html" / path.with_suffix(".html").name
        before = _files_under(BUILD_DIR)
        started = time.perf_counter()
        try:
            execute(path, executed, parameters)
            ok, error = True, ""
        except Exception as exc:  # report and carry on with the next notebook
            ok, error = False, describe_failure(exc)
        seconds = time.perf_counter() - started
        if executed.exists():
            _to_html(executed, html)
        after = {**_files_under(BUILD_DIR), **{p: p.stat().st_mtime for p in (executed, html) if p.exists()}}
        written = sorted({relative(p) for p, m in after.items() if before.get(p) != m and "mlflow" not in p.parts})
        results.append(RunResult(relative(path), ok, seconds, written, error))
    return results


def print_table(results: list[RunResult]) -> None:
    """Print the run table: notebook, status, seconds, artefacts written."""
    width = max([len(r.notebook) for r in results] + [8])
    print(f"{'notebook':<{width}}  status  seconds  artefacts written")
    for r in results:
        status = "ok" if r.ok else "FAILED"
        shown = ", ".join(r.artefacts[:4]) + (f" (+{len(r.artefacts) - 4} more)" if len(r.artefacts) > 4 else "")
        print(f"{r.notebook:<{width}}  {status:<6}  {r.seconds:7.1f}  {shown}")
    for r in results:
        if not r.ok:
            print(f"FAILED {r.notebook}: {r.error}")
    total = sum(r.seconds for r in results)
    print(f"{sum(r.ok for r in results)} of {len(results)} notebooks ran; {total:.1f} s in notebooks.")


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what varies between runs (execution timings, papermill metadata) and set kernelspec python3.

    Cells tagged ``claims`` keep (or get) ``jupyter.source_hidden``: JupyterLab shows them collapsed.
    """
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    for cell in nb.cells:
        for key in ("execution", "papermill", "collapsed", "scrolled", "jupyter", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if CLAIMS_TAG in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True}
    return nb


def execute_in_place(path: Path, timeout: int = CELL_TIMEOUT_SECONDS) -> None:
    """Execute ``path`` top to bottom in a clean kernel and save it with its outputs (normalised)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    normalize(nb)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        extra_arguments=KERNEL_ARGUMENTS,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    normalize(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)


def clear_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def refresh_committed(only: list[str] | None = None) -> None:
    """Re-execute notebooks/ and exercises/solutions/ in place, then regenerate the learner exercises.

    ``only``: optional substrings; just the notebooks whose file name contains one of them are executed.
    """
    from helpers.checks import generate_learner_notebooks

    targets = course_notebooks() + solution_notebooks()
    if only:
        targets = [p for p in targets if any(s in p.name for s in only)]
    for path in targets:
        started = time.perf_counter()
        execute_in_place(path)
        print(f"executed {relative(path)} in {time.perf_counter() - started:.1f} s")
    for path in generate_learner_notebooks():
        print(f"generated {relative(path)}")
