"""Claims: the checks that keep a notebook's prose true (the cells tagged ``claims``).

``claim(holds, what)`` checks one statement the text makes, in words (``what``). How a false claim is reported
depends on who runs the notebook:

- the course's own runs (the tests, nbval, ``make run``, ``make notebooks``) set ``COURSE_STRICT_CLAIMS=1``: a false
  claim raises ``AssertionError`` naming it, so a library update that changes a result fails the notebook instead of
  leaving a lie in the text;
- a learner's run (JupyterLab, or papermill with other parameters, as the "Try it" suggestions invite) prints one
  line on stderr naming the claim and goes on: the text was written for the default parameters, and a knob that
  changes a number is not the learner's error.
"""

from __future__ import annotations

import os
import sys

import numpy as np

__all__ = ["STRICT_ENV", "claim", "strict"]

STRICT_ENV = "COURSE_STRICT_CLAIMS"
"""The environment variable that makes false claims fail (``1``); unset or ``0``: they print a note."""

NOT_A_CONDITION = (
    "claim() takes True or False as its first argument (a comparison such as `ratio < 0.8`), got {kind} {value!r}; "
    "reduce an array with .all() or .any() first"
)
NO_TEXT = "claim() needs the claim in words as its second argument, e.g. claim(ratio < 0.8, 'the ratio is below 0.8')"


def strict() -> bool:
    """True when false claims must fail: ``COURSE_STRICT_CLAIMS`` is set to anything but ``""`` or ``"0"``."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def claim(holds: bool, what: str) -> None:
    """Check one claim of the text (returns nothing, so a claims cell's last line displays nothing).

    ``holds`` must be a boolean (Python's or numpy's): a float such as NaN is refused rather than read as true.
    Strict runs raise ``AssertionError("Claim no longer holds: <what>")``; other runs print that line to stderr.
    """
    if not isinstance(what, str) or not what.strip():
        raise TypeError(NO_TEXT)
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(NOT_A_CONDITION.format(kind=type(holds).__name__, value=holds))
    if holds:
        return
    message = f"Claim no longer holds: {what}"
    if strict():
        raise AssertionError(message)
    print(f"{message} (the text was written for the default parameters; this run changed one)", file=sys.stderr)
