"""The environment: every requirement pinned exactly, and check-env reports each pin, the kernel and the data."""

import subprocess
import sys

from course.environment import environment_report, pinned_requirements, unpinned_requirement_lines
from helpers.paths import REPO_ROOT


def test_every_requirement_is_pinned_exactly():
    assert unpinned_requirement_lines() == []
    pins = pinned_requirements()
    for package in ["pandas", "numpy", "scikit-learn", "evidently", "aif360", "mlflow", "matplotlib", "papermill",
                    "nbval", "jupyterlab", "pytest", "pytest-xdist"]:
        assert package in pins, f"{package} is not pinned in requirements.txt"


def test_pandas_stays_below_3_for_evidently():
    assert int(pinned_requirements()["pandas"].split(".")[0]) < 3


def test_unpinned_line_is_detected(tmp_path, monkeypatch):
    import course.environment as env

    fake = tmp_path / "requirements.txt"
    fake.write_text("pandas==2.3.3\nnumpy>=2\n-e .\n# a comment\nmlflow\n")
    monkeypatch.setattr(env, "REQUIREMENTS", fake)
    assert unpinned_requirement_lines() == ["numpy>=2", "mlflow"]


def test_report_passes_here_and_has_one_line_per_pin():
    report = environment_report()
    failed = [str(line) for line in report if not line.ok]
    assert not failed, failed
    from helpers.data import CHECKSUMS

    assert len(report) == 1 + len(pinned_requirements()) + 1 + len(CHECKSUMS)  # Python, pins, kernel, data files


def test_check_env_command_prints_ok_lines():
    out = subprocess.run([sys.executable, "-m", "course", "check-env"], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "[ OK ] pandas 2.3.3" in out.stdout
    assert "[ OK ] Jupyter kernel 'python3'" in out.stdout


def test_unknown_command_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "course", "deploy"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 2 and "unknown command 'deploy'" in out.stderr and "check-env" in out.stderr


def test_kernel_of_another_python_fails(monkeypatch):
    from types import SimpleNamespace

    from jupyter_client.kernelspec import KernelSpecManager

    from course.environment import _check_kernel

    other = SimpleNamespace(argv=["/opt/other-env/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", lambda self, name: other)
    line = _check_kernel()
    assert not line.ok and str(line).startswith("[FAIL] Jupyter kernel 'python3' runs a different Python")


def test_the_makefile_exports_the_folders_the_course_environment_names():
    """The Makefile and course.environment point the same tools at the same folders below build/."""
    from course.environment import COURSE_DIRECTORIES

    makefile = (REPO_ROOT / "Makefile").read_text()
    for name, folder in COURSE_DIRECTORIES.items():
        assert f"export {name} := $(CURDIR)/build/{folder}\n" in makefile, name
