"""Generic diagnoses of wrong answers, used by :mod:`mlip_helpers.checker` (private).

Each ``_<kind>`` function returns ``(passed, reason)``. Known mistakes of an exercise are tried before the
generic diagnoses, so an author's explanation always wins. No reason states the expected answer, a difference
to it or its magnitude: a wrong number gets "too high" or "too low" at most.
"""

from __future__ import annotations

import copy
import dis
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
    kind = exercise.kind
    if kind == "number":
        return "a number between 0 and 1" if exercise.share else "a single number"
    if kind in ("count", "integer"):
        return "a whole number"
    if kind == "id":
        return f"an identifier such as {type(exercise.expected).__name__}"
    if kind == "labels":
        return f"a sequence of {len(exercise.expected)} labels"
    if kind == "table":
        return "a table of shape {}x{}".format(*exercise.expected.shape)
    if kind == "set":
        return "a collection of items (a list or a set; order does not matter)"
    if kind == "list":
        return f"a list of {len(exercise.expected)} items, in order"
    if kind == "code":
        return "a function (give its name, without calling it)"
    return "one of " + ", ".join(repr(o) for o in exercise.options)


def diagnose(exercise: Any, answer: Any) -> tuple[bool, str]:
    """Return ``(passed, reason)`` for ``answer`` to ``exercise``."""
    return {"number": _number, "integer": _count, "count": _count, "id": _id, "labels": _labels,
            "table": _table, "choice": _choice, "set": _collection, "list": _collection,
            "code": _code}[exercise.kind](exercise, answer)


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
        if values.size == 1 and np.issubdtype(values.dtype, np.number) and values.dtype.kind != "b":
            return float(values.reshape(-1)[0]), ""
        if values.ndim == 0:
            return None, f"you gave {_a(answer)}; the exercise expects a number."
        return None, (f"you gave {_a(answer)} with {values.size} values; the exercise expects a single "
                      "number. Did you forget to take the mean, the sum or to pick one entry?")
    return None, f"you gave {_a(answer)}; the exercise expects a number."


def _norm(item: Any) -> Any:
    if isinstance(item, str):
        return " ".join(item.split()).casefold()
    if isinstance(item, (np.integer, np.floating, np.bool_, np.str_)):
        return _norm(item.item())
    if isinstance(item, (tuple, list)):
        return tuple(_norm(i) for i in item)
    if isinstance(item, (set, frozenset)):
        return frozenset(_norm(i) for i in item)
    return item


def _close(exercise: Any, mistake: float, value: float) -> bool:
    if exercise.tolerance_kind == "relative":
        return abs(mistake - value) <= exercise.tolerance * abs(exercise.expected)
    return abs(mistake - value) <= max(exercise.tolerance, 1e-12)


def _known_mistake(exercise: Any, answer: Any) -> str | None:
    for mistake in exercise.mistakes:
        if _same(exercise, mistake.answer, answer):
            return mistake.explanation
    return None


def _same(exercise: Any, mistake: Any, answer: Any) -> bool:
    try:
        if exercise.kind in ("number", "count", "integer"):
            return _close(exercise, float(mistake), float(answer))
        if exercise.kind == "set":
            return frozenset(map(_norm, mistake)) == frozenset(map(_norm, answer))
        if exercise.kind in ("choice", "id", "list"):
            return _norm(mistake) == _norm(answer)
        a, b = np.asarray(mistake), np.asarray(answer)
        if a.shape != b.shape:
            return False
        if np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number):
            return bool(np.allclose(a, b, rtol=0, atol=max(exercise.tolerance, 1e-9)))
        return bool(np.array_equal(a.astype(object), b.astype(object)))
    except (TypeError, ValueError):
        return False


def _number(exercise: Any, answer: Any) -> tuple[bool, str]:
    value, problem = _as_number(answer)
    if value is None:
        return False, problem
    if np.isnan(value):
        return False, ("your answer is NaN (not a number), often the result of dividing by zero "
                       "or of an empty selection.")
    if exercise.accepts(value):
        return True, "right."
    known = _known_mistake(exercise, value)
    if known:
        return False, known
    if exercise.share:
        if exercise.expected and _close(exercise, 100 * exercise.expected, value) and value > 1:
            return False, "that looks like a percentage; give a fraction between 0 and 1."
        if _close(exercise, 1 - exercise.expected, value):
            return False, ("that is one minus the right answer: did you compute the error rate instead "
                           "of the share correct, or count the other class?")
        if not 0 <= value <= 1:
            return False, "that cannot be right: a share lies between 0 and 1."
    direction = "too high" if value > exercise.expected else "too low"
    return False, f"{direction}."


def _count(exercise: Any, answer: Any) -> tuple[bool, str]:
    value, problem = _as_number(answer)
    if value is None:
        return False, problem.replace("a number", "a whole number")
    if np.isnan(value) or not float(value).is_integer():
        return False, f"a count is a whole number; you gave {value:g}." if not np.isnan(value) else (
            "your answer is NaN (not a number); the exercise expects a whole number.")
    if int(value) == exercise.expected:
        return True, "right."
    known = _known_mistake(exercise, value)
    if known:
        return False, known
    if exercise.kind == "count" and value < 0:
        return False, "a count cannot be negative."
    return False, f"{'too high' if value > exercise.expected else 'too low'}."


