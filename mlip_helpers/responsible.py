"""Responsibility beyond the model: objectives, liability, protected classes and unequal data, measured.

Introduced in ``notebooks/15-responsible-ml.ipynb``, beside :mod:`mlip_helpers.bias`. Each function computes one of
the lecture's ideas from data with a planted truth: a recommender that optimises engagement at the expense of its
users' well-being, who pays for a model's errors, how well ordinary features predict a protected attribute, and a
group that gets a worse model because it has fewer samples or less informative features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from mlip_helpers.errors import InputError

__all__ = ["engagement_tradeoff", "error_costs", "group_accuracy_by_size", "make_two_rule_groups",
           "proxy_strengths"]

RULES = {"A": (1.0, 0.25), "B": (0.25, 1.0)}
"""Planted decision rule of each group: the label is 1 when ``w1 * x1 + w2 * x2 + noise > 0``."""


def _whole(value: object, name: str, minimum: int) -> int:
    if int(value) != value or value < minimum:
        raise InputError(f"{name} must be a whole number of at least {minimum}, got {value!r}.", argument=name)
    return int(value)


def engagement_tradeoff(*, n_users: int = 1000, n_items: int = 300, top: int = 10, harm: float = 0.6,
                        weights: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0), seed: int = 0) -> pd.DataFrame:
    """Simulate a recommender that weighs its company's objective (engagement) against a societal one (well-being).

    Introduced in ``notebooks/15-responsible-ml.ipynb``. Every item has an appeal and an effect on its viewers'
    well-being; the planted truth is that the two are negatively correlated (``-harm``): the most gripping items
    are on average the worst for the people who watch them. Each user's engagement with an item is its appeal plus
    personal taste. For every weight ``w`` the recommender ranks items by ``(1 - w) * engagement + w *
    well-being`` and shows each user the ``top`` best; a last row recommends at random.

    Examples
    --------
    >>> table = engagement_tradeoff(n_users=200, n_items=100, seed=1)
    >>> list(table.columns)
    ['weight_on_wellbeing', 'engagement', 'wellbeing']
    >>> bool(table["engagement"].iloc[0] > table["engagement"].iloc[-2])  # engagement only beats well-being only
    True
    >>> bool(table["wellbeing"].iloc[0] < table.loc["random", "wellbeing"] < table["wellbeing"].iloc[-2])
    True
    """
    _whole(n_users, "n_users", 1)
    _whole(n_items, "n_items", 2)
    if not 1 <= top < n_items:
        raise InputError(f"top must be between 1 and n_items - 1 = {n_items - 1}, got {top!r}.", argument="top")
    if not 0 <= harm < 1:
        raise InputError(f"harm must be in [0, 1), got {harm!r}.", argument="harm")
    if any(not 0 <= w <= 1 for w in weights) or not len(weights):
        raise InputError(f"weights must be numbers in [0, 1], got {list(weights)!r}.", argument="weights")
    rng = np.random.default_rng(seed)
    appeal = rng.normal(size=n_items)
    wellbeing = -harm * appeal + np.sqrt(1 - harm**2) * rng.normal(size=n_items)
    engagement = appeal + rng.normal(size=(n_users, n_items))
    rows = {}
    for w in weights:
        shown = np.argpartition(-((1 - w) * engagement + w * wellbeing), top - 1, axis=1)[:, :top]
        rows[f"weight {w:.2f}"] = (w, np.take_along_axis(engagement, shown, 1).mean(), wellbeing[shown].mean())
    shown = np.argsort(rng.random((n_users, n_items)), axis=1)[:, :top]
    rows["random"] = (np.nan, np.take_along_axis(engagement, shown, 1).mean(), wellbeing[shown].mean())
    return pd.DataFrame.from_dict(rows, orient="index", columns=["weight_on_wellbeing", "engagement", "wellbeing"])


def error_costs(y_true, y_pred, groups, *, false_positive: tuple[str, float] = ("employer", 1.0),
                false_negative: tuple[str, float] = ("candidate", 1.0), vendor_share: float = 0.0) -> pd.DataFrame:
    """Who bears the cost of a model's errors: each party's count of errors and cost.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. A false positive costs ``false_positive[1]`` and falls on
    the party ``false_positive[0]`` (the employer hires someone unqualified); a false negative costs
    ``false_negative[1]`` and falls on the person wrongly rejected, counted per group. The model's vendor pays
    ``vendor_share`` of every cost: 0 under an "AS IS" licence that disclaims all liability.

    Examples
    --------
    >>> table = error_costs([1, 1, 0, 1], [0, 1, 1, 0], ["A", "B", "A", "B"], false_negative=("candidate", 5.0))
    >>> table["cost"].to_dict()
    {'employer': 1.0, 'candidate in A': 5.0, 'candidate in B': 5.0, 'vendor': 0.0}
    """
    y_true, y_pred, groups = (np.asarray(a) for a in (y_true, y_pred, groups))
    if not len(y_true) == len(y_pred) == len(groups) or not len(y_true):
        raise InputError(f"y_true, y_pred and groups need the same non-zero length, got {len(y_true)}, "
                         f"{len(y_pred)} and {len(groups)}.", argument="y_pred")
    if not 0 <= vendor_share <= 1 or false_positive[1] < 0 or false_negative[1] < 0:
        raise InputError("costs must be non-negative and vendor_share in [0, 1].", argument="vendor_share")
    keep = 1 - vendor_share
    fp, fn = (y_true == 0) & (y_pred == 1), (y_true == 1) & (y_pred == 0)
    rows = {false_positive[0]: (int(fp.sum()), keep * false_positive[1] * fp.sum())}
    for group in sorted(set(groups.tolist())):
        n = int((fn & (groups == group)).sum())
        rows[f"{false_negative[0]} in {group}"] = (n, keep * false_negative[1] * n)
    total = false_positive[1] * fp.sum() + false_negative[1] * fn.sum()
    rows["vendor"] = (0, vendor_share * total)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["errors", "cost"])
    table["cost"] = table["cost"].astype(float)
    return table.rename_axis("party")


def proxy_strengths(frame: pd.DataFrame, protected: Sequence[str], features: Sequence[str], *, seed: int = 0,
                    folds: int = 5) -> pd.DataFrame:
    """How well each feature, alone and all together, predicts each protected attribute (cross-validated AUC).

    Introduced in ``notebooks/15-responsible-ml.ipynb``. ``protected`` names 0/1 columns. A single feature
    guesses the attribute by its share among the training rows with the same value (a numeric feature with more
    than five values by its quintile); all features together feed a logistic regression on one-hot codes. Both
    are scored out of fold. 0.5 means the feature carries no information about the attribute, 1.0 that it
    reveals it.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> woman = rng.integers(0, 2, 400)
    >>> frame = pd.DataFrame({"woman": woman, "team": np.where(rng.random(400) < 0.9, woman, 1 - woman),
    ...                       "height": rng.normal(size=400)})
    >>> table = proxy_strengths(frame, ["woman"], ["team", "height"])
    >>> round(float(table.loc["team", "woman"]), 1), bool(table.loc["height", "woman"] < 0.6)
    (0.9, True)
    """
    missing = [c for c in [*protected, *features] if c not in frame.columns]
    if missing:
        raise InputError(f"columns {missing} are not in the frame; it has {list(frame.columns)}.", argument="frame")
    values = {f: (pd.qcut(frame[f].rank(method="first"), 5, labels=False)
                  if pd.api.types.is_numeric_dtype(frame[f]) and frame[f].nunique() > 5 else frame[f]).to_numpy()
              for f in features}
    X = pd.get_dummies(frame[list(features)], drop_first=True, dtype=float)
    X = ((X - X.mean()) / X.std().replace(0, 1)).to_numpy()
    table = {}
    for attribute in protected:
        target = np.asarray(frame[attribute])
        if set(np.unique(target).tolist()) != {0, 1}:
            raise InputError(f"protected column {attribute!r} must hold 0 and 1.", argument="protected")
        scores = {name: np.zeros(len(frame)) for name in [*features, "all features together"]}
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, target):
            for f in features:
                share = pd.Series(target[train]).groupby(values[f][train]).mean()
                scores[f][test] = pd.Series(values[f][test]).map(share).fillna(target[train].mean()).to_numpy()
            model = LogisticRegression(solver="newton-cholesky").fit(X[train], target[train])
            scores["all features together"][test] = model.predict_proba(X[test])[:, 1]
        table[attribute] = {name: roc_auc_score(target, score) for name, score in scores.items()}
    return pd.DataFrame(table)


def make_two_rule_groups(n_a: int, n_b: int, *, seed: int = 0, feature_noise_b: float = 0.0,
                         label_noise: float = 0.3) -> pd.DataFrame:
    """Two groups whose labels follow different planted rules (:data:`RULES`), B's features optionally noisier.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. ``x1`` and ``x2`` are standard normal; the label is 1
    when the group's rule is positive. *Limited features*: group B's recorded ``x1`` and ``x2`` carry extra noise
    of standard deviation ``feature_noise_b`` (its members' records are less informative), while its labels still
    follow the true values.

    Examples
    --------
    >>> data = make_two_rule_groups(300, 100, seed=2)
    >>> data["group"].value_counts().to_dict(), list(data.columns)
    ({'A': 300, 'B': 100}, ['group', 'x1', 'x2', 'label'])
    """
    _whole(n_a, "n_a", 0)
    _whole(n_b, "n_b", 0)
    if feature_noise_b < 0 or label_noise < 0:
        raise InputError("feature_noise_b and label_noise must not be negative.", argument="feature_noise_b")
    rng = np.random.default_rng(seed)
    parts = [_draw(rng, n, group, noise, label_noise)
             for group, n, noise in (("A", n_a, 0.0), ("B", n_b, feature_noise_b))]
    x, label = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return pd.DataFrame({"group": np.repeat(["A", "B"], [n_a, n_b]), "x1": x[:, 0], "x2": x[:, 1], "label": label})


def _draw(rng: np.random.Generator, n: int, group: str, noise: float,
          label_noise: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=(n, 2))
    label = (x @ np.array(RULES[group]) + rng.normal(scale=label_noise, size=n) > 0).astype(int)
    return (x + rng.normal(scale=noise, size=(n, 2)) if noise else x), label


def group_accuracy_by_size(*, n_a: int = 2000, sizes_b: Sequence[int] = (20, 50, 100, 200, 500, 1000, 2000),
                           feature_noise_b: float = 0.0, repeats: int = 3, n_test: int = 1000,
                           seed: int = 0) -> pd.DataFrame:
    """Test accuracy of one model for both groups, as group B's share of the training data grows.

    Introduced in ``notebooks/15-responsible-ml.ipynb``. For every size ``n_b`` a logistic regression (the group
    is not an input) is trained on ``n_a`` members of A and ``n_b`` of B from :func:`make_two_rule_groups`, and
    scored on ``n_test`` fresh members of each group; the accuracies are averaged over ``repeats`` draws. *Sample
    size disparity*: with few B samples the model learns A's rule and B's accuracy suffers; *limited features*
    (``feature_noise_b > 0``) keep B behind even with equal numbers.

    Examples
    --------
    >>> table = group_accuracy_by_size(n_a=500, sizes_b=(10, 500), repeats=2, seed=0)
    >>> list(table.columns)
    ['n_b', 'accuracy_A', 'accuracy_B', 'gap']
    >>> bool(table["gap"].iloc[0] > table["gap"].iloc[-1])
    True
    """
    _whole(repeats, "repeats", 1)
    _whole(n_test, "n_test", 10)
    if feature_noise_b < 0:
        raise InputError(f"feature_noise_b must not be negative, got {feature_noise_b!r}.", argument="feature_noise_b")
    rng = np.random.default_rng(seed)
    test = {g: _draw(rng, n_test, g, feature_noise_b if g == "B" else 0.0) for g in ("A", "B")}
    rows = []
    for n_b in sizes_b:
        _whole(n_b, "sizes_b", 1)
        accuracy = {"A": 0.0, "B": 0.0}
        for _ in range(repeats):
            (xa, ya), (xb, yb) = _draw(rng, n_a, "A", 0.0), _draw(rng, n_b, "B", feature_noise_b)
            model = LogisticRegression(solver="newton-cholesky").fit(np.vstack([xa, xb]), np.concatenate([ya, yb]))
            for g, (x, y) in test.items():
                accuracy[g] += (model.predict(x) == y).mean() / repeats
        rows.append({"n_b": int(n_b), "accuracy_A": accuracy["A"], "accuracy_B": accuracy["B"],
                     "gap": accuracy["A"] - accuracy["B"]})
    return pd.DataFrame(rows)
