"""Data versions with DVC: a scratch git repository below ``build/`` whose training data DVC versions.

The lesson's advice for updates is to *version datasets with DVC*. DVC keeps the data file itself out of git: ``dvc
add data.csv`` moves its content into DVC's cache (a folder of files named by their MD5) and writes a small text
file, ``data.csv.dvc``, holding that MD5. Git versions the small file; ``dvc push`` copies the content to a
*remote* (here a plain local folder). A git commit therefore pins an exact data version, and ``git checkout <rev>
data.csv.dvc`` followed by ``dvc checkout`` (or ``dvc pull``, which first fetches from the remote what the cache
lacks) puts that version back in place, byte for byte.

``DataRepo`` wraps exactly those steps. DVC runs in this Python process (its ``dvc.repo.Repo`` API, which the
command line calls too: starting the ``dvc`` command costs one to two seconds per call, the in-process call a tenth
of that); git runs as the ``git`` command. ``DataRepo.log`` records every step as the command a learner would type
(``dvc add train.csv``), so a notebook can show them:

* ``DataRepo.create(folder)``: ``git init``, ``dvc init``, ``dvc remote add -d <name> <folder>``;
* ``save(frame, path, message, date)``: write the CSV, ``dvc add``, ``git add``, ``git commit`` (dated with the
  simulated ``date``, so commit ids are reproducible), ``dvc push``; returns the commit id;
* ``checkout(rev, path)``: go back to (or forward to) the version committed at ``rev`` (``git checkout``, ``dvc pull``);
* ``read(path, rev)``: the bytes of a version without checking it out (``dvc.api.read``), fetched from the remote
  when the cache no longer has them; ``wipe_cache()`` empties the cache to show that;
* ``versions(path)``: one row per commit that changed the file: commit id, message, date, MD5 and size.

DVC records *which bytes* a file held at each commit, and can restore them. It does not know which run used them:
that is what MLflow's dataset inputs record (``helpers.tracking.log_dataset``: name, digest and source per run).

DVC's usage analytics are switched off for every step (``DVC_NO_ANALYTICS=1`` is set before DVC runs, and the
repository's ``core.analytics`` is false); nothing here touches the network. DVC's *site cache* (a small index
DVC keeps per repository, by default in ``/var/tmp/dvc``) goes to ``build/dvc-site-cache`` (``SITE_CACHE_DIR``):
the repository's ``core.site_cache_dir``, and ``DVC_SITE_CACHE_DIR`` while this module runs DVC.

Nothing outside ``build/`` is ever deleted, and nothing the course did not make: ``create`` refuses a repository or
remote folder outside ``build/``, and empties an existing one only if it bears the mark ``create`` left in it
(``.git/course-data-repo`` in a repository, ``.course-dvc-remote`` in a remote) or is empty.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import posixpath
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.paths import BUILD_DIR, relative
from helpers.validation import require_date

__all__ = ["DVC_ENVIRONMENT", "REMOTE_MARK", "REMOTE_NAME", "REPO_MARK", "SITE_CACHE_DIR", "DataRepo", "file_md5"]

#: Environment for every dvc command: no usage analytics, no update check, no interactive pager.
DVC_ENVIRONMENT = {"DVC_NO_ANALYTICS": "1", "DVC_NO_UPDATER": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
#: Name of the local remote ``DataRepo.create`` adds (and makes the default).
REMOTE_NAME = "local"
#: DVC's site cache for the course's repositories (instead of DVC's default, ``/var/tmp/dvc``).
SITE_CACHE_DIR = BUILD_DIR / "dvc-site-cache"
#: The marks ``DataRepo.create`` leaves in what it makes: only a folder bearing one is ever emptied.
REPO_MARK = Path(".git") / "course-data-repo"
REMOTE_MARK = Path(".course-dvc-remote")
_AUTHOR = {"GIT_AUTHOR_NAME": "Course data team", "GIT_AUTHOR_EMAIL": "data-team@example.org"}


def file_md5(path: Path | str) -> str:
    """The MD5 of a file's bytes: the name DVC stores its content under."""
    import hashlib

    return hashlib.md5(Path(path).read_bytes()).hexdigest()