def _id(exercise: Any, answer: Any) -> tuple[bool, str]:
    expected = exercise.expected
    if isinstance(expected, numbers.Integral) and isinstance(answer, str):
        return False, f"you gave the text {answer!r}; the exercise expects a number (no quotes)."
    if isinstance(expected, str) and not isinstance(answer, str):
        return False, f"you gave {_a(answer)}; the exercise expects a text, in quotes."
    if isinstance(answer, (bool, np.bool_)):
        return False, f"you gave {answer}, a yes/no value; the exercise expects {describe(exercise)}."
    if _norm(answer) == _norm(expected):
        return True, "right."
    known = _known_mistake(exercise, answer)
    if known:
        return False, known
    return False, "that is not the one."


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
    if len(set(expected.tolist())) == 2 and len(wrong) == len(expected):
        return False, "every label is the opposite class: did you swap the two classes?"
    return False, f"some labels differ; the first at position {wrong[0]}."


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
    if values.shape == expected.T.shape and np.allclose(values, expected.T, rtol=0, atol=exercise.tolerance):
        return False, ("your table is transposed: rows should be the predicted labels and "
                       "columns the actual ones (scikit-learn uses the opposite layout).")
    if values.shape != expected.shape:
        return False, (f"your table has shape {values.shape}, the exercise expects "
                       f"{expected.shape}: is a class missing or extra?")
    if not np.isclose(values.sum(), expected.sum()):
        return False, "your numbers do not add up to the right total: did you use a different subset of the data?"
    wrong = np.argwhere(~np.isclose(values, expected, rtol=0, atol=exercise.tolerance))
    i, j = wrong[0]
    return False, f"some cells differ; the first at row {i}, column {j}."


def _choice(exercise: Any, answer: Any) -> tuple[bool, str]:
    options = {_norm(o): o for o in exercise.options}
    if not isinstance(answer, str):
        return False, (f"you gave {_a(answer)}; answer with one of the options as "
                       f"text: {', '.join(map(repr, exercise.options))}.")
    key = _norm(answer)
    accepted = (exercise.expected,) if isinstance(exercise.expected, str) else exercise.expected
    if key in {_norm(a) for a in accepted}:
        return True, f"{options.get(key, answer.strip())!r} is right."
    known = _known_mistake(exercise, answer)
    if known:
        return False, known
    if key not in options:
        return False, f"{answer!r} is not one of the options: {', '.join(map(repr, exercise.options))}."
    return False, f"{options[key]!r} is not it."


def _collection(exercise: Any, answer: Any) -> tuple[bool, str]:
    ordered = exercise.kind == "list"
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        return False, f"you gave {_a(answer)}; the exercise expects {describe(exercise)}."
    items = [_norm(i) for i in answer]
    expected = [_norm(i) for i in exercise.expected]
    if (items == expected) if ordered else (set(items) == set(expected) and len(set(items)) == len(items)):
        return True, "right."
    known = _known_mistake(exercise, answer)
    if known:
        return False, known
    if ordered:
        if len(items) != len(expected):
            return False, f"you gave {len(items)} items; the exercise expects {len(expected)}, in order."
        if sorted(map(repr, items)) == sorted(map(repr, expected)):
            return False, "the right items, but in the wrong order."
        right = sum(a == b for a, b in zip(items, expected))
        return False, f"{right} of {len(expected)} are right."
    if len(set(items)) != len(items):
        return False, "an item appears twice; give each item once."
    extra, missing = set(items) - set(expected), set(expected) - set(items)
    if extra and missing:
        return False, "some of your items do not belong, and some are missing."
    return False, "some of your items do not belong." if extra else "some items are missing."


def is_stub(answer: Any) -> bool:
    """True for a function whose body is only ``...`` or ``pass`` (and a docstring): not written yet."""
    code = getattr(answer, "__code__", None)
    if code is None:
        return False
    trivial = {"RESUME", "NOP", "RETURN_VALUE", "RETURN_CONST", "LOAD_CONST", "POP_TOP", "CACHE"}
    instructions = list(dis.get_instructions(code))
    return all(i.opname in trivial for i in instructions) and all(
        i.argval is None for i in instructions if i.opname in ("RETURN_CONST", "LOAD_CONST"))


def _code(exercise: Any, answer: Any) -> tuple[bool, str]:
    if not callable(answer):
        return False, f"you gave {_a(answer)}; {describe(exercise)}."
    for case in exercise.cases:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(dict(case.kwargs))
        try:
            output = answer(*args, **kwargs)
        except case.raises or () as raised:  # an expected exception (a failing test) is the output
            output = raised
        except Exception as error:  # noqa: BLE001 - the student's code may fail in any way
            return False, (f"hidden case {case.label!r}: your function raised {type(error).__name__}: "
                           f"{str(error)[:160]}")
        try:
            ok = bool(case.accept(output))
        except Exception:  # noqa: BLE001 - an output of the wrong shape
            ok = False
        if not ok:
            try:
                why = case.why(output) if callable(case.why) else case.why
            except Exception:  # noqa: BLE001 - a diagnosis must not crash on an odd output
                why = "the output is not right for this case."
            return False, f"hidden case {case.label!r}: {why}"
    return True, f"your function passes all {len(exercise.cases)} hidden cases."
