"""Measuring qualities, Pareto fronts against brute force, constraints, and cost arithmetic by hand."""

from __future__ import annotations

import itertools
import pickle

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers.errors import InputError
from mlip_helpers.tradeoffs import (
    Qualities,
    best_feasible_exercise,
    feasible,
    measure_qualities,
    model_size,
    n_parameters,
    pareto_exercise,
    pareto_front,
    plot_tradeoff,
    running_costs,
)

X, Y = make_classification(n_samples=400, n_features=6, random_state=0)


def test_parameter_counts_match_the_fitted_models():
    lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y)
    assert n_parameters(lr) == 7
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, Y)
    assert n_parameters(tree) == tree.tree_.node_count
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, Y)
    assert n_parameters(forest) == sum(t.tree_.node_count for t in forest.estimators_)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2000, random_state=0).fit(X, Y)
    assert n_parameters(mlp) == 6 * 4 + 4 + 4 * 1 + 1
    knn = KNeighborsClassifier().fit(X, Y)
    assert n_parameters(knn) == X.size
    hgb = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, Y)
    assert n_parameters(hgb) == sum(len(p.nodes) for stage in hgb._predictors for p in stage)
    with pytest.raises(InputError):
        n_parameters(object())


def test_model_size_is_the_pickle_length():
    tree = DecisionTreeClassifier(random_state=0).fit(X, Y)
    assert model_size(tree) == len(pickle.dumps(tree))
    assert model_size(tree) > model_size(DecisionTreeClassifier(max_depth=1).fit(X, Y))


def test_measure_qualities_scores_and_times_the_model():
    q, fitted = measure_qualities("tree", DecisionTreeClassifier(max_depth=2, random_state=0), X[:300], Y[:300],
                                  X[300:], Y[300:], n_latency=5)
    assert isinstance(q, Qualities) and q.name == "tree"
    assert q.accuracy == pytest.approx(np.mean(fitted.predict(X[300:]) == Y[300:]))
    assert q.train_seconds > 0 and q.latency_ms > 0
    assert q.size_kb == pytest.approx(len(pickle.dumps(fitted)) / 1024)
    assert q.parameters == fitted.tree_.node_count


def brute_front(points, maximize, minimize):
    front = []
    for i, p in enumerate(points):
        dominated = False
        for j, o in enumerate(points):
            if i == j:
                continue
            at_least = all(o[c] >= p[c] for c in maximize) and all(o[c] <= p[c] for c in minimize)
            better = any(o[c] > p[c] for c in maximize) or any(o[c] < p[c] for c in minimize)
            dominated |= at_least and better
        front.append(not dominated)
    return front


@pytest.mark.parametrize("seed", range(5))
def test_pareto_front_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"accuracy": rng.integers(0, 5, 30) / 5, "latency_ms": rng.integers(1, 6, 30),
                          "size_kb": rng.integers(1, 4, 30)})
    points = table.to_dict("records")
    for maximize, minimize in [(["accuracy"], ["latency_ms"]), (["accuracy"], ["latency_ms", "size_kb"])]:
        expected = brute_front(points, maximize, minimize)
        assert pareto_front(table, maximize=maximize, minimize=minimize).tolist() == expected


def test_pareto_front_keeps_ties_and_needs_a_direction():
    table = pd.DataFrame({"accuracy": [0.9, 0.9], "latency_ms": [1.0, 1.0]})
    assert pareto_front(table, maximize=["accuracy"], minimize=["latency_ms"]).all()
    with pytest.raises(InputError):
        pareto_front(table)


def test_feasible_applies_every_bound():
    table = pd.DataFrame({"accuracy": [0.95, 0.9, 0.8], "latency_ms": [5.0, 0.5, 0.4], "size_kb": [10, 500, 5]},
                         index=list("abc"))
    ok = feasible(table, at_most={"latency_ms": 1, "size_kb": 100}, at_least={"accuracy": 0.7})
    assert ok.tolist() == [False, False, True]
    assert feasible(table).all()


def test_running_costs_by_hand():
    table = pd.DataFrame({"latency_ms": [2.0, 0.5], "train_seconds": [36.0, 7200.0]}, index=["slow", "fast"])
    costs = running_costs(table, requests_per_day=1_800_000, retrains_per_year=100, watts=20,
                          usd_per_cpu_hour=0.1, kg_co2_per_kwh=0.5)
    serve = 2e-3 * 1_800_000 * 365 / 3600  # 365 hours
    assert costs.loc["slow", "serving_cpu_hours"] == pytest.approx(serve)
    assert costs.loc["slow", "training_cpu_hours"] == pytest.approx(1.0)
    assert costs.loc["fast", "training_cpu_hours"] == pytest.approx(200.0)
    assert costs.loc["slow", "kwh"] == pytest.approx((serve + 1) * 0.02)
    assert costs.loc["slow", "usd"] == pytest.approx((serve + 1) * 0.1)
    assert costs.loc["slow", "kg_co2"] == pytest.approx((serve + 1) * 0.02 * 0.5)


def test_exercises_explain_wrong_answers():
    table = pd.DataFrame({"accuracy": [0.96, 0.93, 0.9], "latency_ms": [3.0, 0.5, 0.2]}, index=list("abc"))
    ok = pd.Series([False, True, True], index=table.index)
    exercise = best_feasible_exercise(table, ok)
    assert exercise.check("b").passed and "constraint" in exercise.check("a").reason
    front = pareto_front(table, maximize=["accuracy"], minimize=["latency_ms"])
    count = pareto_exercise(front)
    assert count.expected == 3 and count.check(3).passed


def test_plot_tradeoff_draws_front_and_greys_infeasible_models():
    table = pd.DataFrame({"accuracy": [0.96, 0.93, 0.9, 0.85], "latency_ms": [3.0, 0.5, 0.2, 0.4]},
                         index=list("abcd"))
    front = pareto_front(table, maximize=["accuracy"], minimize=["latency_ms"])
    ok = pd.Series([False, True, True, True], index=table.index)
    ax = plot_tradeoff(table, "latency_ms", "accuracy", front=front, ok=ok)
    line = ax.get_lines()[0]
    assert sorted(line.get_xdata()) == [0.2, 0.5, 3.0]
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["a"] == "0.5" and colours["b"] == "black"
    plt.close("all")


def test_combinations_do_not_change_the_front_of_a_dominating_model():
    table = pd.DataFrame({"accuracy": [0.99, 0.5, 0.6, 0.7], "latency_ms": [0.1, 1.0, 2.0, 3.0]})
    for order in itertools.permutations(range(4)):
        shuffled = table.iloc[list(order)]
        assert pareto_front(shuffled, maximize=["accuracy"], minimize=["latency_ms"]).sum() == 1
