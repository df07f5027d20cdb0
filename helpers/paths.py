"""Where things live: the repository root and the ``build/`` folder every run writes into (git-ignored)."""

from __future__ import annotations

from pathlib import Path

#: The repository root (the folder holding README.md, helpers/, notebooks/ ...).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Everything a run writes goes below this folder.
BUILD_DIR = REPO_ROOT / "build"


def build_path(*parts: str) -> Path:
    """Path below ``build/`` (its parent folders are created), e.g. ``build_path("reports", "drift.html")``."""
    path = BUILD_DIR.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path | str) -> str:
    """``path`` relative to the repository root, with forward slashes (for stable display in notebooks)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name
