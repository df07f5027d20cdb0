"""The speed bar: each notebook, run by papermill the way a learner's kernel runs it (kernel start and shutdown
included, default parameters, one at a time), against a notebook that only imports the course's stack.

Run with ``python benchmarks/speed_bar.py``, ``make bench`` or ``python -m course bench speed_bar``. Prints, does not
assert: timings depend on the machine and on what else runs on it, so the load average is printed before and after.
The bar is 1.6 times the import-only notebook.
"""

from __future__ import annotations

import os
import time

import nbformat

from course.notebooks import course_notebooks, execute
from helpers.paths import BUILD_DIR

BAR = 1.6
#: What the import-only notebook imports: the libraries and helpers the lesson notebooks start with.
STACK = """import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd
import sklearn.linear_model
import scipy.stats
import evidently
from evidently import Report
from evidently.presets import DataDriftPreset
from helpers.runtime import importing_aif360
with importing_aif360():
    import aif360.metrics
import helpers.drift, helpers.fairness, helpers.tracking, helpers.world"""


def import_only_notebook():
    path = BUILD_DIR / "bench" / "import_only.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("fast = False", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell(STACK)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def seconds(path) -> float:
    start = time.perf_counter()
    execute(path, BUILD_DIR / "bench" / "executed" / path.name)
    return time.perf_counter() - start


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    baseline = seconds(import_only_notebook())
    print(f"  {'import-only notebook':<28} {baseline:6.1f} s   (the bar: {BAR} x = {BAR * baseline:.1f} s)")
    for path in course_notebooks():
        took = seconds(path)
        verdict = "within" if took <= BAR * baseline else "OVER"
        print(f"  {path.stem:<28} {took:6.1f} s   {took / baseline:4.2f} x the import-only notebook: {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
