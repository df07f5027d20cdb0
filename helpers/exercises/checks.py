"""Exercise checking, in the style of Kaggle's learntools: each question has ``check``, ``hint`` and ``solution``.

A learner notebook holds cells like::

    answer_q1 = ____          # replace ____ with your answer
    q1.check(answer_q1)

``____`` is a placeholder: checking it (or ``None``, what a cell that forgot to compute something leaves behind) says
"not answered yet" instead of raising. Verdicts are printed as one plain line that starts with a fixed marker
(``VERDICT_CORRECT`` ...) for the learner, and each check also records a machine-readable outcome in
``q1.last_outcome`` (one of ``OUTCOMES``: ``"unchecked"`` until the first check, then ``"correct"``, ``"incorrect"``,
``"unanswered"`` or, for a thought experiment, ``"answered"``), which is what the course's tests read. ``check``
returns None, so Jupyter shows the verdict and nothing under it.

What a learner can type is judged kindly: numpy and pandas scalars (``np.int64(10)``, ``np.float64(0.82)``) count as
the numbers they hold, a container of the wrong kind (a DataFrame or a dict where a list of names was asked) is
named as such, strings are compared without regard to case or surrounding spaces, a percentage typed where a
proportion is asked (41 for 0.41) gets a hint, NaN is never correct, and no answer, however odd, shows a traceback.

Two kinds of question:

* ``Question``: an answer that can be checked (a number within a tolerance, a set of names, a day, ...);
* ``ThoughtExperiment``: a judgement call with no single right answer; ``check`` asks for a written answer and
  ``solution`` shows the reasoning to compare with.

Exercise modules (``helpers.exercises.ex00`` ...) define the questions of one exercise notebook; the learner
notebooks are generated from the solutions by ``course.notebooks`` (``make notebooks``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

__all__ = [
    "____", "VERDICT_CORRECT", "VERDICT_INCORRECT", "VERDICT_UNANSWERED", "VERDICT_THOUGHT", "HINT_PREFIX",
    "SOLUTION_PREFIX", "OUTCOMES", "Wrong", "kind_of", "plain", "is_placeholder", "Question", "ThoughtExperiment",
    "expect_number", "expect_choice", "expect_set", "as_pair", "expect_pair",
]


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

#: The machine-readable outcomes a question records in ``last_outcome``, keyed by the verdict marker printed.
OUTCOMES = {
    VERDICT_CORRECT: "correct",
    VERDICT_INCORRECT: "incorrect",
    VERDICT_UNANSWERED: "unanswered",
    VERDICT_THOUGHT: "answered",
}
UNCHECKED = "unchecked"


class Wrong(Exception):
    """Raised by a question's check function to explain, kindly, what is wrong with an answer."""


