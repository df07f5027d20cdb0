"""Everything a run writes stays under build/: notebook 07 (Evidently, MLflow, DVC, AIF360) and an exercise, run as
``make run`` runs them, with HOME and TMPDIR pointed at empty folders, leave both empty."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.paths import REPO_ROOT


@pytest.mark.parametrize("notebook", ["notebooks/07_capstone.ipynb", "exercises/ex00_simulated_world.ipynb"])
def test_a_notebook_run_writes_nothing_in_home_or_tmpdir(tmp_path, notebook):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    script = ("from pathlib import Path; from course.notebooks import execute; "
              f"execute(Path({str(REPO_ROOT / notebook)!r}), Path({str(tmp_path / 'out.ipynb')!r}), {{'fast': True}})")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "MPLCONFIG", "XDG_"))}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**env, "HOME": str(home), "TMPDIR": str(tmp)}, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out.ipynb").exists()
    left = sorted(str(p.relative_to(tmp_path)) for p in (*home.rglob("*"), *tmp.rglob("*")))
    assert not left, f"{notebook} wrote outside build/: {left}"
