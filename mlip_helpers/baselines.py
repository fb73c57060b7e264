"""Baselines a model must beat, and a table comparing a model against them.

Introduced in ``notebooks/04-model-correctness.ipynb``. A baseline is learned
from the *training* labels only; it is then scored on the same test data as
the model. The names are also importable from :mod:`mlip_helpers.evaluation`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlip_helpers.errors import EMPTY, LENGTH_MISMATCH, InputError
from mlip_helpers._labels import as_labels
from mlip_helpers.evaluation import accuracy, f1_score, precision, recall

__all__ = [
    "Baseline",
    "compare_to_baselines",
    "majority_baseline",
    "random_baseline",
    "rule_baseline",
]


@dataclass(frozen=True)
class Baseline:
    """A named stand-in model with a ``predict`` function, as simple as possible.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> always_no = Baseline("always no", lambda X: np.full(len(X), "no"), "predicts 'no'")
    >>> always_no.predict([[1], [2]]).tolist()
    ['no', 'no']
    """

    name: str
    """Short name, used as the row label in comparisons."""
    predict: Callable[[Any], np.ndarray]
    """Maps inputs (all rows at once) to one predicted label per row."""
    description: str = ""
    """One sentence saying what the baseline predicts and why."""


def _training_labels(y_train: Any) -> np.ndarray:
    labels = as_labels(y_train, "y_train")
    if len(labels) == 0:
        raise InputError(EMPTY.format(what="y_train"), argument="y_train")
    return labels


def majority_baseline(y_train: Any) -> Baseline:
    """Always predict the most common label of the *training* labels.

    Introduced in ``notebooks/04-model-correctness.ipynb``. Ties go to the
    label seen first. Learning the majority from test labels would leak the
    answer into the baseline, so only pass training labels.

    Examples
    --------
    >>> base = majority_baseline(["benign", "benign", "malignant"])
    >>> base.predict(range(4)).tolist()
    ['benign', 'benign', 'benign', 'benign']
    """
    labels = _training_labels(y_train)
    label, count = Counter(labels.tolist()).most_common(1)[0]
    share = count / len(labels)
    return Baseline(
        "majority class",
        lambda X: np.full(len(X), label, dtype=labels.dtype),
        f"always predicts {label!r}, the majority ({share:.1%}) of the training labels",
    )


def random_baseline(
    y_train: Any, *, seed: int = 0, strategy: Literal["uniform", "stratified"] = "uniform"
) -> Baseline:
    """Guess a label at random among the training labels, reproducibly.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``uniform`` gives
    every class the same chance; ``stratified`` follows the training class
    shares. Each ``predict`` call restarts from ``seed``, so it is repeatable.

    Examples
    --------
    >>> guess = random_baseline([0, 1, 1, 1], seed=3)
    >>> bool((guess.predict(range(5)) == guess.predict(range(5))).all())
    True
    """
    labels = _training_labels(y_train)
    classes, counts = np.unique(labels, return_counts=True)
    if strategy not in ("uniform", "stratified"):
        raise InputError(f"strategy must be 'uniform' or 'stratified', got {strategy!r}.",
                         argument="strategy")
    weights = counts / counts.sum() if strategy == "stratified" else None

    def predict(X: Any) -> np.ndarray:
        return np.random.default_rng(seed).choice(classes, size=len(X), p=weights)

    return Baseline(f"random ({strategy})", predict,
                    f"guesses among {len(classes)} training classes ({strategy}), seed {seed}")


def rule_baseline(rule: Callable[[Any], Any], *, name: str = "simple rule",
                  description: str = "") -> Baseline:
    """Turn a hand-written rule into a baseline.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``rule`` receives
    all inputs at once (for a DataFrame, the whole frame) and returns one label
    per row, e.g. ``lambda X: np.where(X["mean radius"] > 15, "malignant", "benign")``.

    Examples
    --------
    >>> big = rule_baseline(lambda X: np.where(np.asarray(X) > 10, "big", "small"), name="size")
    >>> big.predict([3, 30]).tolist()
    ['small', 'big']
    """
    return Baseline(name, lambda X: np.asarray(rule(X)), description or f"hand-written rule {name!r}")


def _predictions(predictor: Any, X: Any) -> np.ndarray:
    predict = getattr(predictor, "predict", predictor)
    if not callable(predict):
        raise InputError(f"{predictor!r} has no predict method and is not callable.",
                         argument="model")
    return as_labels(predict(X), "predictions")


def compare_to_baselines(
    model: Any, baselines: Mapping[str, Any] | list[Baseline], X_test: Any, y_test: Any,
    *, pos_label: Any = None, model_name: str = "model",
) -> pd.DataFrame:
    """Score a model and its baselines on the same test data, one row each.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``model`` and each
    baseline may be anything with ``predict`` or a plain function of ``X``.
    With ``pos_label``, precision, recall and F1 for that class are added. The
    model comes first; baselines follow, best accuracy first.

    Examples
    --------
    >>> X, y = np.arange(6), np.array([0, 0, 0, 0, 1, 1])
    >>> table = compare_to_baselines(lambda X: (X > 3).astype(int),
    ...                              [majority_baseline(y)], X, y)
    >>> table["accuracy"].round(3).tolist()
    [1.0, 0.667]
    """
    items = baselines.items() if isinstance(baselines, Mapping) else (
        (b.name, b) for b in baselines)
    entries = [(model_name, "model", model)] + [(name, "baseline", b) for name, b in items]
    truth = as_labels(y_test, "y_test")
    rows = []
    for name, kind, predictor in entries:
        pred = _predictions(predictor, X_test)
        if len(pred) != len(truth):
            raise InputError(LENGTH_MISMATCH.format(first="y_test", n_first=len(truth),
                                                    second=f"predictions of {name!r}",
                                                    n_second=len(pred)), argument="X_test")
        row = {"name": name, "kind": kind, "accuracy": accuracy(truth, pred)}
        if pos_label is not None:
            row |= {metric.__name__.replace("_score", ""): metric(truth, pred, pos_label=pos_label)
                    for metric in (precision, recall, f1_score)}
        rows.append(row)
    table = pd.DataFrame(rows)
    order = [0] + [1 + i for i in np.argsort(-table["accuracy"].to_numpy()[1:], kind="stable")]
    return table.iloc[order].set_index("name")
