"""Figures for speed: every notebook as ``make run`` runs it (in parallel, one per core), the cost of the libraries
each notebook imports, and, with ``--tests``, the time of ``make test``'s command.

Run with ``python benchmarks/notebooks.py [--tests]``, ``make bench`` or ``python -m course bench notebooks``.
Prints, does not assert: timings depend on the machine and on what else runs on it, so the load average is printed
before and after, and the cores used. Targets: each notebook under 15 s in ``make run`` (its kernel's start
included), ``make run`` under 90 s, ``make test`` under 4 minutes after installation (``make test`` records its own time
in build/make-test-seconds.txt, printed at the end).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")

#: Libraries the notebooks import, timed one by one in a fresh interpreter (each includes what it imports).
LIBRARIES = ["pandas", "sklearn.linear_model", "matplotlib.pyplot", "scipy.stats", "mlflow", "aif360.metrics",
             "evidently"]
NOTEBOOK_TARGET_SECONDS, RUN_TARGET_SECONDS, TEST_TARGET_SECONDS = 15, 90, 240


def line(label: str, value: str) -> None:
    print(f"  {label:<48} {value}", flush=True)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (less the interpreter's own start)."""
    def timed(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return time.perf_counter() - started

    return timed(f"import {module}") - timed("pass")


def main(with_tests: bool = False) -> int:
    from course.notebooks import cores, course_notebooks, run_all

    workers = cores()
    print(f"machine: {os.cpu_count()} CPUs ({workers} usable), {load()} before the runs")
    print("imports, each in a fresh interpreter:")
    for module in LIBRARIES:
        line(f"import {module}", f"{import_seconds(module):6.2f} s")

    print(f"make run: every notebook, {workers} at a time, each in a fresh kernel (its start included):")
    started = time.perf_counter()
    results = run_all(course_notebooks(), workers=workers)
    wall = time.perf_counter() - started
    for result in results:
        verdict = "within" if result.seconds < NOTEBOOK_TARGET_SECONDS else "OVER"
        status = f"{verdict} the {NOTEBOOK_TARGET_SECONDS} s target" if result.ok else f"FAILED: {result.error}"
        line(result.notebook, f"{result.seconds:6.1f} s  {status}")
    line("sum of the notebooks' times", f"{sum(r.seconds for r in results):6.1f} s")
    line("wall clock (make run)", f"{wall:6.1f} s  (target < {RUN_TARGET_SECONDS} s)")
    ok = all(r.ok for r in results)

    if with_tests:
        print("make test's command (pytest -n 2 on tests and notebooks, nbval), after installation:")
        started = time.perf_counter()
        command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "tests", "notebooks",
                   "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
        from helpers.paths import REPO_ROOT

        finished = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
        summary = (finished.stdout.strip().splitlines() or [""])[-1]
        line("pytest", f"{time.perf_counter() - started:6.1f} s  (target < {TEST_TARGET_SECONDS} s): {summary}")
        ok = ok and finished.returncode == 0
    print(f"{load()} after the runs")
    print_last_make_test()
    return 0 if ok else 1


def print_last_make_test() -> None:
    """The wall time of the last ``make test`` (it writes build/make-test-seconds.txt), or how to measure it."""
    from helpers.paths import BUILD_DIR

    record = BUILD_DIR / "make-test-seconds.txt"
    if record.is_file():
        line("make test (last run, from build/make-test-seconds.txt)",
             f"{record.read_text().strip()}  (target < {TEST_TARGET_SECONDS} s)")
    else:
        line("make test", "not measured yet: run `make test` (it records its time), or this script with --tests")


if __name__ == "__main__":
    sys.exit(main(with_tests="--tests" in sys.argv[1:]))