def _safe_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, shortened, and never raising (a learner's object may have a broken ``__repr__``)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - any object must be describable
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind_of(value: Any) -> str:
    """A learner-readable name for the kind of ``value`` ("a pandas DataFrame", "a dict", "a list" ...)."""
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "pandas":
        return f"a pandas {name}"
    if module == "numpy":
        return "a numpy array" if name == "ndarray" else f"a numpy {name}"
    if value is None:
        return "None"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def plain(value: Any) -> Any:
    """numpy and pandas scalars (and 0-d arrays) as the Python value they hold; anything else unchanged.

    ``np.int64(10)`` -> ``10``, ``np.float64(0.5)`` -> ``0.5``, ``np.bool_(True)`` -> ``True``, ``np.str_("ks")``
    -> ``"ks"``. Timestamps and containers are left as they are.
    """
    try:
        import numpy as np

        if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
            return value.item()
    except Exception:  # noqa: BLE001 - numpy missing or an odd subclass: leave the value alone
        pass
    return value


def is_placeholder(value: Any) -> bool:
    """True when ``value`` is (or contains, for a list/tuple/set/dict) the ``____`` placeholder."""
    if isinstance(value, _Placeholder):
        return True
    if isinstance(value, dict):
        return any(is_placeholder(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(is_placeholder(v) for v in value)
    return False


def _unanswered(value: Any) -> bool:
    """The placeholder, or None (a cell that computed nothing), or a container holding the placeholder."""
    return value is None or is_placeholder(value)


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
        #: The outcome of the latest ``check`` (a value of ``OUTCOMES``), ``"unchecked"`` before the first.
        self.last_outcome = UNCHECKED

    def evaluate(self, answer: Any = ____) -> tuple[str, str]:
        """(verdict marker, message) for ``answer``, without printing. Never raises, whatever ``answer`` is."""
        try:
            return self._evaluate(plain(answer))
        except Exception:  # noqa: BLE001 - a learner must never see a traceback from the checker itself
            return VERDICT_INCORRECT, (
                f"{self.name}: your answer ({kind_of(answer)}) could not be checked; compare its kind with what "
                f"the question asks for. Stuck? Run {self._var()}.hint()."
            )

    def _unanswered_message(self, answer: Any) -> str:
        if answer is None:
            return (
                f"{self.name}: your answer is None (did the cell compute it, or print it instead of keeping it?); "
                f"replace ____ with your answer, then run this cell again. Stuck? Run {self._var()}.hint()."
            )
        return (
            f"{self.name}: replace ____ with your answer, then run this cell again. "
            f"Stuck? Run {self._var()}.hint()."
        )

    def _evaluate(self, answer: Any) -> tuple[str, str]:
        if _unanswered(answer):
            return VERDICT_UNANSWERED, self._unanswered_message(answer)
        try:
            self._checker(answer)
        except Wrong as reason:
            help_ = f"Try {self._var()}.hint(), or see {self._var()}.solution()."
            return VERDICT_INCORRECT, f"{self.name}: {reason} {help_}"
        except Exception as error:  # a malformed answer must never show the learner a traceback
            return VERDICT_INCORRECT, (
                f"{self.name}: your answer ({kind_of(answer)}) could not be checked ({type(error).__name__}). "
                f"Compare its kind with what the question asks for."
            )
        return VERDICT_CORRECT, f"{self.name}. {self._correct_message}".rstrip()

    def check(self, answer: Any = ____) -> None:
        """Print a friendly verdict on ``answer`` (one line starting with a ``VERDICT_*`` marker).

        Returns None, so that a notebook cell ending in ``q1.check(...)`` shows the verdict and nothing else; use
        ``evaluate`` to get the verdict as a value.
        """
        verdict, message = self.evaluate(answer)
        self.last_outcome = OUTCOMES[verdict]
        print(f"{verdict} {message}")

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

    def _evaluate(self, answer: Any) -> tuple[str, str]:
        if _unanswered(answer) or (isinstance(answer, str) and not answer.strip()):
            return VERDICT_UNANSWERED, (
                f"{self.name}: write your answer as a string (a few sentences), then run this cell again."
            )
        if not isinstance(answer, str):
            return VERDICT_INCORRECT, (
                f"{self.name}: write your answer as a string in quotes (a few sentences), got {kind_of(answer)}."
            )
        words = len(answer.split())
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
def _list_like_types() -> tuple[type, ...]:
    kinds: list[type] = [list, tuple, set, frozenset]
    try:
        import numpy as np
        import pandas as pd

        kinds += [np.ndarray, pd.Index, pd.Series]
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


_LIST_LIKE = _list_like_types()


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def _is_container(value: Any) -> bool:
    return isinstance(value, (dict, *_LIST_LIKE)) or _is_frame(value)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _same(a: Any, b: Any) -> bool:
    """``a == b`` as one truth value (an odd object's ``==`` may return an array or raise)."""
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _norm(value: Any) -> Any:
    """Strings stripped and lower-cased (choices and names are compared without regard to case); else unchanged."""
    value = plain(value)
    return value.strip().lower() if isinstance(value, str) else value


def _is_series(value: Any) -> bool:
    return type(value).__name__ == "Series" and type(value).__module__.startswith("pandas")


def _percentage_hint(value: float, expected: float, tolerance: float) -> str:
    """A hint when ``value`` reads as ``expected`` written as a percentage (41 for 0.41); else ``""``."""
    if 0 <= expected <= 1 and 1 < abs(value) <= 100 and abs(value / 100 - expected) <= max(tolerance, 0.005):
        return (
            f"{value:.4g} looks like a percentage; this question asks for a proportion between 0 and 1 "
            f"({value:.4g}% is {value / 100:.4g})."
        )
    return ""


def expect_number(expected: float, tolerance: float = 0.0, what: str = "the value") -> Callable[[Any], None]:
    """Checker for a number within ``tolerance`` (absolute) of ``expected``.

    When ``expected`` is a proportion (between 0 and 1) and the answer is that proportion written as a percentage
    (41 for 0.41), the learner is told so rather than only "too high".
    """

    def checker(answer: Any) -> None:
        answer = plain(answer)
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            if _is_container(answer):
                raise Wrong(
                    f"the answer should be one number, got {kind_of(answer)}: pick the single value you mean "
                    f"(e.g. with .iloc[0], .item() or a column's .mean())."
                )
            if isinstance(answer, bool):
                raise Wrong(f"the answer should be a number, got the truth value {answer!r}.")
            raise Wrong(f"the answer should be a number, got {kind_of(answer)} {_safe_repr(answer)}.")
        value = float(answer)
        if math.isnan(value):
            raise Wrong("the answer is NaN; did a computation divide by an empty group?")
        if abs(value - expected) > tolerance:
            hint = _percentage_hint(value, expected, tolerance)
            if hint:
                raise Wrong(hint)
            direction = "too high" if value > expected else "too low"
            raise Wrong(f"{value:.4g} is {direction} for {what}.")

    return checker


def expect_choice(expected: Any, choices: list[Any] | None = None) -> Callable[[Any], None]:
    """Checker for one value among ``choices`` (strings compared without regard to case or surrounding spaces)."""

    def checker(answer: Any) -> None:
        answer = plain(answer)
        if _is_container(answer):
            options = ", ".join(map(repr, choices or [expected]))
            raise Wrong(f"give one of the options, not {kind_of(answer)}: {options}.")
        if choices is not None and not any(_same(_norm(answer), _norm(c)) for c in choices):
            raise Wrong(f"{_safe_repr(answer)} is not one of the options: {', '.join(map(repr, choices))}.")
        if not _same(_norm(answer), _norm(expected)):
            raise Wrong(f"{_safe_repr(answer)} is not the best choice.")

    return checker


def _names_kind_hint(answer: Any) -> str:
    """Why ``answer`` is not a list of names, or ``""`` when it may be one."""
    if _is_frame(answer):
        return " (its column names: list(df.columns); a column's values: df[name].tolist())"
    if isinstance(answer, dict):
        return " (for its keys use list(d))"
    return ""


def expect_set(expected: set[Any] | list[Any], what: str = "items") -> Callable[[Any], None]:
    """Checker for a collection holding exactly ``expected`` (order, case and surrounding spaces do not matter).

    A pandas Series whose values are not names (a boolean mask, a column of scores) is named as such, with where the
    names probably are (its index).
    """
    target = {_norm(v) for v in expected}

    def checker(answer: Any) -> None:
        if isinstance(answer, (dict, str, bytes)) or _is_frame(answer) or not isinstance(answer, _LIST_LIKE):
            raise Wrong(f"the answer should be a list of {what}, got {kind_of(answer)}{_names_kind_hint(answer)}.")
        names_expected = all(isinstance(v, str) for v in target)
        if names_expected and _is_series(answer) and not all(isinstance(plain(v), str) for v in answer):
            raise Wrong(
                f"the answer should be a list of {what}, got a pandas Series of {answer.dtype} values; the {what} "
                f"are probably its index: list(s.index), or list(s[s].index) for the rows where a True/False "
                f"Series is True."
            )
        items = [plain(v) for v in answer]
        unhashable = [v for v in items if not _hashable(v)]
        if unhashable:
            raise Wrong(f"the answer should be a flat list of {what}; it holds {kind_of(unhashable[0])}.")
        given = {_norm(v) for v in items}
        missing, extra = target - given, given - target
        if missing or extra:
            parts = []
            if extra:
                parts.append(f"{len(extra)} of your {what} should not be there")
            if missing:
                parts.append(f"{len(missing)} {what} are missing")
            raise Wrong("; ".join(parts) + ".")

    return checker


def _pair_kind_problem(answer: Any, names: tuple[str, str]) -> str:
    """Why ``answer`` cannot be read as a pair, or ``""`` when it can."""
    shape = f"({names[0]}, {names[1]})"
    if isinstance(answer, dict):
        return f"give a pair {shape} as a tuple, got a dict; a dict's order is not a pair's (tuple(d.values()))"
    if isinstance(answer, (set, frozenset)):
        return f"give a pair {shape} as a tuple, got a set: a set has no order (and drops a repeated value)"
    if isinstance(answer, (str, bytes)):
        return f"give a pair {shape} as a tuple of two values, got the string {_safe_repr(answer)}"
    if _is_frame(answer) or not isinstance(answer, _LIST_LIKE):
        return f"give a pair {shape} as a tuple, got {kind_of(answer)}"
    if len(answer) != 2:
        return f"give a pair {shape}: two values, got {len(answer)}"
    return ""


def as_pair(answer: Any, names: tuple[str, str] = ("low", "high"), numbers_only: bool = True) -> tuple[Any, Any]:
    """``answer`` as a tuple of two plain values, or ``Wrong`` naming what it is instead.

    A dict, a set, a string or a collection of another length is named as such. With ``numbers_only`` (the default)
    both values must be real numbers and NaN (Python's or numpy's) is refused, naming the value: a pair holding NaN
    is never correct. Strings inside the pair are stripped and lower-cased, so pairs compare without regard to case.
    """
    problem = _pair_kind_problem(answer, names)
    if problem:
        raise Wrong(problem + ".")
    pair = tuple(_norm(v) for v in answer)
    if not numbers_only:
        return pair
    for name, value in zip(names, pair):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Wrong(f"{name} should be a number, got {kind_of(value)} {_safe_repr(value)}.")
        if math.isnan(float(value)):
            raise Wrong(f"{name} is NaN; did a computation divide by an empty group?")
    return pair


def expect_pair(
    expected: tuple[Any, Any], names: tuple[str, str], what: str = "the answer", tolerance: float | None = None
) -> Callable[[Any], None]:
    """Checker for a pair such as ``(phase, measurement)`` or ``(low, high)``.

    With ``tolerance`` (a number) both values are numbers compared within it (NaN never matches); without it the
    values are compared exactly, strings without regard to case. Says which of the two ``names`` is wrong.
    """

    def checker(answer: Any) -> None:
        got = as_pair(answer, names, numbers_only=tolerance is not None)
        if tolerance is None:
            wrong = [n for n, g, e in zip(names, got, expected) if not _same(g, _norm(e))]
        else:
            wrong = [n for n, g, e in zip(names, got, expected) if not abs(float(g) - float(e)) <= tolerance]
        if wrong:
            raise Wrong(f"{' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not what {what} gives.")

    return checker
