"""Executing the course's notebooks: ``make run`` (to build/, with HTML) and ``make notebooks`` (refresh in place).

* ``run_all`` executes every notebook in ``notebooks/`` with papermill into ``build/executed/``, renders each to
  ``build/html/`` with the learner exercises (the hand-outs: cells tagged ``claims``, the checks of the prose, are
  left out; each page titled with its first heading; no script loaded from outside), and prints a
  table (notebook, status, seconds, artefacts written). A failing notebook is reported with the cell that failed,
  the others still run, and the exit status is non-zero.
* ``refresh_committed`` re-executes the committed notebooks in place from a clean kernel (their outputs are what
  nbval checks), executes the exercise solutions, and regenerates the learner exercises from the solutions.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.handouts import write_index
from helpers.paths import ARTEFACT_LOG_VARIABLE, BUILD_DIR, REPO_ROOT, relative

__all__ = [
    "NOTEBOOK_DIR", "EXERCISE_DIR", "SOLUTION_DIR", "KERNEL", "KERNELSPEC", "CELL_TIMEOUT_SECONDS",
    "CLAIMS_TAG", "KERNEL_ARGUMENTS", "course_notebooks", "solution_notebooks", "learner_notebooks",
    "RunResult", "RunInterrupted", "describe_failure", "TEMPLATE_DIR", "to_html", "render_exercises", "execute", "cores", "run_all", "print_table", "run_and_report",
    "language_info", "normalize", "execute_in_place", "clear_outputs", "SOLUTION_TAG", "strip_solutions", "learner_path_for",
    "generate_learner_notebooks", "stale_learner_notebooks", "refresh_committed",
]

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
EXERCISE_DIR = REPO_ROOT / "exercises"
SOLUTION_DIR = EXERCISE_DIR / "solutions"
KERNEL = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
CELL_TIMEOUT_SECONDS = 600
#: Cells holding the checks of the prose: run by papermill and nbval, collapsed in JupyterLab, left out of the HTML.
CLAIMS_TAG = "claims"
# The kernel's own log (its start-up notice about local TCP transport; at shutdown, "KeyboardInterrupt caught in
# kernel", logged as an error because jupyter_client interrupts every kernel before asking it to shut down) goes to
# the terminal, not the notebook: keep it out, so that `make run` prints the table and nothing else. A notebook's
# errors are in its outputs and in the run table; a kernel that dies is reported there too.
#
# At exit, Python's last garbage collection walks every object the notebook's libraries created (Evidently, MLflow,
# scikit-learn ...): 2-3 s per notebook, spent after the last cell, on memory the operating system reclaims anyway.
# gc.freeze, registered first so that it runs after every other exit handler (MLflow ending its runs ...), moves
# those objects out of the collector's reach; nothing a notebook computes or writes changes.
KERNEL_ARGUMENTS = [
    "--IPKernelApp.log_level=CRITICAL",
    "--IPKernelApp.exec_lines=import atexit, gc; atexit.register(gc.freeze)",
]


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


def _first_line(source: str) -> str:
    return next((ln for ln in source.splitlines() if ln.strip()), "")[:60]


def describe_failure(error: Exception, executed: Path | None = None) -> str:
    """One line naming the failing cell and the error.

    The cell is given by its execution count in the executed copy (``[4]``, the number Jupyter shows beside it;
    papermill's injected-parameters cell counts too) and its first line of source. When the kernel died (it raises
    no error of its own: most often the system stopped it for using too much memory), the cell is the last one that
    started, read from the executed copy ``executed`` that papermill saves as each cell starts.
    """
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return f"cell [{error.exec_count}] (`{_first_line(error.source)}`) raised {error.ename}: {error.evalue}"
    if isinstance(error, DeadKernelError):
        cell = _last_started_cell(executed)
        return (
            f"the kernel died while {cell} was running, without an error of its own: most likely it ran out of "
            f"memory and the system stopped it. Close other programs or use smaller parameters (e.g. fast=True), "
            f"then run it again"
        )
    return f"{type(error).__name__}: {error}"


def _last_started_cell(executed: Path | None) -> str:
    """``cell [7] (`first line`)`` for the last cell papermill started in ``executed``, or "a cell" if unknown."""
    if executed is None or not executed.exists():
        return "a cell"
    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # noqa: BLE001 - a half-written copy: say what we can
        return "a cell"
    started = [
        (index, cell)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if not started:
        return "a cell (before the first one started)"
    index, cell = started[-1]
    label = f"[{cell.execution_count}]" if cell.get("execution_count") else f"number {index + 1}"
    return f"cell {label} (`{_first_line(cell.source)}`)"


def execute(
    path: Path,
    output: Path,
    parameters: dict | None = None,
    extra_arguments: list[str] | None = None,
    strict_claims: bool = True,
) -> None:
    """Execute ``path`` with papermill into ``output`` (cwd = the notebook's folder, kernel ``python3``).

    The kernel's environment has ``MLFLOW_DISABLE_TELEMETRY=true`` whatever the notebook imports first.
    ``extra_arguments`` are added to the kernel's command line. ``strict_claims`` (the course's own runs) makes a
    false claim fail the notebook; ``False`` runs it as a learner would, where a false claim prints a note
    (``helpers.claims``).
    """
    import papermill as pm

    from course.environment import apply_course_environment
    from helpers.claims import STRICT_ENV

    apply_course_environment()  # IPython's folders below build/, not in the home folder (inherited by the kernel)
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"  # inherited by the kernel: nothing phones home
    os.environ[STRICT_ENV] = "1" if strict_claims else "0"  # inherited by the kernel
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
        extra_arguments=[*KERNEL_ARGUMENTS, *(extra_arguments or [])],
    )


#: nbconvert's templates for the hand-outs: ``handout`` is JupyterLab's look without the scripts it loads from a CDN.
TEMPLATE_DIR = Path(__file__).parent / "templates"


def to_html(notebook: Path, html: Path) -> None:
    """Render ``notebook`` as an HTML hand-out: without the cells tagged ``claims``, titled with its first heading
    (``course.handouts.notebook_title``), with no script from outside (the ``handout`` template)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from course.handouts import notebook_title

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {CLAIMS_TAG}
    exporter = HTMLExporter(config=config, extra_template_basedirs=[str(TEMPLATE_DIR)], template_name="handout")
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4),
                                          resources={"metadata": {"name": notebook_title(notebook)}})  # fmt: skip
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")


