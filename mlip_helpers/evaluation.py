"""Accuracy, precision, recall and F1, written out in numpy.

Introduced in ``notebooks/04-model-correctness.ipynb``. For convenience this
module also offers the confusion matrix (:mod:`mlip_helpers.confusion`) and
the baselines (:mod:`mlip_helpers.baselines`) under one name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers._labels import label_pair, require_label
from mlip_helpers.checker import Case, Exercise
from mlip_helpers.confusion import ConfusionMatrix, confusion_matrix

_BASELINE_NAMES = (
    "Baseline",
    "compare_to_baselines",
    "majority_baseline",
    "random_baseline",
    "rule_baseline",
)

__all__ = [
    *_BASELINE_NAMES,
    "ConfusionMatrix",
    "accuracy",
    "confusion_matrix",
    "f1_score",
    "LEAKY_STEP_CHOICES",
    "NOTEBOOK",
    "cancer_accuracy_exercise",
    "grade3_recall_exercise",
    "leaky_steps_exercise",
    "lecture_exercises",
    "majority_baseline_exercise",
    "per_class_metrics",
    "precision",
    "recall",
    "recall_exercise",
]

NOTEBOOK = "04-model-correctness"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of predictions equal to the true label.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> accuracy([1, 0, 1, 1], [1, 1, 1, 0])
    0.5
    """
    true, pred = label_pair(y_true, y_pred)
    return float(np.mean(true == pred))


def _counts(y_true: Any, y_pred: Any, pos_label: Any) -> tuple[int, int, int]:
    true, pred = label_pair(y_true, y_pred)
    require_label(pos_label, true, pred)
    is_true, is_pred = true == pos_label, pred == pos_label
    return int(np.sum(is_true & is_pred)), int(np.sum(is_pred)), int(np.sum(is_true))


def precision(y_true: Any, y_pred: Any, *, pos_label: Any) -> float:
    """Of the examples predicted ``pos_label``, the share that truly are (0 if none predicted).

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``pos_label`` is
    required: which class counts as "positive" is a decision, not a default.

    Examples
    --------
    >>> precision(["spam", "ham", "spam"], ["spam", "spam", "ham"], pos_label="spam")
    0.5
    """
    hits, predicted, _ = _counts(y_true, y_pred, pos_label)
    return hits / predicted if predicted else 0.0


def recall(y_true: Any, y_pred: Any, *, pos_label: Any) -> float:
    """Of the examples that truly are ``pos_label``, the share predicted as such (0 if none).

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> recall(["spam", "ham", "spam"], ["spam", "spam", "ham"], pos_label="spam")
    0.5
    """
    hits, _, actual = _counts(y_true, y_pred, pos_label)
    return hits / actual if actual else 0.0


def f1_score(y_true: Any, y_pred: Any, *, pos_label: Any) -> float:
    """Harmonic mean of precision and recall for ``pos_label`` (0 when both are 0).

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> round(f1_score([1, 1, 0, 0], [1, 0, 0, 0], pos_label=1), 3)
    0.667
    """
    hits, predicted, actual = _counts(y_true, y_pred, pos_label)
    return 2 * hits / (predicted + actual) if predicted + actual else 0.0


def per_class_metrics(y_true: Any, y_pred: Any, *, labels: Any = None) -> pd.DataFrame:
    """Precision, recall, F1 and support for every label, one row each.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> per_class_metrics(["a", "b", "b"], ["a", "b", "a"])["recall"].tolist()
    [1.0, 0.5]
    """
    return confusion_matrix(y_true, y_pred, labels=labels).per_class()


def cancer_accuracy_exercise() -> Exercise:
    """Exercise: the accuracy of the lecture's three-class cancer confusion matrix.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> cancer_accuracy_exercise().check(116).reason[:27]
    'that counts the correct pre'
    """
    from mlip_helpers.datasets import CANCER_CONFUSION as cm

    counts = cm.array
    return Exercise.number("cancer_accuracy", cm.accuracy, tolerance=1e-3, share=True, mistakes={
        float(np.trace(counts)): "that counts the correct predictions; divide them by all predictions.",
        float(counts[0, 0] / counts[0].sum()): "that is the accuracy of the first row only; use all three classes.",
        float(np.mean(np.diag(counts) / counts.sum(axis=0))): "that is the mean of the three recalls (balanced "
        "accuracy); accuracy divides all correct predictions by all predictions."},
        hint="add up the diagonal, then divide by the sum of all cells.")


