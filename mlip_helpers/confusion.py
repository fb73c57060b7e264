"""The confusion matrix, in the lecture's layout: rows predicted, columns actual.

Introduced in ``notebooks/04-model-correctness.ipynb``. scikit-learn's
``confusion_matrix`` uses the transpose (rows actual); the lecture's layout is
kept here so that the notebook's tables match the slides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers._labels import label_pair, plain, sorted_labels
from mlip_helpers.errors import UNKNOWN_LABEL, InputError, LabelError

__all__ = ["ConfusionMatrix", "confusion_matrix"]


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of predicted versus actual labels, in the lecture's layout.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> cm = ConfusionMatrix(labels=("yes", "no"), counts=((8, 2), (1, 9)))
    >>> cm.accuracy, cm.precision("yes"), round(cm.recall("yes"), 3)
    (0.85, 0.8, 0.889)
    """

    labels: tuple
    """Class labels, in the order of both rows and columns."""
    counts: tuple[tuple[int, ...], ...]
    """``counts[i][j]``: how often the model predicted ``labels[i]`` when the truth was ``labels[j]``."""

    def __post_init__(self) -> None:
        labels = tuple(plain(label) for label in self.labels)
        counts = np.asarray(self.counts)
        if len(set(labels)) != len(labels):
            raise InputError(f"labels must be distinct, got {labels}.", argument="labels")
        if counts.shape != (len(labels), len(labels)):
            raise InputError(f"counts must be a {len(labels)}x{len(labels)} table, got shape "
                             f"{counts.shape}.", argument="counts")
        if counts.size and (not np.issubdtype(counts.dtype, np.integer) or counts.min() < 0):
            raise InputError("counts must be non-negative whole numbers.", argument="counts")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "counts", tuple(tuple(int(c) for c in row) for row in counts))

    @property
    def array(self) -> np.ndarray:
        """A fresh integer array of the counts (rows predicted, columns actual)."""
        return np.array(self.counts, dtype=int).reshape(len(self.labels), len(self.labels))

    @property
    def total(self) -> int:
        """Number of predictions counted."""
        return int(self.array.sum())

    @property
    def accuracy(self) -> float:
        """Share of predictions on the diagonal: correct over all."""
        return float(np.trace(self.array) / self.total) if self.total else 0.0

    def _position(self, label: Any) -> int:
        if plain(label) not in self.labels:
            raise LabelError(UNKNOWN_LABEL.format(what="label", label=label, known=list(self.labels)),
                             label=label, known=self.labels)
        return self.labels.index(plain(label))

    def precision(self, label: Any) -> float:
        """Of everything predicted as ``label`` (its row), the share that truly is ``label``."""
        i = self._position(label)
        predicted = self.array[i, :].sum()
        return float(self.array[i, i] / predicted) if predicted else 0.0

    def recall(self, label: Any) -> float:
        """Of everything that truly is ``label`` (its column), the share predicted as ``label``."""
        i = self._position(label)
        actual = self.array[:, i].sum()
        return float(self.array[i, i] / actual) if actual else 0.0

    def f1(self, label: Any) -> float:
        """Harmonic mean of precision and recall for ``label`` (0 when both are 0)."""
        p, r = self.precision(label), self.recall(label)
        return 2 * p * r / (p + r) if p + r else 0.0

    def per_class(self) -> pd.DataFrame:
        """One row per label: precision, recall, F1 and support (number truly of that label)."""
        rows = [
            {"precision": self.precision(label), "recall": self.recall(label),
             "f1": self.f1(label), "support": int(self.array[:, i].sum())}
            for i, label in enumerate(self.labels)
        ]
        return pd.DataFrame(rows, index=pd.Index(self.labels, name="label"))

    def to_frame(self) -> pd.DataFrame:
        """The counts as a DataFrame, index named ``predicted`` and columns ``actual``."""
        return pd.DataFrame(self.array, index=pd.Index(self.labels, name="predicted"),
                            columns=pd.Index(self.labels, name="actual"))

    def plot(self, ax: Any = None, *, cmap: str = "Blues") -> Any:
        """Draw the counts as an annotated heat map and return the matplotlib ``Axes``."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(4.5, 3.8))[1]
        counts = self.array
        ax.imshow(counts, cmap=cmap)
        ticks = range(len(self.labels))
        ax.set_xticks(ticks, [str(label) for label in self.labels])
        ax.set_yticks(ticks, [str(label) for label in self.labels])
        ax.set_xlabel("actual")
        ax.set_ylabel("predicted")
        threshold = counts.max() / 2 if counts.size else 0
        for (i, j), value in np.ndenumerate(counts):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if value > threshold else "black")
        ax.set_title(f"accuracy {self.accuracy:.3f}")
        return ax


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Any = None) -> ConfusionMatrix:
    """Count predicted versus actual labels; rows predicted, columns actual.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``labels`` fixes
    the order (default: sorted); a label in the data but not in ``labels``
    raises :class:`LabelError` rather than being silently dropped.

    Examples
    --------
    >>> cm = confusion_matrix(["a", "a", "b", "b"], ["a", "b", "b", "b"], labels=["b", "a"])
    >>> cm.counts
    ((2, 1), (0, 1))
    """
    true, pred = label_pair(y_true, y_pred)
    order = sorted_labels(true, pred) if labels is None else tuple(plain(x) for x in labels)
    position = {label: i for i, label in enumerate(order)}
    for array, what in ((true, "y_true"), (pred, "y_pred")):
        for value in array.tolist():
            if value not in position:
                raise LabelError(UNKNOWN_LABEL.format(what=f"a label in {what}", label=value,
                                                      known=list(order)), label=value, known=order)
    counts = np.zeros((len(order), len(order)), dtype=int)
    rows = [position[v] for v in pred.tolist()]
    cols = [position[v] for v in true.tolist()]
    np.add.at(counts, (rows, cols), 1)
    return ConfusionMatrix(labels=order, counts=counts)