def render_exercises(out_dir: Path = BUILD_DIR) -> list[Path]:
    """The learner exercises (as generated, questions and blanks, no answers) as HTML hand-outs in
    ``out_dir``/html/; returns the pages written."""
    pages = []
    for notebook in learner_notebooks():
        page = out_dir / "html" / notebook.with_suffix(".html").name
        to_html(notebook, page)
        pages.append(page)
    return pages


def cores() -> int:
    """CPU cores this process may use (its affinity where the platform tells it, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class RunInterrupted(Exception):
    """Ctrl+C during ``run_all``: the kernels were stopped and no new notebook started.

    ``finished`` holds the results of the notebooks that ran to the end; ``not_run`` the notebooks that were stopped
    or never started, in the order given.
    """

    def __init__(self, finished: list[RunResult], not_run: list[str]):
        super().__init__(f"stopped by Ctrl+C; not run: {', '.join(not_run)}")
        self.finished, self.not_run = finished, not_run


def run_all(
    notebooks: list[Path] | None = None,
    parameters: dict | None = None,
    out_dir: Path = BUILD_DIR,
    workers: int | None = None,
) -> list[RunResult]:
    """Execute notebooks into ``out_dir``/executed/ and render HTML into ``out_dir``/html/ (default: build/).

    ``workers`` notebooks run at once (default: one per core), each in its own kernel; its ``seconds`` run from
    the start of its kernel to its last cell. Every notebook runs even when another fails; returns one
    result per notebook, in the order given. ``artefacts`` lists the files below build/ that the notebook's kernel
    asked ``helpers.paths.build_path`` for and that exist afterwards, besides its executed copy and HTML; each
    kernel records to its own log, so parallel runs do not mix up their files.

    Ctrl+C (KeyboardInterrupt in the calling thread) starts no new notebook, stops the running kernels by PID and
    raises ``RunInterrupted`` naming the notebooks that did not run.
    """
    import threading

    paths = list(notebooks or course_notebooks())
    if workers is None:
        workers = cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    if not paths:
        return []
    results: list[RunResult | None] = [None] * len(paths)
    waiting, lock, stopping = list(enumerate(paths)), threading.Lock(), threading.Event()

    def work() -> None:  # threads are enough: each notebook runs in its own kernel process; a thread waits for it
        while not stopping.is_set():
            with lock:
                if not waiting:
                    return
                index, path = waiting.pop(0)
            result = _run_one(path, parameters, out_dir, stopping)
            if not stopping.is_set():
                results[index] = result

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers, len(paths)))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # short waits: Ctrl+C reaches this thread between them
    except KeyboardInterrupt:
        stopping.set()
        _stop_kernels(threads)
        finished = [r for r in results if r is not None]
        raise RunInterrupted(finished, [relative(p) for p, r in zip(paths, results) if r is None]) from None
    if notebooks is None:  # the whole course: the exercises' hand-outs too
        render_exercises(out_dir)
    write_index(out_dir)  # build/html/index.html: the course map, linking everything above and in build/
    return results


def _stop_kernels(threads, seconds: float = 5.0) -> None:
    """Stop every process this one started (the kernels and their children) by PID, with Ctrl+C ignored meanwhile,
    then give the worker threads ``seconds`` to notice; they are daemons, so none keeps the command alive."""
    import logging
    import signal

    import psutil

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.disable(logging.ERROR)  # the worker threads' "kernel died" messages: the run is ending on purpose
    try:
        children = psutil.Process().children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.terminate()
        _, alive = psutil.wait_procs(children, timeout=3)
        for child in alive:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(alive, timeout=3)
        deadline = time.monotonic() + seconds
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_one(path: Path, parameters: dict | None, out_dir: Path, stopping=None) -> RunResult:
    """Execute one notebook (in a worker thread of ``run_all``) and describe the outcome; when ``stopping`` is set
    (Ctrl+C), a notebook whose kernel was stopped leaves no hand-out."""
    import tempfile

    executed = out_dir / "executed" / path.name
    html = out_dir / "html" / path.with_suffix(".html").name
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "artefacts.log"
        log.touch()
        started = time.perf_counter()
        try:
            # the kernel (not this process: notebooks run in parallel) learns where build_path records
            record = f"__import__('os').environ[{ARTEFACT_LOG_VARIABLE!r}] = {str(log)!r}"
            execute(path, executed, parameters, extra_arguments=[f"--IPKernelApp.exec_lines={record}"])
            ok, error = True, ""
        except Exception as exc:  # report and carry on with the next notebook
            ok, error = False, describe_failure(exc, executed)
        seconds = time.perf_counter() - started
        opened = {Path(line) for line in log.read_text(encoding="utf-8").splitlines() if line}
    if stopping is not None and stopping.is_set():
        return RunResult(relative(path), False, seconds, [], "stopped by Ctrl+C")
    if executed.exists():
        to_html(executed, html)
    written = {p for p in opened if p.exists()}
    written |= {p for p in (executed, html) if p.exists()}
    return RunResult(relative(path), ok, seconds, sorted({relative(p) for p in written}), error)


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


def run_and_report(workers: int | None = None) -> int:
    """``make run``: every notebook (in parallel), the table, and the wall-clock time. Returns the exit status:
    0 when all passed, 1 when one failed, 130 when stopped by Ctrl+C (the notebooks that did not run are named)."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C stops the run even if started in background
    started = time.perf_counter()
    try:
        results = run_all(workers=workers)
    except RunInterrupted as stopped:
        if stopped.finished:
            print_table(stopped.finished)
        print(f"stopped by Ctrl+C after {time.perf_counter() - started:.1f} s: the running kernels were stopped and "
              f"no new notebook started. Did not run: {', '.join(stopped.not_run)}", flush=True)  # fmt: skip
        return 130
    print_table(results)
    workers = min(workers or cores(), len(results)) if results else 0
    print(f"{time.perf_counter() - started:.1f} s wall clock, {workers} notebook(s) at a time.")
    return 0 if all(r.ok for r in results) else 1


