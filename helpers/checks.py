"""Exercise checking, in the style of Kaggle's learntools: each question has ``check``, ``hint`` and ``solution``.

A learner notebook holds cells like::

    answer_q1 = ____          # replace ____ with your answer
    q1.check(answer_q1)

``____`` is a placeholder: checking it says "not answered yet" instead of raising. Verdicts are printed as one plain
line that starts with a fixed marker (``VERDICT_CORRECT`` ...), so tests can read them from executed notebooks.

Two kinds of question:

* ``Question``: an answer that can be checked (a number within a tolerance, a set of names, a day, ...);
* ``ThoughtExperiment``: a judgement call with no single right answer; ``check`` asks for a written answer and
  ``solution`` shows the reasoning to compare with.

Exercise modules (``helpers.exercises.ex00`` ...) define the questions of one exercise notebook.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class _Placeholder:
    """The value a learner replaces with an answer (shown as ``____``)."""

    def __repr__(self) -> str:
        return "____"


#: Placeholder for an answer not given yet.
____ = _Placeholder()

VERDICT_CORRECT = "Correct:"
VERDICT_INCORRECT = "Not quite:"
VERDICT_UNANSWERED = "Not answered yet:"
VERDICT_THOUGHT = "Thanks for your answer:"
HINT_PREFIX = "Hint:"
SOLUTION_PREFIX = "Solution:"


class Wrong(Exception):
    """Raised by a question's check function to explain, kindly, what is wrong with an answer."""