def grade3_recall_exercise() -> Exercise:
    """Exercise: the recall of "Grade 3" in the lecture's cancer matrix (a column, not a row).

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> grade3_recall_exercise().check(24 / 37).reason[:22]
    'that is precision, not'
    """
    from mlip_helpers.datasets import CANCER_CONFUSION as cm

    counts, i = cm.array, cm.labels.index("Grade 3")
    return Exercise.number("cancer_recall_grade3", cm.recall("Grade 3"), tolerance=1e-3, share=True, mistakes={
        cm.precision("Grade 3"): "that is precision, not recall: you divided by the *predicted* Grade 3 cases (a "
                                 "row). Recall divides by all patients who *actually* have Grade 3 cancer.",
        cm.accuracy: "that is the accuracy over all classes, not the recall of one class.",
        float(counts[i, i]): "that is the number of Grade 3 cases found; divide it by all actual Grade 3 cases.",
        float(counts[i, i] / counts.sum()): "you divided by all patients; recall divides by the patients who "
                                            "actually have Grade 3 cancer."},
        hint="recall reads one column: of the actual Grade 3 cases, which share did the model find?")


def recall_exercise(y_true: Any, y_pred: Any, *, pos_label: Any) -> Exercise:
    """Exercise: the recall of ``pos_label``; mistakes that coincide with it on this data are left out.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> exercise = recall_exercise(["m", "m", "b", "b", "b"], ["m", "b", "m", "m", "b"], pos_label="m")
    >>> exercise.check(0.5).passed, exercise.check(1 / 3).reason[:26]
    (True, 'that is precision, not rec')
    """
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    expected = recall(true, pred, pos_label=pos_label)
    candidates = [(precision(true, pred, pos_label=pos_label),
                   "that is precision, not recall: you divided by the predicted positives. Recall divides by "
                   "the examples that truly are positive, found or not."),
                  (accuracy(true, pred), "that is the accuracy over both classes, not recall."),
                  (float(np.sum((true == pos_label) & (pred == pos_label))),
                   "that is the number of positives found; divide it by all true positives.")]
    candidates += [(recall(true, pred, pos_label=other), f"that is the recall of {other!r}: you used the wrong "
                    f"class as positive. Count the examples that truly are {pos_label!r}.")
                   for other in np.unique(np.concatenate([true, pred])) if other != pos_label]
    mistakes = [(value, text) for value, text in candidates if abs(value - expected) > 1e-3]
    return Exercise.number("malignant_recall" if pos_label == "malignant" else "recall", expected, tolerance=1e-3,
                           share=True, mistakes=mistakes,
                           hint=f"of the examples that truly are {pos_label!r}, which share did the model "
                                "predict as such?")


def _predictions_are(label: Any, n: int) -> Callable[[Any], bool]:
    def accept(out: Any) -> bool:
        values = np.asarray(out, dtype=object).reshape(-1)
        return len(values) == n and all(v == label for v in values)
    return accept


_NOT_MAJORITY = ("the predictions are not all the label that occurs most often in y_train (did you take the first "
                 "label, the least common one, or predict something per row?).")
_NOT_PER_ROW = "the baseline must return one prediction per row of X_test, however many training labels there are."