def language_info() -> dict:
    """The ``language_info`` the course's kernel reports (ipykernel's, with this environment's Python version): what
    JupyterLab writes into a notebook when it opens one. A notebook committed with less opens marked modified."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what varies between runs (execution timings, papermill metadata) and set kernelspec python3 and the
    kernel's full ``language_info`` (``language_info()``).

    Consecutive outputs of one stream (stdout, stderr) are merged: how a kernel splits its prints into messages
    depends on timing, not on the code. Cells tagged ``claims`` keep (or get) ``jupyter.source_hidden``: JupyterLab
    shows them collapsed.
    """
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": language_info()})
    for cell in nb.cells:
        for key in ("execution", "papermill", "collapsed", "scrolled", "jupyter", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _merged_streams(cell.outputs)
        if CLAIMS_TAG in cell.metadata.get("tags", []):  # checks of the prose: collapsed in JupyterLab
            cell.metadata["jupyter"] = {"source_hidden": True}
    return nb


def _merged_streams(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def execute_in_place(path: Path, timeout: int = CELL_TIMEOUT_SECONDS) -> None:
    """Execute ``path`` top to bottom in a clean kernel and save it with its outputs (normalised).

    The kernel runs with ``COURSE_STRICT_CLAIMS=1``: a committed notebook whose text a claim contradicts fails here.
    """
    from nbclient import NotebookClient

    from helpers.claims import STRICT_ENV

    os.environ[STRICT_ENV] = "1"  # inherited by the kernel
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


# Learner notebooks, generated from the solutions
#: Tag of the cells a learner writes: the generator removes them from the solution to make the learner's copy.
SOLUTION_TAG = "solution"


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A learner copy of a solution notebook: cells tagged ``solution`` removed, outputs cleared.

    The solution notebook keeps, before each solution cell, the learner's starting cell (e.g. ``answer = ____``),
    so removing the solution leaves a notebook that runs to the end and says "not answered yet".
    """
    import copy

    learner = copy.deepcopy(nb)
    learner.cells = [c for c in learner.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    return normalize(clear_outputs(learner))


def learner_path_for(solution_path: Path | str) -> Path:
    """Where the learner version of ``exercises/solutions/exNN_*.ipynb`` lives (``exercises/exNN_*.ipynb``)."""
    solution_path = Path(solution_path)
    return solution_path.parent.parent / solution_path.name


def generate_learner_notebooks(solutions: list[Path] | None = None) -> list[Path]:
    """Write the learner version of every solution notebook; return the paths written."""
    written = []
    for path in solutions or solution_notebooks():
        target = learner_path_for(path)
        nbformat.write(strip_solutions(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def stale_learner_notebooks(solutions: list[Path] | None = None) -> list[Path]:
    """Learner notebooks that differ from what their solution would generate (or are missing)."""
    stale = []
    for path in solutions or solution_notebooks():
        target = learner_path_for(path)
        expected = nbformat.writes(strip_solutions(nbformat.read(path, as_version=4)))
        if not target.exists() or nbformat.writes(nbformat.read(target, as_version=4)) != expected:
            stale.append(target)
    return stale


def refresh_committed(only: list[str] | None = None) -> None:
    """Re-execute notebooks/ and exercises/solutions/ in place, then regenerate the learner exercises.

    ``only``: optional substrings; just the notebooks whose file name contains one of them are executed.
    """
    targets = course_notebooks() + solution_notebooks()
    if only:
        targets = [p for p in targets if any(s in p.name for s in only)]
    for path in targets:
        started = time.perf_counter()
        execute_in_place(path)
        print(f"executed {relative(path)} in {time.perf_counter() - started:.1f} s")
    for path in generate_learner_notebooks():
        print(f"generated {relative(path)}")
