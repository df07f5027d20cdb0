"""Trying the lesson's code on the pinned versions: run a snippet and report, as text, whether it works.

Used by notebook 00 ("the lesson's code, today") so that code written against old library APIs shows the error it
raises as one readable line instead of a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Attempt", "attempt",
]

# "(/path/to/site-packages/pkg/__init__.py)" at the end of an ImportError: machine-specific, so not shown
_PATH_IN_PARENTHESES = re.compile(r"\s*\((?:[A-Za-z]:)?[^()\s]*[/\\][^()]*\)")


@dataclass(frozen=True)
class Attempt:
    """Outcome of running one snippet: ``ok`` and, when it failed, the error's type and message."""

    ok: bool
    error_type: str = ""
    message: str = ""

    def __str__(self) -> str:
        return "runs" if self.ok else f"fails with {self.error_type}: {self.message}"


def attempt(source: str, namespace: dict | None = None) -> Attempt:
    """Execute ``source`` in ``namespace`` (a fresh dict by default) and report whether it ran.

    Any exception is caught and summarised by its type and the first line of its message (file paths removed, so
    the text is the same on every machine); nothing is printed. ``source`` is trusted course code.
    """
    try:
        exec(compile(source, "<lesson snippet>", "exec"), {} if namespace is None else namespace)
    except Exception as error:  # the point is to show the error as text
        first_line = str(error).splitlines()[0] if str(error) else ""
        return Attempt(False, type(error).__name__, _PATH_IN_PARENTHESES.sub("", first_line))
    return Attempt(True)
