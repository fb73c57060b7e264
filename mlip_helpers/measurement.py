"""Measuring model quality on purpose: operationalisations, shortcut learning, validation versus verification.

Introduced in ``notebooks/04-model-correctness.ipynb``. The lecture "Model Correctness and Accuracy" (Le Goues &
Kaestner, CMU, CC BY 4.0) splits a measurement into three steps: what to capture, which data to collect, and how
to compute the number from the data (the *operationalisation*). The helpers here compute one quality several ways
(:func:`operationalise`, :func:`rank_models`), plant a shortcut that only an out-of-distribution test exposes
(:func:`make_shortcut_data`), and sort checks of a model into verification and validation (:func:`vv_report`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["ShortcutData", "VVCheck", "expected_cost", "make_shortcut_data", "operationalise", "rank_models",
           "vv_report"]

SPLITS = ("train", "iid test", "ood test")
"""The three parts of :func:`make_shortcut_data`, in order."""


def _labels(values: object, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or len(array) == 0:
        raise InputError(f"{what} must be a non-empty sequence of labels, one per example; got shape "
                         f"{array.shape}.", argument=what)
    return array


def expected_cost(y_true: object, y_pred: object, *, pos_label: object, miss_cost: float = 10.0,
                  false_alarm_cost: float = 1.0) -> float:
    """Average cost per example when a missed positive costs ``miss_cost`` and a false alarm ``false_alarm_cost``.

    Introduced in ``notebooks/04-model-correctness.ipynb``: one operationalisation of "useful predictions" for
    screening, where missing a malignant tumour is far worse than a second look at a benign one. Lower is better.

    Examples
    --------
    >>> expected_cost(["m", "m", "b", "b"], ["b", "m", "m", "b"], pos_label="m", miss_cost=10)
    2.75
    """
    truth, pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if len(truth) != len(pred):
        raise InputError(f"y_true has {len(truth)} labels but y_pred has {len(pred)}; give one prediction per "
                         "example.", argument="y_pred")
    if miss_cost < 0 or false_alarm_cost < 0:
        raise InputError("costs must not be negative.", argument="miss_cost")
    misses = np.sum((truth == pos_label) & (pred != pos_label))
    alarms = np.sum((truth != pos_label) & (pred == pos_label))
    return float((miss_cost * misses + false_alarm_cost * alarms) / len(truth))


def operationalise(y_true: object, predictions: Mapping[str, object],
                   measures: Mapping[str, Callable[[np.ndarray, np.ndarray], float]]) -> pd.DataFrame:
    """Score every model's predictions with every measure: one row per model, one column per operationalisation.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``measures`` maps a name to ``f(y_true, y_pred)``.

    Examples
    --------
    >>> truth = ["a", "b", "b"]
    >>> operationalise(truth, {"always b": ["b", "b", "b"]},
    ...                {"accuracy": lambda t, p: float((t == p).mean())}).round(2)
              accuracy
    always b      0.67
    """
    truth = _labels(y_true, "y_true")
    if not predictions or not measures:
        raise InputError("give at least one model's predictions and at least one measure.", argument="predictions")
    rows = {}
    for name, pred in predictions.items():
        pred = _labels(pred, f"predictions[{name!r}]")
        if len(pred) != len(truth):
            raise InputError(f"model {name!r} has {len(pred)} predictions for {len(truth)} examples.",
                             argument="predictions")
        rows[name] = {measure: float(f(truth, pred)) for measure, f in measures.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def rank_models(scores: pd.DataFrame, *, lower_is_better: Sequence[str] = ()) -> pd.DataFrame:
    """Rank the models (rows) under each operationalisation (column); rank 1 is best, ties share the best rank.

    Introduced in ``notebooks/04-model-correctness.ipynb``: if the columns disagree, which model is "better"
    depends on how the quality was operationalised, not only on the models.

    Examples
    --------
    >>> scores = pd.DataFrame({"accuracy": [0.9, 0.6], "cost": [3.0, 1.0]}, index=["A", "B"])
    >>> rank_models(scores, lower_is_better=["cost"])
       accuracy  cost
    A         1     2
    B         2     1
    """
    unknown = sorted(set(lower_is_better) - set(scores.columns))
    if unknown:
        raise InputError(f"lower_is_better names {unknown}, which are not columns; the columns are "
                         f"{list(scores.columns)}.", argument="lower_is_better")
    ranks = {column: scores[column].rank(ascending=column in lower_is_better, method="min").astype(int)
             for column in scores.columns}
    return pd.DataFrame(ranks, index=scores.index)


@dataclass(frozen=True)
class ShortcutData:
    """Photos reduced to two features, with a planted shortcut (the lecture's tank legend)."""

    frame: pd.DataFrame
    """Columns ``shape`` (the real evidence), ``brightness`` (the shortcut), ``tank`` (0/1 label), ``split``."""
    shortcut_agreement: float
    """Share of ``train`` and ``iid test`` photos whose brightness gives away the label (sunny means tank)."""
    shape_accuracy: float
    """Accuracy of the best rule that reads ``shape`` alone: what a model without the shortcut can reach."""

    def part(self, split: str) -> tuple[pd.DataFrame, pd.Series]:
        """Features and label of one split (``"train"``, ``"iid test"`` or ``"ood test"``)."""
        if split not in SPLITS:
            raise InputError(f"no split {split!r}; choose one of {list(SPLITS)}.", argument="split")
        rows = self.frame[self.frame["split"] == split]
        return rows[["shape", "brightness"]], rows["tank"]


def make_shortcut_data(*, n_samples: int = 500, seed: int = 0, shortcut_agreement: float = 0.95,
                       shape_noise: float = 0.8) -> ShortcutData:
    """Generate ``n_samples`` photos per split in which brightness predicts the label, except out of distribution.

    Introduced in ``notebooks/04-model-correctness.ipynb``. ``shape`` is the real evidence: the label plus normal
    noise of scale ``shape_noise``, in every split. ``brightness`` agrees with the label in a share
    ``shortcut_agreement`` of the ``train`` and ``iid test`` photos (tanks photographed on sunny days) and is
    independent of it in ``ood test`` (photos taken on all kinds of days), so only that split exposes a model
    that learned the weather.

    Examples
    --------
    >>> data = make_shortcut_data(n_samples=2000, seed=0)
    >>> X, y = data.part("train")
    >>> round(float(((X["brightness"] > 0.5) == y).mean()), 2), data.shortcut_agreement
    (0.95, 0.95)
    >>> X, y = data.part("ood test")
    >>> abs(float(((X["brightness"] > 0.5) == y).mean()) - 0.5) < 0.05
    True
    """
    if n_samples < 10:
        raise InputError(f"n_samples must be at least 10 per split, got {n_samples}.", argument="n_samples")
    if not 0.5 <= shortcut_agreement <= 1:
        raise InputError(f"shortcut_agreement must lie in [0.5, 1], got {shortcut_agreement}.",
                         argument="shortcut_agreement")
    rng = np.random.default_rng(seed)
    parts = []
    for split in SPLITS:
        tank = rng.permutation(np.arange(n_samples) % 2)
        agree = rng.random(n_samples) < (0.5 if split == "ood test" else shortcut_agreement)
        sunny = np.where(agree, tank, 1 - tank)
        parts.append(pd.DataFrame({
            "shape": tank + rng.normal(scale=shape_noise, size=n_samples),
            "brightness": sunny + rng.normal(scale=0.1, size=n_samples),
            "tank": tank,
            "split": split,
        }))
    from scipy.stats import norm

    return ShortcutData(pd.concat(parts, ignore_index=True), shortcut_agreement,
                        float(norm.cdf(0.5 / shape_noise)))


@dataclass(frozen=True)
class VVCheck:
    """One check of a model: a verification (against a specification) or a validation (against the need)."""

    name: str
    """What is checked, in a few words."""
    kind: str
    """``"verification"`` or ``"validation"``."""
    passed: bool
    """Whether the check passed on this data."""
    evidence: str = ""
    """The number or fact behind the verdict."""


def vv_report(checks: Sequence[VVCheck]) -> pd.DataFrame:
    """A table of checks grouped by kind: verification (built right?) before validation (built the right thing?).

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> vv_report([VVCheck("fits the need", "validation", False, "ood accuracy 0.61"),
    ...            VVCheck("one label per row", "verification", True)])[["kind", "passed"]]
                             kind  passed
    check
    one label per row  verification    True
    fits the need        validation   False
    """
    if not checks:
        raise InputError("give at least one check.", argument="checks")
    bad = [c.kind for c in checks if c.kind not in ("verification", "validation")]
    if bad:
        raise InputError(f"a check's kind is 'verification' or 'validation', got {bad[0]!r}.", argument="checks")
    frame = pd.DataFrame([vars(c) for c in checks]).rename(columns={"name": "check"}).set_index("check")
    order = frame["kind"].map({"verification": 0, "validation": 1})
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")]