@contextlib.contextmanager
def _quiet_dvc():
    """Run DVC in-process without its console messages ("To track the changes with git, run: ...") or analytics.

    DVC prints hints to stdout, logs through its own logger and, inside Jupyter, shows its transfer progress as rich
    display outputs; all are dropped here. Errors still propagate as exceptions with DVC's own message."""
    os.environ["DVC_NO_ANALYTICS"] = "1"
    saved_site_cache = os.environ.get("DVC_SITE_CACHE_DIR")
    os.environ["DVC_SITE_CACHE_DIR"] = str(SITE_CACHE_DIR)
    out, err = io.StringIO(), io.StringIO()
    logger = logging.getLogger("dvc")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with _captured_displays(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        logger.setLevel(level)
        if saved_site_cache is None:
            os.environ.pop("DVC_SITE_CACHE_DIR", None)
        else:
            os.environ["DVC_SITE_CACHE_DIR"] = saved_site_cache


def _captured_displays():
    """Inside an IPython kernel: capture display outputs (rich progress bars); elsewhere: nothing to capture."""
    try:
        from IPython import get_ipython
        from IPython.utils.capture import capture_output
    except ImportError:
        return contextlib.nullcontext()
    return capture_output() if get_ipython() is not None else contextlib.nullcontext()


def _below_build(path: Path | str, name: str) -> Path:
    """``path`` resolved, if it lies strictly below ``build/``; else ``ValueError`` naming ``name`` and the path."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ValueError(f"{name} must be a folder path below build/, got {path!r}")
    resolved = Path(path).resolve()
    if BUILD_DIR.resolve() not in resolved.parents:
        raise ValueError(
            f"{name} {str(path)!r} must lie below build/ ({relative(BUILD_DIR)}/...): the course writes, and empties, "
            f"nothing else; e.g. build_path('capstone', 'data-versions')"
        )
    return resolved


def _empty_if_ours(path: Path, mark: Path, name: str) -> None:
    """Delete ``path`` if it is empty or bears ``mark`` (made by ``DataRepo.create``); refuse anything else."""
    if not path.exists():
        return
    if not path.is_dir():
        raise ValueError(f"{name} {relative(path)} is a file, not a folder: choose another path or remove it")
    if any(path.iterdir()) and not (path / mark).is_file():
        raise ValueError(
            f"{name} {relative(path)} is not empty and was not made by DataRepo.create (no {mark.as_posix()} in it): "
            f"it is left as it is; choose another folder, or delete this one yourself (rm -r {relative(path)}) if you "
            f"no longer need it"
        )
    shutil.rmtree(path)


def _environment(extra: dict | None = None) -> dict:
    return {**os.environ, **DVC_ENVIRONMENT, **(extra or {})}


@dataclass
class DataRepo:
    """A git repository whose data files DVC versions (see the module docstring).

    ``root`` is the repository, ``remote`` the folder the local remote points at. ``log`` lists every command run,
    as a learner would type it (``dvc add train.csv``).
    """

    root: Path
    remote: Path
    remote_name: str = REMOTE_NAME
    log: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path | str, remote: Path | str | None = None, remote_name: str = REMOTE_NAME) -> DataRepo:
        """A fresh repository in ``folder`` with a local DVC remote in ``remote`` (default: ``<folder>-remote``).

        Both must lie below ``build/``. An existing folder is emptied first only if ``create`` made it (it bears
        ``REPO_MARK`` or ``REMOTE_MARK``) or it is empty: nothing else is ever deleted.

        Raises:
            ValueError: ``folder`` or ``remote`` outside ``build/``, not empty and not made here, one inside the
                other, or git not installed.
        """
        root = _below_build(folder, "folder")
        remote_path = _below_build(remote, "remote") if remote is not None else root.parent / f"{root.name}-remote"
        if remote_path == root or root in remote_path.parents or remote_path in root.parents:
            raise ValueError(f"remote {relative(remote_path)} and folder {relative(root)} must be separate folders "
                             f"(neither inside the other)")
        if shutil.which("git") is None:
            raise ValueError("git is not installed: DVC versions data inside a git repository; install git first")
        _empty_if_ours(root, REPO_MARK, "folder")
        _empty_if_ours(remote_path, REMOTE_MARK, "remote")
        root.mkdir(parents=True)
        remote_path.mkdir(parents=True)
        (remote_path / REMOTE_MARK).write_text("made by helpers.versions.DataRepo.create; emptied when re-created\n")
        repo = cls(root, remote_path, remote_name)
        repo.git("init", "--quiet", "--initial-branch", "main")
        (root / REPO_MARK).write_text("made by helpers.versions.DataRepo.create; emptied when re-created\n")
        repo.git("config", "user.name", _AUTHOR["GIT_AUTHOR_NAME"], record=False)
        repo.git("config", "user.email", _AUTHOR["GIT_AUTHOR_EMAIL"], record=False)
        with _quiet_dvc():
            from dvc.repo import Repo

            Repo.init(root_dir=str(root)).close()
        repo.log.append("dvc init")
        with repo._repo() as dvc_repo:
            with dvc_repo.config.edit() as config:
                config["core"]["analytics"] = False
            # the remote is a folder on this machine: its path goes to .dvc/config.local, which git does not track,
            # so the commits (and their ids) do not depend on where the repository lives
            with dvc_repo.config.edit("local") as config:
                config["remote"][remote_name] = {"url": str(remote_path)}
                config["core"]["remote"] = remote_name
                config["core"]["site_cache_dir"] = str(SITE_CACHE_DIR)
        shown = os.path.relpath(remote_path, root)
        repo.log += ["dvc config core.analytics false", f"dvc remote add --local --default {remote_name} {shown}"]
        repo.git("add", ".dvc", ".dvcignore")
        repo.git("commit", "--quiet", "-m", "Start versioning data with DVC", date="2000-01-01")
        return repo

    # ------------------------------------------------------------------------------------------------------------
    def _run(self, command: list[str], shown: str, env: dict | None = None, record: bool = True) -> str:
        if record:
            self.log.append(shown)
        done = subprocess.run(command, cwd=self.root, env=_environment(env), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"`{shown}` failed in {relative(self.root)} (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-800:]}"
            )
        return done.stdout

    @contextlib.contextmanager
    def _repo(self):
        """DVC's ``Repo`` for this repository, its console output captured, closed afterwards."""
        with _quiet_dvc():
            from dvc.repo import Repo

            dvc_repo = Repo(str(self.root))
            try:
                yield dvc_repo
            finally:
                dvc_repo.close()

    def git(self, *args: str, date: str | None = None, record: bool = True) -> str:
        """Run ``git <args>`` in the repository; ``date`` (ISO) sets the author and committer dates; ``record=False``
        keeps a bookkeeping call (``rev-parse``, ``show``) out of ``log``."""
        env = dict(_AUTHOR)
        if date is not None:
            stamp = f"{pd.Timestamp(date).isoformat()} +0000"
            env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp, GIT_COMMITTER_NAME=_AUTHOR["GIT_AUTHOR_NAME"],
                       GIT_COMMITTER_EMAIL=_AUTHOR["GIT_AUTHOR_EMAIL"])
        shown = "git " + " ".join(f'"{a}"' if " " in a else a for a in args)
        return self._run(["git", *args], shown, env, record)

    # ------------------------------------------------------------------------------------------------------------
    def _target(self, path: str) -> Path:
        if not isinstance(path, str) or not path.strip():
            raise ValueError(f"path must name a file inside the data repository (e.g. 'train.csv'), got {path!r}")
        target = (self.root / path).resolve()
        if self.root not in target.parents:
            raise ValueError(f"path {path!r} must be a file inside the data repository")
        return target

    def save(self, frame: pd.DataFrame, path: str, message: str, date: str) -> str:
        """Write ``frame`` as CSV to ``path`` and commit it as a new data version; return the commit id.

        Runs ``dvc add <path>``, ``git add <path>.dvc .gitignore``, ``git commit`` (dated ``date``) and ``dvc push``.

        Raises:
            ValueError: an empty frame, or ``path`` outside the repository.
        """
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
        if frame.empty:
            raise ValueError(f"frame for {path!r} has no rows: there is nothing to version")
        if not isinstance(message, str) or not message.strip():
            raise ValueError(f"message must say what this version holds (e.g. 'Training data: days 0-59'), "
                             f"got {message!r}")
        date = require_date(date, "date")
        target = self._target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target, index=False, lineterminator="\n")
        with self._repo() as dvc_repo:
            dvc_repo.add(str(target))
        self.log.append(f"dvc add {path}")
        self.git("add", f"{path}.dvc", posixpath.join(posixpath.dirname(path), ".gitignore"))  # DVC ignores the data
        self.git("commit", "--quiet", "-m", message, date=date)
        with self._repo() as dvc_repo:
            dvc_repo.push(remote=self.remote_name)
        self.log.append(f"dvc push --remote {self.remote_name}")
        return self.git("rev-parse", "HEAD", record=False).strip()

    def _rev(self, rev) -> str:
        if not isinstance(rev, str) or not rev.strip():
            raise ValueError(f"rev must be a commit id (as save returns it) or a branch name, got {rev!r}")
        return rev

    def checkout(self, rev: str, path: str) -> str:
        """Put the version of ``path`` committed at ``rev`` in place; return its MD5.

        ``git checkout rev -- path.dvc`` restores the pointer; ``dvc pull path`` fetches from the remote whatever the
        cache lacks and then checks the data out (``dvc checkout`` alone fails when the cache has been emptied).
        """
        target = self._target(path)
        self.git("checkout", "--quiet", self._rev(rev), "--", f"{path}.dvc")
        with self._repo() as dvc_repo:
            dvc_repo.pull(targets=[str(target)], remote=self.remote_name, force=True)
        self.log.append(f"dvc pull --remote {self.remote_name} {path}")
        return file_md5(target)

    def read(self, path: str, rev: str, remote: str | None = None) -> bytes:
        """The bytes of ``path`` as committed at ``rev``, by ``dvc.api.read`` (no checkout).

        When the cache no longer holds them (after ``wipe_cache``, or in a fresh clone) DVC fetches them from
        ``remote``, named explicitly (default: this repository's remote), so the read does not depend on which
        remote happens to be the default in the configuration at ``rev``.
        """
        self._target(path)
        rev = self._rev(rev)
        remote = remote or self.remote_name
        self.log.append(f"dvc.api.read({path!r}, repo=..., rev={rev[:7]!r}, remote={remote!r}, mode='rb')")
        with _quiet_dvc():
            import dvc.api

            return dvc.api.read(path, repo=str(self.root), rev=rev, remote=remote, mode="rb")

    def wipe_cache(self) -> None:
        """Empty DVC's local cache (``.dvc/cache``), as on a fresh clone: data must then come from the remote."""
        cache = self.root / ".dvc" / "cache"
        if cache.exists():
            shutil.rmtree(cache)
        self.log.append("rm -r .dvc/cache")

    def versions(self, path: str) -> pd.DataFrame:
        """One row per commit that changed ``path.dvc``, oldest first: ``commit`` (7 characters), ``date``,
        ``message``, ``md5`` and ``size`` (bytes) of the data file as that commit pins it."""
        import yaml

        self._target(path)
        lines = self.git("log", "--reverse", "--format=%H%x1f%ad%x1f%s", "--date=short", "--", f"{path}.dvc",
                         record=False)
        rows = []
        for line in lines.splitlines():
            commit, date, message = line.split("\x1f")
            pinned = yaml.safe_load(self.git("show", f"{commit}:{path}.dvc", record=False))["outs"][0]
            rows.append({"commit": commit[:7], "date": date, "message": message, "md5": pinned["md5"],
                         "size": int(pinned["size"])})
        return pd.DataFrame(rows, columns=["commit", "date", "message", "md5", "size"])
