"""Explanation helpers recover planted truth and agree with brute force and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers import explain
from mlip_helpers.errors import InputError


@pytest.fixture(scope="module")
def planted_rules():
    rng = np.random.default_rng(0)
    C = pd.DataFrame(rng.random((2000, 5)) < 0.3, columns=["a", "b", "c", "d", "e"])
    y = ((C["a"] & C["b"]) | C["c"]).astype(int)
    return C, y


def test_rule_list_recovers_a_planted_rule_exactly(planted_rules):
    C, y = planted_rules
    rules = explain.learn_rule_list(C, y, max_rules=4, min_support=20)
    learned = {names for names, label, _, precision in rules.rules if precision == 1.0}
    assert learned == {("c",), ("a", "b")} and len(rules.rules) == 2
    assert rules.default == 0
    np.testing.assert_array_equal(rules.predict(C), y)


def test_rule_list_stops_without_a_rule_better_than_half():
    C = pd.DataFrame({"x": [True, False] * 50})
    rules = explain.learn_rule_list(C, np.zeros(100, dtype=int), min_support=1)
    assert rules.rules == () and rules.default == 0
    assert str(rules) == "ELSE predict 0"


def test_rule_list_respects_support_and_order():
    C = pd.DataFrame({"rare": [True] * 3 + [False] * 97, "wide": [True] * 50 + [False] * 50})
    y = np.r_[np.ones(3), np.ones(30), np.zeros(17), np.zeros(50)].astype(int)
    rules = explain.learn_rule_list(C, y, min_support=5, max_terms=1)
    assert rules.rules[0][0] == ("wide",) and rules.rules[0][2] == 50
    assert str(rules).startswith("IF wide THEN predict 1   (50 rows, precision 0.66)")


def test_scorecard_rounds_scaled_weights_and_predicts_like_the_rounded_rule():
    card = explain.make_scorecard({"p": 1.2, "q": -0.6, "r": 0.05, "s": 0.3}, -0.9, max_points=4)
    assert card.points.to_dict() == {"p": 4, "q": -2, "s": 1} and card.threshold == 3
    X = pd.DataFrame(np.random.default_rng(1).integers(0, 3, (200, 4)), columns=["p", "q", "r", "s"])
    totals = 4 * X["p"] - 2 * X["q"] + X["s"]
    np.testing.assert_array_equal(card.total(X), totals)
    np.testing.assert_array_equal(card.predict(X), (totals >= 3).astype(int))
    with pytest.raises(InputError):
        explain.make_scorecard({"p": 0.0}, 1.0)


def test_surrogate_of_a_shallow_tree_is_perfectly_faithful():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.integers(0, 10, size=(600, 3)), columns=["u", "v", "w"])  # whole numbers: exact cut-offs
    box = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, (X["u"] >= 5) & (X["v"] >= 3))
    exact = explain.fit_surrogate(box.predict, X[:300], X[300:], max_depth=2)
    assert exact.fidelity == 1.0
    rough = explain.fit_surrogate(box.predict, X[:300], X[300:], max_depth=1)
    assert rough.fidelity == pytest.approx(accuracy_score(box.predict(X[300:]), rough.tree.predict(X[300:])))
    assert rough.fidelity < 0.9


@pytest.mark.parametrize("seed", range(3))
def test_local_effects_recover_a_linear_function_exactly(seed):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(100, 4)) * [1, 10, 0.1, 3], columns=list("abcd"))
    w = rng.normal(size=4)
    effects = explain.local_effects(lambda Z: Z.to_numpy() @ w + 7, X.iloc[seed], X, seed=seed)
    np.testing.assert_allclose(effects.to_numpy(), w, atol=1e-8)


def test_local_effects_follow_the_gradient_of_a_smooth_model():
    X = pd.DataFrame({"a": np.linspace(-3, 3, 61), "b": np.linspace(-3, 3, 61)})
    sigmoid = lambda Z: 1 / (1 + np.exp(-(2 * Z["a"] - Z["b"] + 0.5)))  # noqa: E731
    x = pd.Series({"a": 0.2, "b": -0.1})
    p = 1 / (1 + np.exp(-(2 * 0.2 + 0.1 + 0.5)))
    effects = explain.local_effects(sigmoid, x, X, width=0.05, n_samples=20000)
    assert effects["a"] == pytest.approx(2 * p * (1 - p), rel=0.02)  # the gradient at x
    assert effects["b"] == pytest.approx(-p * (1 - p), rel=0.02)
    wide = explain.local_effects(sigmoid, x, X, width=2.0)
    assert abs(wide["a"]) < 0.9 * abs(effects["a"])  # a wide neighbourhood averages the slope away


def bank(X):
    return ((X["income"] - X["debt"] >= 25) & ((X["age"] >= 25) | (X["savings"] >= 20))).astype(int)


def test_counterfactuals_are_exactly_the_minimal_flips_of_a_planted_rule():
    x = pd.Series({"income": 40, "debt": 25, "savings": 10, "age": 22})
    options = {"income": [45, 50], "debt": [15], "savings": [20], "age": [25]}
    found = explain.counterfactuals(bank, x, options, target=1, scale={"income": 10})
    assert sorted(found["changes"]) == sorted([
        "income 40 -> 50, savings 10 -> 20", "income 40 -> 50, age 22 -> 25",
        "debt 25 -> 15, savings 10 -> 20", "debt 25 -> 15, age 22 -> 25"])
    assert (found["n_changes"] == 2).all()
    assert (bank(found[list(x.index)]) == 1).all()
    row = found.set_index("changes").loc["income 40 -> 50, savings 10 -> 20"]
    assert row["distance"] == pytest.approx(1.0 + 10.0)  # income scaled by 10, savings by the default 1


def test_counterfactuals_skip_supersets_of_a_smaller_flip():
    x = pd.Series({"income": 40, "debt": 20, "savings": 10, "age": 30})
    assert bank(x.to_frame().T).iloc[0] == 0
    found = explain.counterfactuals(bank, x, {"income": [50], "debt": [0], "savings": [30]}, target=1)
    assert found["changes"].tolist() == ["income 40 -> 50", "debt 20 -> 0"]
    none = explain.counterfactuals(bank, x, {"savings": [30]}, target=1)
    assert none.empty and list(none.columns[:3]) == ["changes", "n_changes", "distance"]


def test_prototypes_sit_in_the_big_clusters_and_criticisms_in_the_planted_small_one():
    rng = np.random.default_rng(3)
    big = np.vstack([rng.normal(c, 0.7, size=(300, 2)) for c in ([0, 0], [4, 0], [0, 4])])
    small = rng.normal([4, 4], 0.3, size=(40, 2))
    points = np.vstack([big, small])
    protos, critics = explain.prototypes_and_criticisms(points, n_prototypes=3, n_criticisms=6, gamma=0.5)
    assert sorted(p // 300 for p in protos) == [0, 1, 2]
    assert (critics >= 900).all() and not set(protos) & set(critics)


def test_first_prototype_is_the_single_row_that_minimises_the_mmd():
    X = np.random.default_rng(4).normal(size=(80, 3))
    sq = ((X[:, None] - X[None]) ** 2).sum(-1)
    K = np.exp(-sq / np.median(sq))
    mmd = [K.mean() - 2 * K[:, i].mean() + 1 for i in range(len(X))]
    protos, _ = explain.prototypes_and_criticisms(X, n_prototypes=1, n_criticisms=0)
    assert protos[0] == int(np.argmin(mmd))


def test_loo_influence_matches_brute_force_with_sklearn_log_loss():
    rng = np.random.default_rng(5)
    X, X_eval = rng.normal(size=(25, 2)), rng.normal(size=(50, 2))
    y, y_eval = (X[:, 0] > 0).astype(int), (X_eval[:, 0] > 0).astype(int)
    y[0] = 1 - y[0]

    def make():
        return LogisticRegression(solver="liblinear")

    base = log_loss(y_eval, make().fit(X, y).predict_proba(X_eval))
    brute = [log_loss(y_eval, make().fit(np.delete(X, i, 0), np.delete(y, i)).predict_proba(X_eval)) - base
             for i in range(len(y))]
    np.testing.assert_allclose(explain.loo_influence(make, X, y, X_eval, y_eval), brute, atol=1e-9)


def test_loo_influence_ranks_planted_wrong_labels_as_most_harmful():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(150, 2))
    y = (X.sum(axis=1) > 0).astype(int)
    wrong = np.argsort(-X.sum(axis=1))[:4]
    y[wrong] = 0
    X_eval = rng.normal(size=(1000, 2))
    influence = explain.loo_influence(lambda: LogisticRegression(solver="liblinear"), X, y, X_eval,
                                      (X_eval.sum(axis=1) > 0).astype(int))
    assert set(np.argsort(influence)[:4]) == set(wrong)


def test_exercises_accept_right_answers_and_name_the_mistakes():
    rng = np.random.default_rng(7)
    X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["u", "v"])
    y = (X["u"] + 0.5 * rng.normal(size=300) > 0).astype(int)
    box = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    surrogate = explain.fit_surrogate(box.predict, X[:150], X[150:], max_depth=1)
    fidelity = explain.fidelity_exercise(surrogate=surrogate, predict=box.predict, X_check=X[150:],
                                y_check=y[150:])
    assert fidelity.check(surrogate.fidelity).passed
    accuracy = np.mean(surrogate.tree.predict(X[150:]) == y[150:])
    if abs(accuracy - surrogate.fidelity) > 1e-3:
        assert "true labels" in fidelity.check(accuracy).reason
    search = explain.counterfactual_exercise()
    assert search.kind == "code" and search.check(explain.counterfactual_solution).passed
    careless = search.check(lambda predict, applicant, options, immutable: explain.counterfactuals(
        predict, applicant, options, target=1).iloc[0][list(applicant.index)])
    assert not careless.passed and "cannot change" in careless.reason
    found = explain.counterfactual_solution(bank, pd.Series({"income": 40, "debt": 25, "savings": 10, "age": 22}),
                                            {"income": [50], "debt": [15], "savings": [20], "age": [25]}, ["age"])
    assert found.to_dict() == {"income": 50, "debt": 25, "savings": 20, "age": 22}
    harmful = explain.most_harmful_exercise(influence=[0.1, -0.2, 0.3])
    assert harmful.check(1).passed and "most helpful" in harmful.check(2).reason
