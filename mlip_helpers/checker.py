"""Self-checking exercises: one API for every lecture, and a verdict that teaches without telling.

Introduced in ``notebooks/04-model-correctness.ipynb``. A wrong answer never raises: :func:`check` prints one
line and returns a :class:`CheckResult` with ``passed`` and ``reason``. The reason names the *mistake* ("that is
precision, not recall"), or gives a direction without a magnitude ("too high"), never a number from which the
answer follows.

How to declare the exercises of a lecture (the guide for every lecture module)
------------------------------------------------------------------------------
1. Declare each exercise in the helper module of its lecture, never in a notebook: a function that takes the
   notebook's data (or nothing) and returns an :class:`Exercise`, computing the expected value from that data,
   so it is right under any ``seed`` and ``n_samples``. Pick the constructor by kind:

   - :meth:`Exercise.number`: a real number, with an explicit tolerance kind: ``tolerance=`` (absolute) or
     ``relative=`` (a share of the expected value; use it for tiny values such as p-values). Pass
     ``share=True`` when the answer is a fraction between 0 and 1 (then 100x and 1 - x get their diagnosis).
   - :meth:`Exercise.count`, :meth:`Exercise.integer`, :meth:`Exercise.id`: compared exactly; never told
     "percentage" or "share".
   - :meth:`Exercise.choice`: ``options`` maps *every* option to what to say when a student picks it wrongly
     (the right option's text is said on success).
   - :meth:`Exercise.set` (order does not matter) and :meth:`Exercise.list` (order matters).
   - :meth:`Exercise.code`: a *build-it* exercise. The student writes a function; the checker runs it on hidden
     :class:`Case` objects and says which case failed and why, never the case's expected result. ``solution``
     is the hidden worked function.

   ``mistakes`` maps known wrong answers (a value, or for ``code`` a buggy function) to their own explanation.
   A mistake that would fall inside the tolerance for the data at hand must be left out by the builder (the
   proof test checks this for seeds 0, 1 and 2).
2. Give each exercise a worked solution (``solution=``; values default to the expected one).
3. Expose ``lecture_exercises(*, seed=0, **parameters) -> dict[str, Exercise]`` in the module, with the
   notebook's parameters (``seed``, ``n_samples``...) as keyword arguments and the notebook's defaults. It rebuilds
   the notebook's data and returns every exercise of the lecture, keyed by name, with ``NOTEBOOK = "<stem>"`` at
   module level. :func:`mlip_helpers.exercises.lectures` finds every such function by walking the package, so
   ``tests/helpers/test_exercise_proof.py`` proves every declared exercise without a list to update.
4. In the notebook: ``answer = ...`` then ``result = check(some_exercise(data), answer)``; the hidden
   solution cell calls ``check`` with the worked answer. Nothing above the exercise prints its answer.

Examples
--------
>>> share = Exercise.number("share", 0.25, tolerance=1e-3, share=True,
...                         mistakes={0.4: "That is the other class."})
>>> share.check(0.25).passed, share.check(0.4).reason, share.check(0.3).reason
(True, 'That is the other class.', 'too high.')
>>> double = Exercise.code("double", cases=[Case("a small number", (2,), lambda out: out == 4,
...                                              "the result is not twice the input.")],
...                        solution=lambda x: 2 * x)
>>> double.check(lambda x: x + 2).passed, double.check(lambda x: x + 1).reason
(True, "hidden case 'a small number': the result is not twice the input.")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mlip_helpers import _diagnose
from mlip_helpers.errors import ExerciseError

__all__ = ["KINDS", "NOT_ANSWERED", "Case", "CheckResult", "Exercise", "Mistake", "check"]

NOT_ANSWERED = "not answered yet: replace ... with your answer and run the cell again."
"""Reason given while the answer is still the placeholder ``...`` (or ``None``)."""

KINDS = ("number", "integer", "count", "id", "choice", "set", "list", "labels", "table", "code")
"""Every kind of exercise; ``labels`` and ``table`` compare per-example labels and matrices."""

_MARK = {"correct": "\u2714 correct", "wrong": "\u2718 not yet", "unanswered": "\u2026 waiting"}
_UNSET = object()


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
    """The wrong answer (a number, an option, a collection, or for ``code`` a buggy function)."""
    explanation: str
    """What the student most likely did, and what to do instead."""


@dataclass(frozen=True, eq=False)
class Case:
    """One hidden case of a ``code`` exercise: the input, a test of the output, and what to say if it fails."""

    label: str
    """What the case is, in words the student may see (never its expected output)."""
    args: tuple
    """Positional arguments for the student's function (copied before each call)."""
    accept: Callable[[Any], bool]
    """True for an acceptable output of the student's function."""
    why: str | Callable[[Any], str]
    """Said when the output is not accepted: the likely mistake, without the expected output; a function of the
    output when the diagnosis depends on it (it must never return the expected output either)."""
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Keyword arguments for the student's function."""
    raises: type[BaseException] | tuple[type[BaseException], ...] = ()
    """Exceptions that count as the output (e.g. ``AssertionError`` from a student's test); passed to ``accept``."""


