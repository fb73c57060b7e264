"""Proof that every declared exercise of every lecture teaches without telling, for seeds 0, 1 and 2.

The exercises are found by :func:`mlip_helpers.exercises.lectures` (every module's ``lecture_exercises``), so a
lecture that declares its exercises is proved here without being listed. For each exercise: the worked solution
passes; each known mistake lies outside the tolerance and is rejected with its own message; generic wrong answers
(x1.1, x0.5, the complement, the value as a percentage, a wrong type; every other option of a choice) are
rejected; and no message lets the answer be computed (no number in a message, added to or subtracted from the
wrong answer or taken alone, is accepted).
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import nbformat
import pytest

from mlip_helpers.checker import NOT_ANSWERED, Exercise
from mlip_helpers.exercises import lectures

SEEDS = (0, 1, 2)
LECTURES = lectures()
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)


@functools.cache
def built(module: str, seed: int) -> dict[str, Exercise]:
    lecture = next(lecture for lecture in LECTURES if lecture.module == module)
    return lecture.build(seed=seed)


def cases():
    return [pytest.param(lecture.module, seed, id=f"{lecture.notebook}-{lecture.module.split('.')[-1]}-seed{seed}")
            for lecture in LECTURES for seed in SEEDS]


def numbers_in(text: str) -> list[float]:
    found = []
    for token in NUMBER.findall(text.replace(",", "")):
        try:
            found.append(float(token))
        except ValueError:
            continue
    return [n for n in found if math.isfinite(n)]


def leaks(exercise: Exercise, wrong: object, reason: str) -> list[str]:
    """Answers computable from a message about ``wrong`` that the exercise would accept."""
    if exercise.kind not in ("number", "count", "integer", "id"):
        return []
    tries = []
    for echoed in {str(wrong), repr(wrong)}:  # the student's own answer, quoted back, tells nothing new
        reason = reason.replace(echoed, " ")
    for n in numbers_in(reason):
        tries.append(n)
        if isinstance(wrong, (int, float)) and not isinstance(wrong, bool):
            tries += [wrong + n, wrong - n, wrong * n] + ([wrong / n] if n else [])
    return [f"{t!r} (from {reason!r})" for t in tries if exercise.check(t).passed]


def generic_wrong(exercise: Exercise) -> list[object]:
    """Wrong answers any exercise of its kind must reject."""
    e, kind = exercise.expected, exercise.kind
    if kind == "number":
        base = [e * 1.1, e * 0.5, 1 - e, 100 * e, -e, str(e), [e, e], True, float("nan")] if e else [0.1, -0.1, 1.0]
        return [w for w in base if not (isinstance(w, float) and w == e)]
    if kind in ("count", "integer"):
        return [w for w in (e + 1, e - 1, 2 * e, round(e * 1.1 + 0.5), e * 0.5 + 0.25, 100 * e, str(e), e + 0.5, [e, e],
                            True) if not (isinstance(w, (int, float)) and w == e)]
    if kind == "id":
        return ([e + 1, e - 1, str(e)] if isinstance(e, int) else [f"{e}x", 0]) + [[e, e]]
    if kind == "choice":
        right = {e} if isinstance(e, str) else set(e)
        return [o for o in exercise.options if o not in right] + ["no such option", 1]
    if kind in ("set", "list"):
        items = list(e)
        wrong = [items[:-1], items + ["no such item"], [], "text"]
        if kind == "list" and items[::-1] != items:
            wrong.append(items[::-1])
        return wrong
    if kind == "code":
        def raises(*args, **kwargs):
            raise RuntimeError("not written yet")

        return [3, "def f(): pass", lambda *args, **kwargs: None, raises]
    return []


@pytest.mark.parametrize("module, seed", cases())
def test_every_exercise_teaches_without_telling(module, seed):
    problems = []
    for name, exercise in built(module, seed).items():
        where = f"{module}:{name} (seed {seed})"
        placeholder = exercise.check(...)
        if placeholder.answered or placeholder.reason != NOT_ANSWERED:
            problems.append(f"{where}: the placeholder is not 'not answered yet'")
        worked = exercise.check(exercise.solution)
        if not worked.passed:
            problems.append(f"{where}: the worked solution is rejected: {worked.reason}")
        for mistake in exercise.mistakes:
            result = exercise.check(mistake.answer)
            if result.passed:
                problems.append(f"{where}: the known mistake {mistake.answer!r} lies inside the tolerance")
            elif mistake.explanation not in result.reason:
                problems.append(f"{where}: the mistake {mistake.answer!r} gets {result.reason!r}, not its own "
                                f"message {mistake.explanation!r}")
            problems += [f"{where}: leak {leak}" for leak in leaks(exercise, mistake.answer, result.reason)]
        for wrong in generic_wrong(exercise):
            result = exercise.check(wrong)
            if result.passed:
                problems.append(f"{where}: the wrong answer {wrong!r} is accepted")
            problems += [f"{where}: leak {leak}" for leak in leaks(exercise, wrong, result.reason)]
        if exercise.kind == "choice":
            right = {exercise.expected} if isinstance(exercise.expected, str) else set(exercise.expected)
            explained = {str(m.answer).casefold() for m in exercise.mistakes}
            problems += [f"{where}: the option {o!r} has no explanation of its own" for o in exercise.options
                         if o not in right and o.casefold() not in explained]
            for option in set(exercise.options) - right:
                reason = exercise.check(option).reason
                named = [r for r in right if len(r) >= 4 and re.search(rf"\b{re.escape(r)}\b", reason, re.I)]
                problems += [f"{where}: picking {option!r} names the answer {r!r}" for r in named]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module, seed", cases())
def test_every_exercise_is_right_for_its_seed(module, seed):
    """Exercises are rebuilt per seed: different seeds give different data, and nothing is cached across them."""
    exercises = built(module, seed)
    assert exercises and all(isinstance(e, Exercise) and e.name for e in exercises.values())


def notebook_of(stem: str) -> Path:
    return NOTEBOOKS / f"{stem}.ipynb"


NOTEBOOK_STEMS = sorted({lecture.notebook for lecture in LECTURES if notebook_of(lecture.notebook).exists()})


@pytest.mark.parametrize("stem", NOTEBOOK_STEMS)
def test_each_notebook_has_a_build_it_exercise_and_declares_none_itself(stem):
    exercises = {}
    for lecture in LECTURES:
        if lecture.notebook == stem:
            exercises |= built(lecture.module, 0)
    assert any(e.kind == "code" for e in exercises.values()), f"{stem} has no build-it (code) exercise"
    source = "\n".join(c.source for c in nbformat.read(notebook_of(stem), as_version=4).cells)
    assert not re.search(r"\bExercise[.(]", source), f"{stem} declares an exercise in the notebook"
    cells = len(re.findall(r"^answer = \.\.\.", source, re.MULTILINE))
    assert cells == len(exercises), f"{stem}: {cells} exercise cells, {len(exercises)} declared exercises"


def test_notebooks_of_the_first_ten_lectures_are_declared():
    declared = set(NOTEBOOK_STEMS)
    first_ten = {p.stem for p in NOTEBOOKS.glob("*.ipynb") if int(p.stem[:2]) <= 10}
    assert first_ten <= declared, f"not declared yet: {sorted(first_ten - declared)}"
