"""The course's environment: the check (one ``[ OK ]`` or ``[FAIL]`` line per pinned package, the Jupyter kernel
and each data file) and the folders the tools it runs write to.

Run the check as ``python -m course check-env`` (exit code 1 when anything fails) or call ``check_environment()``
from a notebook. The lines hold no paths or patch versions of Python, so they read the same on every machine.

``course_environment()`` points IPython's, Jupyter's, JupyterLab's, matplotlib's and npm's folders below build/:
left to themselves they write to the home folder (``~/.ipython``, ``~/.jupyter``, ``~/.local/share/jupyter``,
``~/.npm``). The Makefile exports the same variables; ``apply_course_environment()`` sets any that are missing, for
the commands and kernels started without make.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from helpers.data import CHECKSUMS, DataFileError, data_path
from helpers.paths import BUILD_DIR, REPO_ROOT

__all__ = [
    "COURSE_DIRECTORIES", "course_environment", "apply_course_environment", "REQUIREMENTS", "CheckLine", "pinned_requirements", "unpinned_requirement_lines", "environment_report",
    "check_environment",
]

REQUIREMENTS = REPO_ROOT / "requirements.txt"
#: Environment variable -> folder below build/ that the tool writes to instead of the home folder.
COURSE_DIRECTORIES = {
    "IPYTHONDIR": "ipython",  # IPython's profile (the kernels' history, logs, startup folder)
    "JUPYTER_CONFIG_DIR": "jupyter/config",
    "JUPYTER_DATA_DIR": "jupyter/data",
    "JUPYTER_RUNTIME_DIR": "jupyter/runtime",  # kernels' connection files, the server's info
    "JUPYTERLAB_SETTINGS_DIR": "jupyter/lab/user-settings",  # the course's JupyterLab settings (no news toast)
    "JUPYTERLAB_WORKSPACES_DIR": "jupyter/lab/workspaces",
    "MPLCONFIGDIR": "matplotlib",  # matplotlib's font cache
    "npm_config_cache": "npm",  # JupyterLab's extension manager logs through npm
}


def course_environment(build_dir: Path = BUILD_DIR) -> dict[str, str]:
    """``{variable: absolute folder}`` for ``COURSE_DIRECTORIES`` below ``build_dir``."""
    return {name: str(Path(build_dir) / folder) for name, folder in COURSE_DIRECTORIES.items()}


def apply_course_environment() -> dict[str, str]:
    """Set each variable of ``course_environment()`` that is not set yet (a value the user set wins); returns the
    variables this call set. Child processes (kernels, servers) inherit them. The folders below build/ are created."""
    import os

    missing = {k: v for k, v in course_environment().items() if k not in os.environ}
    os.environ.update(missing)
    for name in COURSE_DIRECTORIES:  # IPython refuses a folder whose parent is missing, and falls back to /tmp
        folder = Path(os.environ[name])
        if folder.resolve().is_relative_to(BUILD_DIR.resolve()):
            folder.mkdir(parents=True, exist_ok=True)
    return missing
_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"[{' OK ' if self.ok else 'FAIL'}] {self.text}"


def pinned_requirements() -> dict[str, str]:
    """``{package: pinned version}`` from requirements.txt (lines like ``pandas==2.3.3``)."""
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def unpinned_requirement_lines() -> list[str]:
    """Lines of requirements.txt that install a package without an exact ``==`` pin (the local ``-e .`` aside)."""
    bad = []
    for raw in REQUIREMENTS.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line == "-e .":
            continue
        if not _PIN.match(line):
            bad.append(raw)
    return bad


def _check_python() -> CheckLine:
    ok = sys.version_info[:2] == (3, 11)
    return CheckLine(ok, f"Python {sys.version_info.major}.{sys.version_info.minor} (the course is pinned on 3.11)")


def _check_packages() -> list[CheckLine]:
    lines = []
    for name, wanted in pinned_requirements().items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            lines.append(CheckLine(False, f"{name} is not installed (requirements.txt pins {wanted}): run make install"))
            continue
        ok = have.split("+")[0] == wanted if "+" not in wanted else have == wanted  # PEP 440: ==2.13.0 admits 2.13.0+cpu
        text = f"{name} {have}" if ok else f"{name} {have} installed, requirements.txt pins {wanted}"
        lines.append(CheckLine(ok, text))
    return lines


def _check_kernel() -> CheckLine:
    """The kernel notebooks name (``python3``) must run this same environment's Python."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec("python3")
    except (ImportError, NoSuchKernel) as error:
        return CheckLine(False, f"Jupyter kernel 'python3' not found ({error}): run make install")
    executable = spec.argv[0] if spec.argv else ""
    if executable in ("python", "python3", "{python}"):  # ipykernel's built-in spec: the running Python
        executable = sys.executable
    # <prefix>/bin/python (or <prefix>\\python.exe on Windows) belongs to the environment at <prefix>
    prefixes = {Path(executable).parent.parent, Path(executable).parent}
    ok = Path(sys.prefix) in prefixes
    return CheckLine(
        ok,
        "Jupyter kernel 'python3' runs this environment's Python"
        if ok
        else "Jupyter kernel 'python3' runs a different Python: run make install",
    )


def _check_data() -> list[CheckLine]:
    lines = []
    for name in CHECKSUMS:
        try:
            data_path(name)
            lines.append(CheckLine(True, f"data/{name} sha256 {CHECKSUMS[name][:12]}..."))
        except DataFileError as error:
            lines.append(CheckLine(False, str(error)))
    return lines


def environment_report() -> list[CheckLine]:
    """All checks, in display order."""
    return [_check_python(), *_check_packages(), _check_kernel(), *_check_data()]


def check_environment() -> bool:
    """Print one line per check and return True when every check passes."""
    report = environment_report()
    for line in report:
        print(line)
    failed = [line for line in report if not line.ok]
    print(f"{len(report) - len(failed)} of {len(report)} checks passed.")
    return not failed
