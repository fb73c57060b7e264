"""Finding every lecture's exercises: :func:`lectures` walks the package for ``lecture_exercises`` functions.

Introduced in ``notebooks/04-model-correctness.ipynb``. Each lecture module declares its exercises and a
``lecture_exercises(*, seed=0, **parameters)`` function that rebuilds them from the notebook's parameters (see
the guide in :mod:`mlip_helpers.checker`). Nothing registers itself at import time: :func:`lectures` imports
the package's modules when asked and collects the functions it finds. The old name registry (:data:`EXERCISES`,
:func:`build`) remains only while notebooks move over to the one API.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from mlip_helpers._labels import sorted_labels
from mlip_helpers.checker import Exercise
from mlip_helpers.datasets import CANCER_CONFUSION, REGIONS, NoisySliceData
from mlip_helpers.errors import UNKNOWN_EXERCISE, ExerciseError
from mlip_helpers.evaluation import accuracy, precision, recall
from mlip_helpers.invariants import BehaviorResult

__all__ = ["EXERCISES", "Lecture", "build", "lectures"]


@dataclass(frozen=True)
class Lecture:
    """The exercises one lecture module declares, and how to build them for a notebook's parameters."""

    module: str
    """Dotted name of the module, e.g. ``mlip_helpers.evaluation``."""
    notebook: str
    """Stem of the notebook that uses them (the module's ``NOTEBOOK``), e.g. ``04-model-correctness``."""
    build: Callable[..., dict[str, Exercise]]
    """The module's ``lecture_exercises``: keyword parameters (``seed``...) to exercises by name."""


def lectures() -> list[Lecture]:
    """Every module of :mod:`mlip_helpers` that declares lecture exercises, sorted by notebook.

    Introduced in ``notebooks/04-model-correctness.ipynb``; the proof test enumerates exercises with it.

    Examples
    --------
    >>> all(lecture.module.startswith("mlip_helpers.") for lecture in lectures())
    True
    """
    import mlip_helpers

    found = []
    for info in pkgutil.iter_modules(mlip_helpers.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mlip_helpers.{info.name}")
        build_them = getattr(module, "lecture_exercises", None)
        if callable(build_them):
            found.append(Lecture(module.__name__, str(getattr(module, "NOTEBOOK", "")), build_them))
    return sorted(found, key=lambda lecture: (lecture.notebook, lecture.module))


def cancer_accuracy() -> Exercise:
    """Accuracy of the lecture's three-class cancer confusion matrix (.707)."""
    return Exercise.number(
        "cancer_accuracy", CANCER_CONFUSION.accuracy,
        mistakes={116: "116 is the number of correct predictions; divide it by all predictions.",
                  10 / 18: "that is the accuracy of the first row only; use all three classes."},
        hint="add up the diagonal, then divide by the sum of all cells.")


def cancer_recall_grade3() -> Exercise:
    """Recall of "Grade 3" in the lecture's cancer matrix (24 of 52 actual Grade 3 cases)."""
    return Exercise.number(
        "cancer_recall_grade3", CANCER_CONFUSION.recall("Grade 3"),
        mistakes={CANCER_CONFUSION.precision("Grade 3"):
                  "that is precision (24 of the 37 *predicted* Grade 3, a row). Recall divides by "
                  "all patients who *actually* have Grade 3 cancer: the column.",
                  CANCER_CONFUSION.accuracy: "that is the accuracy over all classes, not recall."},
        hint="recall looks at one column: how many actual Grade 3 cases were found?")


def recall_for(*, y_true: Any, y_pred: Any, pos_label: Any) -> Exercise:
    """Recall of the class ``pos_label``: the share of its true members that the model found."""
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    mistakes = [(recall(true, pred, pos_label=other),
                 f"that is the recall of {other!r}: you used the wrong class as positive. "
                 f"Pass pos_label={pos_label!r}.")
                for other in sorted_labels(true, pred) if other != pos_label]
    mistakes += [(precision(true, pred, pos_label=pos_label),
                  "that is precision (among the predicted positives); recall divides by the true "
                  "positives, found or not."),
                 (accuracy(true, pred), "that is the accuracy over all classes, not recall.")]
    return Exercise.number("recall_for", recall(true, pred, pos_label=pos_label), mistakes=mistakes,
                           hint=f"of the examples that truly are {pos_label!r}, which share did "
                                "the model predict as such?")


def majority_accuracy(*, y_train: Any, y_test: Any) -> Exercise:
    """Test accuracy of always predicting the training data's majority class."""
    train, test = np.asarray(y_train), np.asarray(y_test)
    classes, counts = np.unique(train, return_counts=True)
    majority = classes[np.argmax(counts)]
    mistakes = {float(np.mean(train == majority)):
                "that is the majority share of the *training* labels; score the baseline on the "
                "test labels."}
    test_classes, test_counts = np.unique(test, return_counts=True)
    test_majority = test_classes[np.argmax(test_counts)]
    if test_majority != majority:
        mistakes[float(np.mean(test == test_majority))] = (
            "you picked the majority class from the test labels; a baseline may only learn "
            "from training data.")
    return Exercise.number("majority_accuracy", float(np.mean(test == majority)), tolerance=1e-3,
                           mistakes=mistakes,
                           hint="find the most common class in y_train, then the share of y_test "
                                "that has it.")


def honest_accuracy(*, leaky_score: float | None = None) -> Exercise:
    """Best accuracy on new data for the leakage trap: 0.5 by construction."""
    mistakes = {} if leaky_score is None or abs(leaky_score - 0.5) <= 0.05 else {
        leaky_score: "that is the leaky estimate: the features were chosen using all labels, "
                     "including the ones later used for testing."}
    return Exercise.number("honest_accuracy", 0.5, tolerance=0.05, mistakes=mistakes,
                           hint="the labels are coin flips that no feature knows about.")


def weak_slice(*, data: NoisySliceData) -> Exercise:
    """Which region has the planted noisy labels?"""
    smallest = min(REGIONS, key=REGIONS.get)
    return Exercise.choice(
        "weak_slice", data.weak_slice, tuple(REGIONS),
        mistakes={smallest: f"{smallest!r} has too few rows to trust its accuracy either way; "
                            "judge only slices with enough support."},
        hint="ignore slices flagged too_small, then look for the lowest accuracy.")


def slice_accuracy(*, y_true: Any, y_pred: Any, groups: Any, slice_name: str) -> Exercise:
    """Accuracy of the predictions inside one slice."""
    true, pred, where = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups) == slice_name
    overall = float(np.mean(true == pred))
    return Exercise.number(
        "slice_accuracy", float(np.mean(true[where] == pred[where])), tolerance=1e-3,
        mistakes={overall: f"that is the accuracy over all rows; keep only the rows of "
                           f"{slice_name!r}."},
        hint=f"select the rows whose slice is {slice_name!r}, then compare labels there.")


