"""Evasion gradients against finite differences, poisoning by construction, exact model extraction, STRIDE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers import security
from mlip_helpers.errors import InputError
from mlip_helpers.security import (
    STRIDE,
    evasion_curve,
    extraction_curve,
    fgsm,
    flip_labels,
    input_gradient,
    poisoning_curve,
    queries_needed_exercise,
    sphere_filter,
    sphere_poison,
    steal_linear_model,
    stealing_category_exercise,
    threat_table,
)


def _data(n_classes, seed=0, n=300, d=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    X = rng.normal(size=(n, d)) + np.eye(n_classes, d)[y] * 2
    return X, y


def _log_loss(model, X, y):
    proba = model.predict_proba(X)
    return -np.log(proba[np.arange(len(y)), np.searchsorted(model.classes_, y)])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_input_gradient_matches_finite_differences(n_classes):
    X, y = _data(n_classes)
    model = LogisticRegression().fit(X, y)
    gradient = input_gradient(model, X[:10], y[:10])
    h = 1e-6
    for j in range(X.shape[1]):
        step = np.zeros(X.shape[1])
        step[j] = h
        numeric = (_log_loss(model, X[:10] + step, y[:10]) - _log_loss(model, X[:10] - step, y[:10])) / (2 * h)
        assert np.allclose(gradient[:, j], numeric, atol=1e-6)


def test_input_gradient_needs_a_linear_model():
    X, y = _data(2)
    with pytest.raises(InputError):
        input_gradient(DecisionTreeClassifier().fit(X, y), X, y)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_fgsm_moves_each_feature_by_epsilon_and_hurts_more_than_noise(n_classes):
    X, y = _data(n_classes, seed=1)
    model = LogisticRegression().fit(X, y)
    moved = fgsm(model, X, y, 0.5)
    assert np.allclose(np.abs(moved - X), 0.5)
    assert (_log_loss(model, moved, y) > _log_loss(model, X, y)).all()
    assert fgsm(model, X, y, 5.0, clip=(-1.0, 1.0)).max() <= 1.0
    curve = evasion_curve(model, X, y, [0.0, 1.0], seed=0)
    assert curve["attacked"].iloc[0] == pytest.approx(model.score(X, y))
    assert curve["attacked"].iloc[1] < curve["random noise"].iloc[1]


def test_flip_labels_changes_exactly_the_share_to_other_classes():
    y = np.repeat([0, 1, 2], 100)
    flipped = flip_labels(y, 0.1, seed=2)
    assert (flipped != y).sum() == 30
    assert np.array_equal(flip_labels(y, 0.1, seed=2), flipped) and flip_labels(y, 0.0).tolist() == y.tolist()
    with pytest.raises(InputError):
        flip_labels(y, 1.5)


def test_sphere_poison_sits_at_the_quantile_radius_in_the_given_direction():
    X, y = _data(2, seed=3, d=10)
    direction = np.arange(10.0)
    Xp, yp = sphere_poison(X, y, 0.05, direction, label=0, quantile=0.9)
    centre = X[y == 0].mean(axis=0)
    radius = np.quantile(np.linalg.norm(X[y == 0] - centre, axis=1), 0.9)
    assert len(yp) == 15 and (yp == 0).all()
    assert np.allclose(np.linalg.norm(Xp - centre, axis=1), radius)
    assert np.allclose((Xp[0] - centre) / radius, direction / np.linalg.norm(direction))
    with pytest.raises(InputError):
        sphere_poison(X, y, 0.05, direction, label=7)


def test_sphere_filter_against_a_manual_computation():
    X, y = _data(2, seed=4)
    keep = sphere_filter(X, y, quantile=0.8)
    for label in (0, 1):
        own = X[y == label]
        distance = np.linalg.norm(own - own.mean(axis=0), axis=1)
        assert np.array_equal(keep[y == label], distance <= np.quantile(distance, 0.8))
    assert keep.mean() == pytest.approx(0.8, abs=0.01)


def test_crafted_poison_passes_the_filter_and_hurts_in_high_dimensions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    X = rng.normal(size=(1000, 200))
    X[:, 0] += np.where(y == 1, 1.2, -1.2)
    y_test = rng.integers(0, 2, 3000)
    X_test = rng.normal(size=(3000, 200))
    X_test[:, 0] += np.where(y_test == 1, 1.2, -1.2)
    victim = LogisticRegression(max_iter=2000).fit(X, y)

    def fit(A, b):
        return LogisticRegression(max_iter=2000).fit(A, b)

    attacks = {"crafted": lambda A, b, s: tuple(np.concatenate(p) for p in zip(
        (A, b), sphere_poison(A, b, s, victim.coef_[0], label=0, quantile=0.9))),
        "random": lambda A, b, s: (A, flip_labels(b, s, seed=0))}
    curve = poisoning_curve(fit, X, y, X_test, y_test, shares=[0.0, 0.03], attacks=attacks)
    drop = curve.set_index(["attack", "share"])["drop"]
    assert drop[("crafted", 0.0)] == 0 and drop[("random", 0.0)] == 0
    assert drop[("crafted", 0.03)] > 0.05 > drop[("random", 0.03)]
    Xp, yp = sphere_poison(X, y, 0.03, victim.coef_[0], label=0, quantile=0.9)
    assert sphere_filter(np.concatenate([X, Xp]), np.concatenate([y, yp]), quantile=0.95)[-len(yp):].all()


@pytest.mark.parametrize("seed", range(3))
def test_steal_linear_model_recovers_the_victim_exactly(seed):
    X, y = _data(2, seed=seed, d=6)
    victim = LogisticRegression(C=0.5).fit(X, y)
    stolen = steal_linear_model(victim.predict_proba, 6, seed=seed)
    assert stolen.n_queries == 7
    assert np.allclose(stolen.coef, victim.coef_[0], atol=1e-8)
    assert stolen.intercept == pytest.approx(victim.intercept_[0], abs=1e-8)
    assert np.allclose(stolen.decision_function(X), victim.decision_function(X), atol=1e-7)


def test_extraction_curve_agreement_grows_to_one_for_a_representable_victim():
    X, y = _data(2, seed=5)
    victim = LogisticRegression().fit(X, y)
    curve = extraction_curve(victim.predict, X, lambda: LogisticRegression(C=100), [5, 300], X)
    assert curve["queries"].tolist() == [5, 300]
    assert curve["agreement"].iloc[-1] >= 0.98
    constant = extraction_curve(lambda Z: np.zeros(len(Z), int), X, LogisticRegression, [10], X)
    assert constant["agreement"].tolist() == [1.0]


def test_threat_table_maps_categories_to_properties():
    assert len(STRIDE) == 6 and STRIDE["Information disclosure"] == "confidentiality"
    table = threat_table([("api", "Denial of service", "floods", "rate limit"), ("lake", "Tampering", "edits", " ")])
    assert table["property"].tolist() == ["availability", "integrity"]
    assert table["open"].tolist() == [False, True]
    with pytest.raises(InputError):
        threat_table([("api", "Phishing", "x", "y")])


def test_exercises():
    limiter = security.rate_limiter_exercise()
    assert limiter.kind == "code" and limiter.check(security.allow_solution).passed
    everyone = limiter.check(lambda requests: np.ones(len(requests), bool))
    assert not everyone.passed and "extraction attack" in everyone.reason
    assert queries_needed_exercise(n_features=9).check(10).passed
    category = stealing_category_exercise()
    assert category.check("information disclosure").passed and "changes nothing" in category.check("Tampering").reason
