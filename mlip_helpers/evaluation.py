"""Accuracy, precision, recall and F1, written out in numpy.

Introduced in ``notebooks/04-model-correctness.ipynb``. For convenience this
module also offers the confusion matrix (:mod:`mlip_helpers.confusion`) and
the baselines (:mod:`mlip_helpers.baselines`) under one name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers._labels import label_pair, require_label
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
    "per_class_metrics",
    "precision",
    "recall",
]


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


def __getattr__(name: str) -> Any:
    """Serve the baseline helpers from :mod:`mlip_helpers.baselines` (no import cycle)."""
    if name in _BASELINE_NAMES:
        from mlip_helpers import baselines

        return getattr(baselines, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
