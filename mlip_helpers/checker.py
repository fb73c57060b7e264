"""Self-checking exercises: a verdict for the student, and *why* an answer is wrong.

Introduced in ``notebooks/04-model-correctness.ipynb``. A wrong answer never
raises: :func:`check` prints one line and returns a :class:`CheckResult`
with ``passed`` and ``reason``. An :class:`Exercise` knows the expected
answer, how close is close enough, and known mistakes with their
explanations (e.g. "that is precision, not recall"); generic diagnoses cover
wrong types, shapes, percentages, complements and transposed tables. The
fixed exercises of the lecture notebooks are in :mod:`mlip_helpers.exercises`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mlip_helpers import _diagnose
from mlip_helpers.errors import ExerciseError

__all__ = ["NOT_ANSWERED", "CheckResult", "Exercise", "Mistake", "check"]

NOT_ANSWERED = "not answered yet: replace ... with your answer and run the cell again."
"""Reason given while the answer is still the placeholder ``...`` (or ``None``)."""

_MARK = {"correct": "\u2714 correct", "wrong": "\u2718 not yet", "unanswered": "\u2026 waiting"}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer."""

    exercise: str
    """Name of the exercise."""
    passed: bool
    """True only for a correct answer."""
    reason: str
    """Why the answer is right or wrong, in a sentence or two."""
    answered: bool = True
    """False while the answer is still the placeholder."""

    @property
    def status(self) -> Literal["correct", "wrong", "unanswered"]:
        """``"correct"``, ``"wrong"`` or ``"unanswered"``."""
        return "correct" if self.passed else ("wrong" if self.answered else "unanswered")

    def summary(self) -> str:
        """One printable line: mark, exercise name and reason."""
        return f"{_MARK[self.status]} [{self.exercise}] {self.reason}"

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True, eq=False)
class Mistake:
    """A known wrong answer and the explanation to give when a student arrives at it."""

    answer: Any
    """The wrong answer (a number, a label array, a table or an option)."""
    explanation: str
    """What the student most likely did, and what to do instead."""


def _mistakes(mistakes: Any) -> tuple[Mistake, ...]:
    items = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    return tuple(m if isinstance(m, Mistake) else Mistake(*m) for m in items)


@dataclass(frozen=True, eq=False)
class Exercise:
    """An exercise: the expected answer, how to compare, and known mistakes.

    Introduced in ``notebooks/04-model-correctness.ipynb``. Build one with
    :meth:`number`, :meth:`labels`, :meth:`table` or :meth:`choice`.

    Examples
    --------
    >>> share = Exercise.number("share", 0.25, mistakes={25: "That is a percentage."})
    >>> share.check(0.25).passed, share.check(25).reason
    (True, 'That is a percentage.')
    """

    name: str
    """Name shown in the verdict."""
    expected: Any
    """The correct answer."""
    kind: Literal["number", "labels", "table", "choice"]
    """How answers are compared."""
    tolerance: float = 1e-3
    """Largest absolute difference accepted for numbers and tables."""
    options: tuple[str, ...] = ()
    """The allowed answers of a ``choice`` exercise."""
    mistakes: tuple[Mistake, ...] = ()
    """Known wrong answers, checked in order before the generic diagnoses."""
    hint: str = ""
    """Added to the reason of a wrong answer that is not one of the known mistakes."""

    @classmethod
    def number(cls, name: str, expected: float, *, tolerance: float = 1e-3, mistakes: Any = (),
               hint: str = "") -> Exercise:
        """A single number, accepted within ``tolerance``."""
        return cls(name, float(expected), "number", tolerance, (), _mistakes(mistakes), hint)

    @classmethod
    def labels(cls, name: str, expected: Sequence, *, mistakes: Any = (), hint: str = "") -> Exercise:
        """One label per example, compared exactly and in order."""
        return cls(name, np.asarray(expected), "labels", 0.0, (), _mistakes(mistakes), hint)

    @classmethod
    def table(cls, name: str, expected: Any, *, tolerance: float = 1e-9, mistakes: Any = (),
              hint: str = "") -> Exercise:
        """A two-dimensional table of numbers, such as a confusion matrix."""
        return cls(name, np.asarray(expected, dtype=float), "table", tolerance, (),
                   _mistakes(mistakes), hint)

    @classmethod
    def choice(cls, name: str, expected: str | Sequence[str], options: Sequence[str], *,
               mistakes: Any = (), hint: str = "") -> Exercise:
        """One of a few named options (or any of several, on a tie), ignoring case and spaces."""
        accepted = expected if isinstance(expected, str) else tuple(expected)
        return cls(name, accepted, "choice", 0.0, tuple(options), _mistakes(mistakes), hint)

    def check(self, answer: Any) -> CheckResult:
        """Judge ``answer``; never raises, whatever the answer is."""
        if answer is Ellipsis or answer is None:
            return CheckResult(self.name, False, NOT_ANSWERED, answered=False)
        try:
            passed, reason = _diagnose.diagnose(self, answer)
        except Exception as error:  # noqa: BLE001 - a student's odd answer must not crash the cell
            passed = False
            reason = (f"could not interpret your answer of type {type(answer).__name__} "
                      f"({error}); the exercise expects {_diagnose.describe(self)}.")
        known = any(reason == m.explanation for m in self.mistakes)
        if not passed and self.hint and not known:
            reason = f"{reason} Hint: {self.hint}"
        return CheckResult(self.name, passed, reason)


def check(exercise: str | Exercise, answer: Any, *, quiet: bool = False, **context: Any) -> CheckResult:
    """Check an exercise answer, print the verdict and return it as a :class:`CheckResult`.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``exercise`` is an
    :class:`Exercise` or the name of one in :mod:`mlip_helpers.exercises`;
    named exercises that depend on the notebook's data take it as keyword
    arguments (``context``). A wrong answer never raises; an unknown exercise
    name or missing data does (:class:`~mlip_helpers.errors.ExerciseError`).

    Examples
    --------
    >>> result = check("cancer_accuracy", ...)
    \u2026 waiting [cancer_accuracy] not answered yet: replace ... with your answer and run the cell again.
    >>> check("cancer_accuracy", 116 / 164, quiet=True).passed
    True
    """
    from mlip_helpers import exercises

    if isinstance(exercise, str):
        exercise = exercises.build(exercise, **context)
    elif not isinstance(exercise, Exercise):
        raise ExerciseError(f"check() takes an exercise name or an Exercise first, got "
                            f"{type(exercise).__name__}; call check(exercise, answer).",
                            name=repr(exercise)[:40])
    elif context:
        raise ExerciseError("extra keyword arguments are only for named exercises, got "
                            f"{sorted(context)}.", name=getattr(exercise, "name", "?"))
    result = exercise.check(answer)
    if not quiet:
        _print(result.summary())
    return result


def _print(text: str) -> None:
    """Print, falling back to ASCII on a console that cannot show the check marks."""
    try:
        print(text)
    except UnicodeEncodeError:
        print(text.encode("ascii", "replace").decode("ascii"))
