"""Where things live: the repository root and the ``build/`` folder every run writes into (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "REPO_ROOT", "BUILD_DIR", "ARTEFACT_LOG_VARIABLE", "build_path", "writable_build_path", "relative",
]

#: The repository root (the folder holding README.md, helpers/, notebooks/ ...).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Everything a run writes goes below this folder.
BUILD_DIR = REPO_ROOT / "build"
#: Environment variable naming a file where ``build_path`` appends every path it hands out. ``make run`` sets it
#: for each notebook's kernel, so that its table can say which notebook wrote which file, even in parallel.
ARTEFACT_LOG_VARIABLE = "HELPERS_ARTEFACT_LOG"


def build_path(*parts: str) -> Path:
    """Path below ``build/`` (its parent folders are created), e.g. ``build_path("reports", "drift.html")``.

    When ``HELPERS_ARTEFACT_LOG`` names a file (``make run`` sets it), the path is also appended to that file.
    """
    path = BUILD_DIR.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = os.environ.get(ARTEFACT_LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{path}\n")
    return path


def writable_build_path(path: str | Path) -> Path:
    """Where to write a file a caller named: a relative path is below ``build/``, an absolute one must be inside it.

    Raises ``ValueError`` for an absolute path outside ``build/`` (the course writes nothing else).
    """
    path = Path(path)
    if not path.is_absolute():
        return build_path(*path.parts)
    try:
        path.resolve().relative_to(BUILD_DIR.resolve())
    except ValueError:
        raise ValueError(f"reports are written below build/ ({BUILD_DIR}); got {path}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path | str) -> str:
    """``path`` relative to the repository root, with forward slashes (for stable display in notebooks)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name
