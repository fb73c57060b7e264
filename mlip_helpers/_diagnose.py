"""Generic diagnoses of wrong answers, used by :mod:`mlip_helpers.checker` (private).

Each ``_<kind>`` function returns ``(passed, reason)``. Known mistakes of an
exercise are tried before the generic diagnoses, so an author's specific
explanation always wins over a generic one.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

_MAX_SHOWN = 4


def _a(answer: Any) -> str:
    """``"a list"``, ``"an object"``: the type of ``answer`` with its article."""
    name = type(answer).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def describe(exercise: Any) -> str:
    """Say in words what kind of answer an exercise expects."""
    if exercise.kind == "number":
        return "a single number"
    if exercise.kind == "labels":
        return f"a sequence of {len(exercise.expected)} labels"
    if exercise.kind == "table":
        return "a table of shape {}x{}".format(*exercise.expected.shape)
    return "one of " + ", ".join(repr(o) for o in exercise.options)


def diagnose(exercise: Any, answer: Any) -> tuple[bool, str]:
    """Return ``(passed, reason)`` for ``answer`` to ``exercise``."""
    return {"number": _number, "labels": _labels, "table": _table, "choice": _choice}[
        exercise.kind](exercise, answer)


def _as_number(answer: Any) -> tuple[float | None, str]:
    if isinstance(answer, (bool, np.bool_)):
        return None, f"you gave {answer}, a yes/no value; the exercise expects a number."
    if isinstance(answer, numbers.Real):
        return float(answer), ""
    if isinstance(answer, str):
        try:
            float(answer)
        except ValueError:
            return None, f"you gave the text {answer!r}; the exercise expects a number."
        return None, f"you gave the number as text ({answer!r}, in quotes); remove the quotes."
    if hasattr(answer, "__len__") and not isinstance(answer, (dict, set)):
        values = np.asarray(answer)
        if values.size == 1 and np.issubdtype(values.dtype, np.number):
            return float(values.reshape(-1)[0]), ""
        if values.ndim == 0:
            return None, f"you gave {_a(answer)}; the exercise expects a number."
        return None, (f"you gave {_a(answer)} with {values.size} values "
                      f"(shape {values.shape}); the exercise expects a single number. "
                      "Did you forget to take the mean or to pick one entry?")
    return None, f"you gave {_a(answer)}; the exercise expects a number."


def _matches(mistake: Any, answer: Any, tolerance: float) -> bool:
    try:
        a, b = np.asarray(mistake), np.asarray(answer)
        if a.shape != b.shape:
            return False
        if np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number):
            return bool(np.allclose(a, b, rtol=0, atol=tolerance))
        if a.dtype.kind in "OUS" and b.dtype.kind in "OUS" and a.ndim == 0:
            return str(a.item()).strip().casefold() == str(b.item()).strip().casefold()
        return bool(np.array_equal(a, b))
    except (TypeError, ValueError):
        return False


def _known_mistake(exercise: Any, answer: Any) -> str | None:
    for mistake in exercise.mistakes:
        if _matches(mistake.answer, answer, max(exercise.tolerance, 1e-9)):
            return mistake.explanation
    return None


def _number(exercise: Any, answer: Any) -> tuple[bool, str]:
    value, problem = _as_number(answer)
    if value is None:
        return False, problem
    if np.isnan(value):
        return False, ("your answer is NaN (not a number), often the result of dividing by zero "
                       "or of an empty selection.")
    expected, tol = exercise.expected, exercise.tolerance
    if abs(value - expected) <= tol:
        return True, f"{value:.4g} is right."
    known = _known_mistake(exercise, value)
    if known:
        return False, known
    is_share = 0 <= expected <= 1
    if expected and abs(value - 100 * expected) <= 100 * tol:
        return False, f"{value:.4g} looks like a percentage; give a fraction between 0 and 1."
    if is_share and abs(value - (1 - expected)) <= tol:
        return False, (f"{value:.4g} is one minus the right answer: did you compute the error "
                       "rate instead of the share correct, or count the other class?")
    if is_share and not 0 <= value <= 1:
        return False, f"{value:.4g} cannot be right: a share lies between 0 and 1."
    difference = value - expected
    closeness = " Close: check your rounding." if abs(difference) <= 10 * tol else ""
    return False, (f"{value:.4g} is {abs(difference):.3g} too {'high' if difference > 0 else 'low'} "
                   f"(allowed error {tol:g}).{closeness}")


def _show(values: np.ndarray) -> str:
    shown = sorted({repr(v) for v in values.tolist()})
    return ", ".join(shown[:_MAX_SHOWN]) + (", ..." if len(shown) > _MAX_SHOWN else "")


def _labels(exercise: Any, answer: Any) -> tuple[bool, str]:
    expected = exercise.expected
    if isinstance(answer, str) or np.ndim(answer) == 0:
        return False, (f"you gave a single value ({answer!r}); the exercise expects one label "
                       f"per example, {len(expected)} in all.")
    values = np.asarray(answer)
    if values.ndim == 2 and 1 in values.shape:
        values = values.reshape(-1)
    if values.shape == expected.shape and np.array_equal(values.astype(object), expected.astype(object)):
        return True, f"all {len(expected)} labels are right."
    known = _known_mistake(exercise, values)
    if known:
        return False, known
    if values.ndim != 1:
        return False, f"the exercise expects a flat sequence of labels, you gave shape {values.shape}."
    if len(values) != len(expected):
        return False, (f"you gave {len(values)} label{'s' * (len(values) != 1)}, the exercise "
                       f"expects {len(expected)}: "
                       "are you predicting for the right data set (test, not training)?")
    if not set(values.tolist()) & set(expected.tolist()):
        return False, (f"your labels look like {_show(values)} but the expected ones look like "
                       f"{_show(expected)}: check how the classes are written.")
    wrong = np.flatnonzero(values.astype(object) != expected.astype(object))
    classes = set(expected.tolist())
    if len(classes) == 2 and len(wrong) == len(expected):
        return False, "every label is the opposite class: did you swap the two classes?"
    first = wrong[0]
    return False, (f"{len(wrong)} of {len(expected)} labels differ ({1 - len(wrong) / len(expected):.1%} "
                   f"agree); the first at position {first}: you have {values.tolist()[first]!r}, "
                   f"expected {expected.tolist()[first]!r}.")


def _table(exercise: Any, answer: Any) -> tuple[bool, str]:
    expected = exercise.expected
    raw = getattr(answer, "array", answer)
    values = np.asarray(raw.to_numpy() if hasattr(raw, "to_numpy") else raw)
    if not np.issubdtype(values.dtype, np.number):
        return False, f"the exercise expects a table of numbers; you gave {_a(answer)} of other values."
    if values.shape == expected.shape and np.allclose(values, expected, rtol=0, atol=exercise.tolerance):
        return True, "every cell is right."
    known = _known_mistake(exercise, values)
    if known:
        return False, known
    if values.shape == expected.T.shape and np.allclose(values, expected.T, rtol=0,
                                                        atol=exercise.tolerance):
        return False, ("your table is transposed: rows should be the predicted labels and "
                       "columns the actual ones (scikit-learn uses the opposite layout).")
    if values.shape != expected.shape:
        return False, (f"your table has shape {values.shape}, the exercise expects "
                       f"{expected.shape}: is a class missing or extra?")
    if not np.isclose(values.sum(), expected.sum()):
        return False, (f"your numbers add up to {values.sum():g}, the expected ones to "
                       f"{expected.sum():g}: did you use a different subset of the data?")
    wrong = np.argwhere(~np.isclose(values, expected, rtol=0, atol=exercise.tolerance))
    i, j = wrong[0]
    return False, (f"{len(wrong)} cells differ; the first at row {i}, column {j}: you have "
                   f"{values[i, j]:g}, expected {expected[i, j]:g}.")


def _choice(exercise: Any, answer: Any) -> tuple[bool, str]:
    options = {o.casefold(): o for o in exercise.options}
    if not isinstance(answer, str):
        return False, (f"you gave {_a(answer)}; answer with one of the options as "
                       f"text: {', '.join(map(repr, exercise.options))}.")
    key = answer.strip().casefold()
    accepted = (exercise.expected,) if isinstance(exercise.expected, str) else exercise.expected
    if key in {a.casefold() for a in accepted}:
        return True, f"{options.get(key, answer.strip())!r} is right."
    known = _known_mistake(exercise, answer)
    if known:
        return False, known
    if key not in options:
        return False, f"{answer!r} is not one of the options: {', '.join(map(repr, exercise.options))}."
    return False, f"{options[key]!r} is not it; look at the evidence again."
