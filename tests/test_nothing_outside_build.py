"""Everything a run writes stays under build/: notebook 07 (Evidently, MLflow, DVC, AIF360) and an exercise, run as
``make run`` runs them, with HOME and TMPDIR pointed at empty folders, leave both empty.

Notebook 07 runs here with its "Try it" knobs, as a learner runs them (a false claim is a note): this run is also
07's Try-it test (``tests/test_try_it.py`` lists the other notebooks'), so that ``make test`` runs 07 once for both."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.paths import REPO_ROOT

#: Notebook 07's "Try it" knobs (its recap names them).
CAPSTONE_TRY_IT = {"seed": 1, "response_day": 140}


@pytest.mark.parametrize("notebook, parameters", [("notebooks/07_capstone.ipynb", CAPSTONE_TRY_IT),
                                                  ("exercises/ex00_simulated_world.ipynb", {})])
def test_a_notebook_run_writes_nothing_in_home_or_tmpdir(tmp_path, notebook, parameters):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    script = ("from pathlib import Path; from course.notebooks import execute; "
              f"execute(Path({str(REPO_ROOT / notebook)!r}), Path({str(tmp_path / 'out.ipynb')!r}), "
              f"{ {'fast': True, **parameters}!r}, strict_claims=False)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "MPLCONFIG", "XDG_"))}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**env, "HOME": str(home), "TMPDIR": str(tmp)}, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out.ipynb").exists()
    left = sorted(str(p.relative_to(tmp_path)) for p in (*home.rglob("*"), *tmp.rglob("*")))
    assert not left, f"{notebook} wrote outside build/: {left}"