def _mistakes(mistakes: Any) -> tuple[Mistake, ...]:
    items = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    return tuple(m if isinstance(m, Mistake) else Mistake(*m) for m in items)


@dataclass(frozen=True, eq=False)
class Exercise:
    """An exercise: its kind, the expected answer, how to compare, known mistakes and a worked solution.

    Introduced in ``notebooks/04-model-correctness.ipynb``. Build one with a constructor named after its kind
    (:meth:`number`, :meth:`count`, :meth:`integer`, :meth:`id`, :meth:`choice`, :meth:`set`, :meth:`list`,
    :meth:`code`); see the module's guide.

    Examples
    --------
    >>> n = Exercise.count("rows", 12, mistakes={30: "That counts every row, not only the kept ones."})
    >>> n.check(12).passed, n.check(30).reason, n.check(12.5).reason
    (True, 'That counts every row, not only the kept ones.', 'a count is a whole number; you gave 12.5.')
    """

    name: str
    """Name shown in the verdict."""
    expected: Any
    """The correct answer (for ``code``: None, the hidden cases decide)."""
    kind: Literal["number", "integer", "count", "id", "choice", "set", "list", "labels", "table", "code"]
    """How answers are compared."""
    tolerance: float = 0.0
    """Accepted error of ``number`` and ``table`` answers, in the unit given by ``tolerance_kind``."""
    tolerance_kind: Literal["absolute", "relative", "exact"] = "exact"
    """``absolute`` (|a - e| <= tolerance), ``relative`` (|a - e| <= tolerance * |e|) or ``exact``."""
    options: tuple[str, ...] = ()
    """The allowed answers of a ``choice`` exercise."""
    mistakes: tuple[Mistake, ...] = ()
    """Known wrong answers, checked in order before the generic diagnoses."""
    hint: str = ""
    """Added to the reason of a wrong answer that is not one of the known mistakes."""
    share: bool = False
    """True when a ``number`` answer is a fraction between 0 and 1."""
    cases: tuple[Case, ...] = ()
    """The hidden cases of a ``code`` exercise."""
    solution: Any = None
    """The worked solution: a value, or for ``code`` the hidden function that passes every case."""
    praise: str = ""
    """Said with a correct answer: why it is right."""

    # -- constructors, one per kind ---------------------------------------------------------------------------

    @classmethod
    def number(cls, name: str, expected: float, *, tolerance: float | None = None, relative: float | None = None,
               share: bool = False, mistakes: Any = (), hint: str = "", solution: Any = _UNSET,
               praise: str = "") -> Exercise:
        """A real number, accepted within an absolute ``tolerance`` or a ``relative`` one (give one of them)."""
        if tolerance is not None and relative is not None:
            raise ExerciseError("give either tolerance= (absolute) or relative=, not both.", name=name)
        kind, tol = ("relative", relative) if relative is not None else ("absolute", 1e-3 if tolerance is None
                                                                          else tolerance)
        expected = float(expected)
        return cls(name, expected, "number", float(tol), kind, (), _mistakes(mistakes), hint, share,
                   solution=expected if solution is _UNSET else solution, praise=praise)

    @classmethod
    def count(cls, name: str, expected: int, *, mistakes: Any = (), hint: str = "", solution: Any = _UNSET,
              praise: str = "", kind: Literal["count", "integer"] = "count") -> Exercise:
        """A whole number of things (rows, days, models), compared exactly."""
        if float(expected) != int(expected):
            raise ExerciseError(f"a count must be whole, got {expected!r}.", name=name)
        expected = int(expected)
        return cls(name, expected, kind, 0.0, "exact", (), _mistakes(mistakes), hint,
                   solution=expected if solution is _UNSET else solution, praise=praise)

    @classmethod
    def integer(cls, name: str, expected: int, **keywords: Any) -> Exercise:
        """A whole number that may be negative (a difference, a position), compared exactly."""
        return cls.count(name, expected, kind="integer", **keywords)

    @classmethod
    def id(cls, name: str, expected: Any, *, mistakes: Any = (), hint: str = "", solution: Any = _UNSET,
           praise: str = "") -> Exercise:
        """An identifier (a record id, a version, a name), compared exactly; no "too high" or "too low"."""
        return cls(name, expected, "id", 0.0, "exact", (), _mistakes(mistakes), hint,
                   solution=expected if solution is _UNSET else solution, praise=praise)

    @classmethod
    def choice(cls, name: str, expected: str | Sequence[str], options: Mapping[str, str] | Sequence[str], *,
               mistakes: Any = (), hint: str = "", solution: Any = _UNSET) -> Exercise:
        """One of a few named options (or any of several, on a tie), ignoring case and spaces.

        ``options`` maps every option to its explanation, said when the option is picked wrongly (the right
        option's explanation is said on success). A plain sequence of options with ``mistakes`` also works.
        """
        accepted = expected if isinstance(expected, str) else tuple(expected)
        right = {accepted} if isinstance(accepted, str) else set(accepted)
        explained = _mistakes(mistakes)
        praise = ""
        if isinstance(options, Mapping):
            explained += tuple(Mistake(o, text) for o, text in options.items() if o not in right)
            praise = " ".join(options[o] for o in options if o in right and options[o])
        first = accepted if isinstance(accepted, str) else accepted[0]
        return cls(name, accepted, "choice", 0.0, "exact", tuple(options), explained, hint,
                   solution=first if solution is _UNSET else solution, praise=praise)

    @classmethod
    def set(cls, name: str, expected: Sequence, *, mistakes: Any = (), hint: str = "",
            solution: Any = _UNSET) -> Exercise:
        """A collection whose order does not matter (texts compared ignoring case and spaces)."""
        value = tuple(expected)
        return cls(name, value, "set", 0.0, "exact", (), _mistakes(mistakes), hint,
                   solution=list(value) if solution is _UNSET else solution)

    @classmethod
    def list(cls, name: str, expected: Sequence, *, mistakes: Any = (), hint: str = "",
             solution: Any = _UNSET) -> Exercise:
        """A sequence whose order matters (texts compared ignoring case and spaces)."""
        value = tuple(expected)
        return cls(name, value, "list", 0.0, "exact", (), _mistakes(mistakes), hint,
                   solution=list(value) if solution is _UNSET else solution)

    @classmethod
    def labels(cls, name: str, expected: Sequence, *, mistakes: Any = (), hint: str = "") -> Exercise:
        """One label per example, compared exactly and in order."""
        value = np.asarray(expected)
        return cls(name, value, "labels", 0.0, "exact", (), _mistakes(mistakes), hint, solution=value)

    @classmethod
    def table(cls, name: str, expected: Any, *, tolerance: float = 1e-9, mistakes: Any = (),
              hint: str = "") -> Exercise:
        """A two-dimensional table of numbers, such as a confusion matrix."""
        value = np.asarray(expected, dtype=float)
        return cls(name, value, "table", tolerance, "absolute", (), _mistakes(mistakes), hint, solution=value)

    @classmethod
    def code(cls, name: str, *, cases: Sequence[Case], solution: Callable, mistakes: Any = (),
             hint: str = "", praise: str = "") -> Exercise:
        """A build-it exercise: the student's function is run on hidden ``cases``; ``solution`` passes them all.

        ``mistakes`` maps buggy functions to the explanation (a case's ``why``) they must be rejected with.
        """
        if not cases:
            raise ExerciseError("a code exercise needs at least one hidden case.", name=name)
        return cls(name, None, "code", 0.0, "exact", (), _mistakes(mistakes), hint, cases=tuple(cases),
                   solution=solution, praise=praise)

    # -- judging ----------------------------------------------------------------------------------------------

    def accepts(self, value: float) -> bool:
        """True when the number ``value`` lies within this exercise's tolerance of the expected one."""
        if self.tolerance_kind == "relative":
            return bool(abs(value - self.expected) <= self.tolerance * abs(self.expected))
        return bool(abs(value - self.expected) <= self.tolerance)

    def check(self, answer: Any) -> CheckResult:
        """Judge ``answer``; never raises, whatever the answer is."""
        if answer is Ellipsis or answer is None or (self.kind == "code" and _diagnose.is_stub(answer)):
            return CheckResult(self.name, False, NOT_ANSWERED, answered=False)
        try:
            passed, reason = _diagnose.diagnose(self, answer)
        except Exception as error:  # noqa: BLE001 - a student's odd answer must not crash the cell
            passed = False
            reason = (f"could not interpret your answer of type {type(answer).__name__} "
                      f"({type(error).__name__}); the exercise expects {_diagnose.describe(self)}.")
        known = any(m.explanation in reason for m in self.mistakes if isinstance(m.explanation, str))
        if passed and self.praise:
            reason = f"{reason} {self.praise}"
        if not passed and self.hint and not known:
            reason = f"{reason} Hint: {self.hint}"
        return CheckResult(self.name, passed, reason)


def check(exercise: Exercise, answer: Any, *, quiet: bool = False, **context: Any) -> CheckResult:
    """Check an exercise answer, print the verdict and return it as a :class:`CheckResult`.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``exercise`` is an :class:`Exercise` built by a
    lecture module. A wrong answer never raises; anything but an exercise does
    (:class:`~mlip_helpers.errors.ExerciseError`).

    Examples
    --------
    >>> ratio = Exercise.number("ratio", 0.5, tolerance=1e-3, share=True)
    >>> result = check(ratio, ...)
    \u2026 waiting [ratio] not answered yet: replace ... with your answer and run the cell again.
    >>> check(ratio, 1 / 2, quiet=True).passed
    True
    """
    if not isinstance(exercise, Exercise):
        raise ExerciseError(f"check() takes an exercise first, got {type(exercise).__name__}; call "
                            "check(exercise, answer).", name=repr(exercise)[:40])
    elif context:
        raise ExerciseError(f"check() takes no data of its own, got {sorted(context)}; pass the data to the "
                            "function that builds the exercise.", name=exercise.name)
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
