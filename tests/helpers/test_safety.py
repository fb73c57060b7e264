"""Robustness radii against worst-case perturbations, guardrails against any model, hill climbing, assurance cases."""

from __future__ import annotations

import numpy as np
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.safety import (Claim, Guardrail, best_level_exercise, guard_exercise, guard_solution, hill_climb,
                                 nonrobust_count_exercise, robustness_radius, sampled_robustness)


def _linear(seed=0, n=200, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=d), float(rng.normal()), rng.normal(size=(n, d))


@pytest.mark.parametrize("seed", range(5))
def test_linf_radius_is_exactly_where_the_worst_corner_flips(seed):
    w, b, X = _linear(seed)
    radius = robustness_radius(w, b, X, norm="inf")
    side = np.sign(X @ w + b)
    worst = -side[:, None] * np.sign(w)[None, :]  # push every feature against the current side
    just_inside = X + worst * (radius * (1 - 1e-9))[:, None]
    just_outside = X + worst * (radius * (1 + 1e-9) + 1e-12)[:, None]
    assert np.all(np.sign(just_inside @ w + b) == side)
    assert np.all(np.sign(just_outside @ w + b) != side)


def test_l2_radius_is_the_euclidean_distance_to_the_hyperplane():
    w, b, X = _linear(1)
    radius = robustness_radius(w, b, X, norm="2")
    projection = X - ((X @ w + b) / (w @ w))[:, None] * w  # foot of the perpendicular
    assert np.allclose(radius, np.linalg.norm(X - projection, axis=1))
    assert np.allclose(projection @ w + b, 0)


def test_l1_radius_uses_the_largest_weight():
    assert robustness_radius([1.0, -4.0], 2.0, [[0.0, 0.0]], norm="1").tolist() == [0.5]
    with pytest.raises(InputError):
        robustness_radius([1.0], 0.0, [[1.0]], norm="3")


def test_sampling_never_refutes_a_prediction_that_is_robust():
    w, b, X = _linear(2)
    radius = robustness_radius(w, b, X)

    def predict(Z):
        return (Z @ w + b > 0).astype(int)

    for norm in ("inf", "2"):
        robust = sampled_robustness(predict, X, 0.3, n_trials=50, norm=norm, seed=1)
        assert robust[radius > 0.3 * np.sqrt(len(w))].all()  # sound: no false counterexamples
    tested = sampled_robustness(predict, X, 0.3, n_trials=200)
    assert (~tested).sum() <= (radius <= 0.3).sum()  # sampling finds at most the true number
    assert (~tested[radius < 0.01]).all()  # points almost on the boundary are always caught
    with pytest.raises(InputError):
        sampled_robustness(predict, X, 0.3, norm="1")


@pytest.mark.parametrize("seed", range(3))
def test_guardrail_holds_whatever_the_model_returns(seed):
    rng = np.random.default_rng(seed)
    raw = rng.normal(0, 1e4, 1000)
    raw[rng.random(1000) < 0.1] = np.nan
    raw[rng.random(1000) < 0.05] = np.inf
    raw[rng.random(1000) < 0.05] = -np.inf
    guard = Guardrail(lower=0.0, upper=240.0, fallback=0.0)
    outcome = guard(raw)
    assert np.all((outcome.values >= 0) & (outcome.values <= 240))
    inside = np.isfinite(raw) & (raw >= 0) & (raw <= 240)
    assert np.array_equal(outcome.intervened, ~inside)
    assert np.array_equal(outcome.values[inside], raw[inside])
    assert np.all(guard.wrap(lambda X: raw)(None) == outcome.values)


def test_guardrail_rejects_a_fallback_outside_its_bounds():
    with pytest.raises(InputError):
        Guardrail(lower=10.0, upper=20.0, fallback=0.0)


def test_hill_climb_never_gets_worse_and_stays_in_bounds():
    def reward(x):
        return -(x - 0.3) ** 2

    path = hill_climb(reward, 0.9, step=0.05, n_steps=300, seed=4)
    values = reward(path)
    assert np.all(np.diff(values) >= 0)
    assert path.min() >= 0 and path.max() <= 1 and len(path) == 301
    assert path[-1] == pytest.approx(0.3, abs=0.01)
    assert hill_climb(lambda x: x, 0.5, bounds=(0.0, 0.6), n_steps=500)[-1] <= 0.6


def test_claims_combine_all_and_any():
    yes, no = Claim("a", evidence=True), Claim("b", evidence=False)
    assert Claim("t", subclaims=(yes, yes)).holds
    assert not Claim("t", subclaims=(yes, no)).holds
    assert Claim("t", subclaims=(yes, no), strategy="any").holds
    assert not Claim("t", subclaims=(no, no), strategy="any").holds
    nested = Claim("top", subclaims=(Claim("mid", subclaims=(yes, no), strategy="any"), no))
    assert not nested.holds
    assert nested.render().splitlines()[0].startswith("\u2718 top")
    assert nested.render().splitlines()[1] == "  \u2714 mid  [any of]"


@pytest.mark.parametrize("kwargs", [{}, {"evidence": True, "subclaims": (Claim("x", evidence=True),)},
                                    {"evidence": True, "strategy": "most"}])
def test_malformed_claims_are_rejected(kwargs):
    with pytest.raises(InputError):
        Claim("bad", **kwargs)


def test_exercises():
    radius = np.array([0.05, 0.1, 0.5, 0.9])
    ex = nonrobust_count_exercise(radius=radius, epsilon=0.2, sampled_robust=[False, True, True, True])
    assert ex.check(2).passed
    assert "random testing" in ex.check(1).reason
    guard = guard_exercise(240.0)
    assert guard.check(guard_solution).passed
    clip = guard.check(lambda commands, limit: np.clip(commands, 0, limit))
    assert not clip.passed and "NaN" in clip.reason
    best = best_level_exercise(true_reward=lambda s: s - s**2, proxy_reward=lambda s: s, reached=0.97)
    assert best.check(0.5).passed and "clicks" in best.check(1.0).reason
