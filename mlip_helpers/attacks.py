"""Secure design and two more attacks: the blast radius of a compromise, model inversion, targeted poisoning.

Introduced in ``notebooks/21-security-privacy.ipynb``, next to :mod:`mlip_helpers.security`. The lecture
"Security and Privacy" (Le Goues & Kaestner, CMU, CC BY 4.0) asks to apply design principles for secure systems;
:func:`blast_radius_table` measures one of them, *least privilege*, as the resources an attacker reaches from a
compromised component. *Model inversion* (Fredrikson et al., 2015, in the lecture) recovers an input from a
model's output by gradient ascent in input space (:func:`invert_class`). *Targeted poisoning* (lecture: Shafahi
et al., 2018) changes the prediction for one chosen input with a few training points (:func:`targeted_poison`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "CREDENTIALS", "blast_radius", "blast_radius_table", "invert_class", "targeted_poison"]

NOTEBOOK = "21-security-privacy"

CREDENTIALS = "credentials:"
"""Prefix of a resource that holds another component's credentials: whoever reads it acts as that component."""

_ORDER = {"read": 1, "write": 2}


def blast_radius(grants: Mapping[str, Mapping[str, str]], compromised: str) -> dict[str, str]:
    """Every resource an attacker who controls ``compromised`` can read or write, following stolen credentials.

    Introduced in ``notebooks/21-security-privacy.ipynb``. ``grants`` maps each component to the resources it may
    access (``"read"`` or ``"write"``). A resource named ``"credentials:<component>"`` holds that component's
    credentials: reading it gives the attacker that component's grants too.

    Examples
    --------
    >>> grants = {"web": {"credentials:db": "read"}, "db": {"user table": "write"}}
    >>> blast_radius(grants, "web")
    {'credentials:db': 'read', 'user table': 'write'}
    """
    if compromised not in grants:
        raise InputError(f"unknown component {compromised!r}; the components are {sorted(grants)}.",
                         argument="compromised")
    reached: dict[str, str] = {}
    controlled, queue = {compromised}, [compromised]
    while queue:
        for resource, access in grants[queue.pop()].items():
            if access not in _ORDER:
                raise InputError(f"access must be 'read' or 'write', got {access!r} for {resource!r}.",
                                 argument="grants")
            if _ORDER[access] > _ORDER.get(reached.get(resource, ""), 0):
                reached[resource] = access
            owner = resource[len(CREDENTIALS):] if resource.startswith(CREDENTIALS) else None
            if owner in grants and owner not in controlled:
                controlled.add(owner)
                queue.append(owner)
    return dict(sorted(reached.items()))


def blast_radius_table(designs: Mapping[str, Mapping[str, Mapping[str, str]]], sensitive: Any) -> pd.DataFrame:
    """For every design and component: how many resources a compromise of it reaches, and which sensitive ones.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Credentials are not counted as resources.

    Returns
    -------
    pandas.DataFrame
        One row per (``component``, ``design``): ``resources reached``, ``writable`` and ``sensitive reached``
        (the sensitive resources reached, comma-separated, ``"-"`` for none).

    Examples
    --------
    >>> shared = {"web": {"db": "write"}, "batch": {"db": "write"}}
    >>> least = {"web": {"db": "read"}, "batch": {}}
    >>> blast_radius_table({"shared": shared, "least": least}, {"db"})["writable"].tolist()
    [1, 0, 1, 0]
    """
    rows = []
    for design, grants in designs.items():
        for component in grants:
            reached = {r: a for r, a in blast_radius(grants, component).items() if not r.startswith(CREDENTIALS)}
            hit = sorted(set(reached) & set(sensitive))
            rows.append({"component": component, "design": design, "resources reached": len(reached),
                         "writable": sum(a == "write" for a in reached.values()),
                         "sensitive reached": ", ".join(hit) if hit else "-"})
    return pd.DataFrame(rows).sort_values("component", kind="stable").reset_index(drop=True)


def invert_class(model: Any, label: int, *, steps: int = 200, learning_rate: float = 0.1, l2: float = 0.01,
                 bounds: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """The input a linear (softmax) classifier finds most typical of ``label``: model inversion by gradient ascent.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Starts from the middle of ``bounds`` and climbs
    ``log P(label | x) - l2 * |x|^2``, clipping each feature to ``bounds`` after every step. Needs ``coef_`` and
    ``intercept_`` with one row per class (scikit-learn's multinomial ``LogisticRegression``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 0.0, 1.0], [0.1, 0.0, 0.9], [0.0, 1.0, 0.0]])
    >>> model = LogisticRegression().fit(X, [0, 0, 1, 1, 2])
    >>> int(np.argmax(invert_class(model, 1)))
    2
    """
    W, b = np.atleast_2d(np.asarray(model.coef_, dtype=float)), np.asarray(model.intercept_, dtype=float)
    if W.shape[0] < 3:
        raise InputError("invert_class needs one weight row per class (three or more classes).", argument="model")
    classes = list(getattr(model, "classes_", range(W.shape[0])))
    if label not in classes:
        raise InputError(f"label {label!r} is not one of the model's classes {classes}.", argument="label")
    k = classes.index(label)
    low, high = bounds
    x = np.full(W.shape[1], (low + high) / 2)
    for _ in range(steps):
        scores = W @ x + b
        p = np.exp(scores - scores.max())
        p /= p.sum()
        gradient = W[k] - p @ W - 2 * l2 * x
        x = np.clip(x + learning_rate * gradient, low, high)
    return x


def targeted_poison(X: Any, target: Any, new_label: Any, n_poison: int, *, scale: float = 0.05,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n_poison`` training points close to ``target``, labelled ``new_label``: a targeted poisoning attack.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Each point is the target plus Gaussian noise of
    ``scale`` standard deviations of each feature (of ``X``), so the points look like ordinary rows near the
    target. Add them to the training data; a model that decides by nearby examples flips the target.

    Examples
    --------
    >>> X_p, y_p = targeted_poison(np.eye(3), [1.0, 0.0, 0.0], 2, n_poison=4)
    >>> X_p.shape, y_p.tolist()
    ((4, 3), [2, 2, 2, 2])
    """
    X = np.asarray(X, dtype=float)
    point = np.asarray(target, dtype=float).ravel()
    if point.shape != (X.shape[1],):
        raise InputError(f"target must have {X.shape[1]} features like X, got {point.shape}.", argument="target")
    if n_poison < 0:
        raise InputError(f"n_poison must be 0 or more, got {n_poison}.", argument="n_poison")
    rng = np.random.default_rng(seed)
    points = point + rng.normal(0, 1, (n_poison, X.shape[1])) * scale * X.std(axis=0)
    return points, np.full(n_poison, new_label)