def majority_baseline_exercise() -> Exercise:
    """Build-it exercise: ``predict_majority(y_train, X_test)``, run on hidden training sets.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> exercise = majority_baseline_exercise()
    >>> "is not the first one" in exercise.check(lambda y, X: np.full(len(X), pd.Series(y).iloc[0])).reason
    True
    """
    frame = pd.DataFrame
    cases = [
        Case("a test set larger than the training set", (pd.Series([0, 1, 1]), frame({"x": range(7)})),
             lambda out: len(np.asarray(out, dtype=object).reshape(-1)) == 7, _NOT_PER_ROW),
        Case("the most common label is not the first one", (pd.Series(["a", "b", "b", "c", "b"]), frame({"x": [1, 2]})),
             _predictions_are("b", 2), _NOT_MAJORITY),
        Case("malignant and benign tumours, benign more common", (
            pd.Series(["malignant"] * 3 + ["benign"] * 5), frame({"radius": [9.0, 21.0, 14.0, 30.0]})),
             _predictions_are("benign", 4), _NOT_MAJORITY),
        Case("training labels whose index does not start at 0", (
            pd.Series(["no", "yes", "yes"], index=[10, 11, 12]), frame({"x": [0.5, 0.7]})),
             _predictions_are("yes", 2), _NOT_MAJORITY),
    ]

    def worked(y_train: Any, X_test: Any) -> np.ndarray:
        return np.full(len(X_test), pd.Series(y_train).value_counts().idxmax(), dtype=object)

    return Exercise.code("majority_baseline", cases=cases, solution=worked, mistakes=[
        (lambda y, X: np.full(len(X), pd.Series(y).iloc[0], dtype=object), _NOT_MAJORITY),
        (lambda y, X: np.full(len(X), pd.Series(y).value_counts().idxmin(), dtype=object), _NOT_MAJORITY),
        (lambda y, X: np.full(len(y), pd.Series(y).value_counts().idxmax(), dtype=object), _NOT_PER_ROW)],
        hint="pd.Series(y_train).value_counts().idxmax() is the most common label; np.full(len(X_test), label) "
             "repeats it.")


LEAKY_STEP_CHOICES = {
    "scale": "standardise every column with its mean and standard deviation",
    "select": "keep the 20 columns most related to the label",
    "vocabulary": "build the TF-IDF vocabulary of a text column",
    "impute": "fill missing values with the column's mean",
    "lowercase": "lowercase every text",
    "inches_to_cm": "convert a height from inches to centimetres",
    "drop_id": "drop the column 'patient id'",
}
"""Preprocessing steps for :func:`leaky_steps_exercise`, by short name."""


def leaky_steps_exercise() -> Exercise:
    """Exercise: which preprocessing steps learn from data, and so must be fitted inside the pipeline?

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> leaky_steps_exercise().check(["scale", "select", "vocabulary"]).reason[:20]
    'filling gaps with th'
    """
    learned = ["scale", "select", "vocabulary", "impute"]
    return Exercise.set("leaky_steps", learned, mistakes=[
        (["scale", "select", "vocabulary"], "filling gaps with the column's mean learns that mean from the data: "
                                            "fitted on all rows, the test rows shape it."),
        (["select"], "feature selection is one of several steps that learn from the data; a scaler learns means, "
                     "a vocabulary learns words."),
        (list(LEAKY_STEP_CHOICES), "some steps are the same function for every row, whatever the data: they learn "
                                   "nothing, so they cannot leak.")],
        hint="a step leaks if running it on different data would give different results for the same row.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 500, n_features: int = 2000) -> dict[str, Exercise]:
    """The exercises of ``notebooks/04-model-correctness.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(seed=1))[:2]
    ['cancer_accuracy', 'cancer_recall_grade3']
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mlip_helpers.datasets import load_sklearn

    cancer = load_sklearn("breast_cancer")
    X, y = cancer.drop(columns="target"), cancer["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    y_pred = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train).predict(X_test)
    built = [cancer_accuracy_exercise(), grade3_recall_exercise(),
             recall_exercise(y_test, y_pred, pos_label="malignant"), majority_baseline_exercise(),
             leaky_steps_exercise()]
    return {exercise.name: exercise for exercise in built}


def __getattr__(name: str) -> Any:
    """Serve the baseline helpers from :mod:`mlip_helpers.baselines` (no import cycle)."""
    if name in _BASELINE_NAMES:
        from mlip_helpers import baselines

        return getattr(baselines, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
