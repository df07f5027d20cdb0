"""Where things live: the repository root and the ``build/`` folder every run writes into (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "REPO_ROOT", "BUILD_DIR", "ARTEFACT_LOG_VARIABLE", "BuildFolderError", "build_path", "writable_build_path",
    "relative", "make_build_folder",
]

#: The repository root (the folder holding README.md, helpers/, notebooks/ ...).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Everything a run writes goes below this folder.
BUILD_DIR = REPO_ROOT / "build"
#: Environment variable naming a file where ``build_path`` appends every path it hands out. ``make run`` sets it
#: for each notebook's kernel, so that its table can say which notebook wrote which file, even in parallel.
ARTEFACT_LOG_VARIABLE = "HELPERS_ARTEFACT_LOG"


_WRITABLE: set[Path] = set()


class BuildFolderError(OSError):
    """``build/`` cannot be written: it (or a folder in it) is a file, read-only, or the disk is full. The message
    is one line: the path, the cause and the command that fixes it."""


def make_build_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) below ``build/`` and check it can be written; return it.

    Raises ``BuildFolderError`` naming the path, the cause and the fix instead of a traceback from deep in ``os``.
    """
    shown = relative(folder) if BUILD_DIR in folder.parents or folder == BUILD_DIR else str(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder not in _WRITABLE:  # once per folder and process: a file made and removed
            probe = folder / f".write-check-{os.getpid()}"
            probe.touch()
            probe.unlink()
            _WRITABLE.add(folder)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise BuildFolderError(
            f"cannot write below {shown}: {relative(blocker)} is a file, not a folder; move it away or remove it "
            f"(`rm {relative(blocker)}`), then run again"
        ) from None
    except PermissionError:
        raise BuildFolderError(
            f"cannot write in {shown}: permission denied; make it writable (`chmod -R u+w {relative(BUILD_DIR)}`) "
            f"or start it afresh (`make clean`), then run again"
        ) from None
    except OSError as error:
        raise BuildFolderError(
            f"cannot write in {shown}: {error.strerror or error}; free space or make the folder writable, "
            f"or start it afresh (`make clean`), then run again"
        ) from None
    return folder


def build_path(*parts: str) -> Path:
    """Path below ``build/`` (its parent folders are created), e.g. ``build_path("reports", "drift.html")``.

    Raises ``BuildFolderError`` (one line: path, cause, fix) when the folder cannot be written.

    When ``HELPERS_ARTEFACT_LOG`` names a file (``make run`` sets it), the path is also appended to that file.
    """
    path = BUILD_DIR.joinpath(*parts)
    make_build_folder(path.parent)
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
    make_build_folder(path.parent)
    return path


def relative(path: Path | str) -> str:
    """``path`` relative to the repository root, with forward slashes (for stable display in notebooks)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name