def most_fragile(*, results: Sequence[BehaviorResult]) -> Exercise:
    """Which behavioural test has the highest failure rate?"""
    worst = max(r.failure_rate for r in results)
    best = min(results, key=lambda r: r.failure_rate)
    mistakes = {} if best.failure_rate == worst else {
        best.name: f"{best.name!r} fails least often: it is the most robust, not the most fragile."}
    return Exercise.choice("most_fragile", [r.name for r in results if r.failure_rate == worst],
                           tuple(r.name for r in results), mistakes=mistakes,
                           hint="compare the failure_rate column.")


EXERCISES: MappingProxyType[str, Callable[..., Exercise]] = MappingProxyType({
    "cancer_accuracy": cancer_accuracy,
    "cancer_recall_grade3": cancer_recall_grade3,
    "recall_for": recall_for,
    "majority_accuracy": majority_accuracy,
    "honest_accuracy": honest_accuracy,
    "weak_slice": weak_slice,
    "slice_accuracy": slice_accuracy,
    "most_fragile": most_fragile,
})
"""Exercise name to builder; read-only."""


def build(name: str, **context: Any) -> Exercise:
    """Build the named exercise from the notebook's data (``context``).

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> build("cancer_accuracy").expected
    0.7073170731707317
    """
    if name not in EXERCISES:
        raise ExerciseError(UNKNOWN_EXERCISE.format(name=name, known=sorted(EXERCISES)), name=name)
    builder = EXERCISES[name]
    parameters = inspect.signature(builder).parameters
    required = {p for p, v in parameters.items() if v.default is inspect.Parameter.empty}
    missing, extra = sorted(required - set(context)), sorted(set(context) - set(parameters))
    if missing or extra:
        raise ExerciseError(f"exercise {name!r} takes the notebook data {sorted(parameters)}; "
                            f"missing {missing}, unexpected {extra}.", name=name)
    return builder(**context)