def is_placeholder(value: Any) -> bool:
    """True when ``value`` is (or contains, for a list/tuple/set/dict) the ``____`` placeholder."""
    if isinstance(value, _Placeholder):
        return True
    if isinstance(value, dict):
        return any(is_placeholder(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(is_placeholder(v) for v in value)
    return False


class Question:
    """One checkable question.

    Args:
        name: shown in messages, e.g. ``"Question 1"``.
        checker: function of the answer that returns normally when it is right and raises ``Wrong("...")`` with a
            friendly explanation when it is not. Helpers below (``expect_number``, ``expect_choice`` ...) build one.
        hint: a nudge that does not give the answer away.
        solution: the answer and why (plain text, may include code).
        correct_message: what to add when the answer is right (the insight worth keeping).
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], None],
        hint: str,
        solution: str,
        correct_message: str = "",
    ) -> None:
        self.name = name
        self._checker = checker
        self._hint = hint
        self._solution = solution
        self._correct_message = correct_message

    def evaluate(self, answer: Any = ____) -> tuple[str, str]:
        """(verdict marker, message) for ``answer``, without printing."""
        if is_placeholder(answer):
            return VERDICT_UNANSWERED, (
                f"{self.name}: replace ____ with your answer, then run this cell again. "
                f"Stuck? Run {self._var()}.hint()."
            )
        try:
            self._checker(answer)
        except Wrong as reason:
            return VERDICT_INCORRECT, f"{self.name}: {reason} Try {self._var()}.hint(), or see {self._var()}.solution()."
        except Exception as error:  # a malformed answer must never show the learner a traceback
            return VERDICT_INCORRECT, (
                f"{self.name}: your answer could not be checked ({type(error).__name__}: {error}). "
                f"Check its type against the question."
            )
        return VERDICT_CORRECT, f"{self.name}. {self._correct_message}".rstrip()

    def check(self, answer: Any = ____) -> bool:
        """Print a friendly verdict on ``answer``; return True when it is right."""
        verdict, message = self.evaluate(answer)
        print(f"{verdict} {message}")
        return verdict == VERDICT_CORRECT

    def hint(self) -> None:
        """Print a hint."""
        print(f"{HINT_PREFIX} {self._hint}")

    def solution(self) -> None:
        """Print the solution and its reasoning."""
        print(f"{SOLUTION_PREFIX} {self._solution}")

    def _var(self) -> str:
        return self.name.lower().replace("question ", "q").replace(" ", "")


class ThoughtExperiment(Question):
    """A judgement question: any considered written answer is welcome; the solution shows one line of reasoning.

    ``min_words`` guards against an empty or one-word reply.
    """

    def __init__(self, name: str, hint: str, solution: str, min_words: int = 8) -> None:
        super().__init__(name, checker=lambda answer: None, hint=hint, solution=solution)
        self.min_words = min_words

    def evaluate(self, answer: Any = ____) -> tuple[str, str]:
        if is_placeholder(answer) or not str(answer).strip():
            return VERDICT_UNANSWERED, (
                f"{self.name}: write your answer as a string (a few sentences), then run this cell again."
            )
        words = len(str(answer).split())
        if words < self.min_words:
            return VERDICT_INCORRECT, (
                f"{self.name}: {words} words is a little short; say what you would do and why "
                f"(at least {self.min_words} words)."
            )
        return VERDICT_THOUGHT, (
            f"{self.name}. There is no single right answer here; compare yours with {self._var()}.solution()."
        )


# ----------------------------------------------------------------------------------------------------------------
# Ready-made checkers
# ----------------------------------------------------------------------------------------------------------------
def expect_number(expected: float, tolerance: float = 0.0, what: str = "the value") -> Callable[[Any], None]:
    """Checker for a number within ``tolerance`` (absolute) of ``expected``."""

    def checker(answer: Any) -> None:
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) and not hasattr(answer, "__float__"):
            raise Wrong(f"the answer should be a number, got {type(answer).__name__} {answer!r}.")
        value = float(answer)
        if math.isnan(value):
            raise Wrong("the answer is NaN; did a computation divide by an empty group?")
        if abs(value - expected) > tolerance:
            direction = "too high" if value > expected else "too low"
            raise Wrong(f"{value:.4g} is {direction} for {what}.")

    return checker


def expect_choice(expected: Any, choices: list[Any] | None = None) -> Callable[[Any], None]:
    """Checker for one value among ``choices`` (strings compared case-insensitively)."""

    def norm(value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    def checker(answer: Any) -> None:
        if choices is not None and norm(answer) not in [norm(c) for c in choices]:
            raise Wrong(f"{answer!r} is not one of the options: {', '.join(map(repr, choices))}.")
        if norm(answer) != norm(expected):
            raise Wrong(f"{answer!r} is not the best choice.")

    return checker


def expect_set(expected: set[Any] | list[Any], what: str = "items") -> Callable[[Any], None]:
    """Checker for a collection holding exactly ``expected`` (order does not matter)."""
    target = set(expected)

    def checker(answer: Any) -> None:
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            raise Wrong(f"the answer should be a list of {what}, got {type(answer).__name__} {answer!r}.")
        given = set(answer)
        missing, extra = target - given, given - target
        if missing or extra:
            parts = []
            if extra:
                parts.append(f"{len(extra)} of your {what} should not be there")
            if missing:
                parts.append(f"{len(missing)} {what} are missing")
            raise Wrong("; ".join(parts) + ".")

    return checker


# ----------------------------------------------------------------------------------------------------------------
# Learner notebooks, generated from the solutions
# ----------------------------------------------------------------------------------------------------------------
SOLUTION_TAG = "solution"


def strip_solutions(nb):
    """A learner copy of a solution notebook: cells tagged ``solution`` removed, outputs cleared.

    The solution notebook keeps, before each solution cell, the learner's starting cell (e.g. ``answer = ____``),
    so removing the solution leaves a notebook that runs to the end and says "not answered yet".
    """
    import copy

    from helpers.notebooks import clear_outputs, normalize

    learner = copy.deepcopy(nb)
    learner.cells = [c for c in learner.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    return normalize(clear_outputs(learner))


def learner_path_for(solution_path):
    """Where the learner version of ``exercises/solutions/exNN_*.ipynb`` lives (``exercises/exNN_*.ipynb``)."""
    from pathlib import Path

    solution_path = Path(solution_path)
    return solution_path.parent.parent / solution_path.name


def generate_learner_notebooks(solutions=None):
    """Write the learner version of every solution notebook; return the paths written."""
    import nbformat

    from helpers.notebooks import solution_notebooks

    written = []
    for path in solutions or solution_notebooks():
        learner = strip_solutions(nbformat.read(path, as_version=4))
        target = learner_path_for(path)
        nbformat.write(learner, target)
        written.append(target)
    return written


def stale_learner_notebooks(solutions=None):
    """Learner notebooks that differ from what their solution would generate (or are missing)."""
    import nbformat

    from helpers.notebooks import solution_notebooks

    stale = []
    for path in solutions or solution_notebooks():
        target = learner_path_for(path)
        expected = nbformat.writes(strip_solutions(nbformat.read(path, as_version=4)))
        if not target.exists() or nbformat.writes(nbformat.read(target, as_version=4)) != expected:
            stale.append(target)
    return stale
