"""Baselines learn from training labels only; the comparison table scores them like the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score

from mlip_helpers import evaluation
from mlip_helpers.baselines import (
    Baseline,
    compare_to_baselines,
    majority_baseline,
    random_baseline,
    rule_baseline,
)
from mlip_helpers.errors import InputError


def test_majority_comes_from_training_labels_not_test_labels():
    y_train = ["benign"] * 6 + ["malignant"] * 4
    y_test = np.array(["malignant"] * 7 + ["benign"] * 3)
    base = majority_baseline(y_train)
    assert set(base.predict(range(len(y_test)))) == {"benign"}
    assert evaluation.accuracy(y_test, base.predict(y_test)) == pytest.approx(0.3)
    assert "60.0%" in base.description


def test_majority_agrees_with_sklearn_dummy():
    rng = np.random.default_rng(3)
    y = rng.choice([0, 1, 2], size=50, p=[0.2, 0.5, 0.3])
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((50, 1)), y)
    np.testing.assert_array_equal(majority_baseline(y).predict(np.zeros(7)), dummy.predict(np.zeros((7, 1))))


def test_majority_tie_goes_to_first_seen():
    assert majority_baseline(["b", "a", "a", "b"]).predict([0])[0] == "b"


def test_majority_of_empty_training_labels_raises():
    with pytest.raises(InputError):
        majority_baseline([])


def test_random_baseline_is_repeatable_and_seeded():
    y_train = np.array([0, 1, 2] * 10)
    first, again = random_baseline(y_train, seed=1), random_baseline(y_train, seed=1)
    other = random_baseline(y_train, seed=2)
    X = np.zeros(200)
    np.testing.assert_array_equal(first.predict(X), first.predict(X))
    np.testing.assert_array_equal(first.predict(X), again.predict(X))
    assert not np.array_equal(first.predict(X), other.predict(X))
    assert set(first.predict(X)) == {0, 1, 2}


def test_random_baseline_guesses_only_training_classes_at_about_chance():
    y_train = np.array(["a", "b"] * 50)
    y_test = np.array(["a"] * 2000)
    guesses = random_baseline(y_train, seed=0).predict(y_test)
    assert set(guesses) <= {"a", "b"}
    assert evaluation.accuracy(y_test, guesses) == pytest.approx(0.5, abs=0.04)


def test_stratified_random_baseline_follows_training_shares():
    y_train = np.array(["rare"] * 10 + ["common"] * 90)
    guesses = random_baseline(y_train, seed=0, strategy="stratified").predict(np.zeros(5000))
    assert np.mean(guesses == "common") == pytest.approx(0.9, abs=0.02)


def test_random_baseline_rejects_unknown_strategy():
    with pytest.raises(InputError):
        random_baseline([0, 1], strategy="prior")


def test_rule_baseline_applies_rule_to_all_rows_at_once():
    frame = pd.DataFrame({"radius": [10.0, 20.0, 15.0]})
    rule = rule_baseline(lambda X: np.where(X["radius"] > 12, "malignant", "benign"), name="big")
    assert rule.name == "big"
    assert rule.predict(frame).tolist() == ["benign", "malignant", "malignant"]


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = np.where(X["a"] + 0.3 * rng.normal(size=300) > 0.4, "yes", "no")
    return X.iloc[:200], X.iloc[200:], y[:200], y[200:]


def test_compare_to_baselines_scores_every_predictor_like_sklearn():
    X_train, X_test, y_train, y_test = make_data()
    model = LogisticRegression().fit(X_train, y_train)
    rule = rule_baseline(lambda X: np.where(X["b"] > 0, "yes", "no"), name="b positive")
    table = compare_to_baselines(model, [majority_baseline(y_train), rule], X_test, y_test,
                                 pos_label="yes")
    assert list(table.columns) == ["kind", "accuracy", "precision", "recall", "f1"]
    assert table.index[0] == "model" and table["kind"].tolist()[0] == "model"
    assert (table["kind"].iloc[1:] == "baseline").all()
    predictions = {"model": model.predict(X_test), "majority class": majority_baseline(y_train).predict(X_test),
                   "b positive": rule.predict(X_test)}
    for name, pred in predictions.items():
        assert table.loc[name, "accuracy"] == pytest.approx(np.mean(pred == y_test))
        assert table.loc[name, "precision"] == pytest.approx(
            precision_score(y_test, pred, pos_label="yes", zero_division=0))
        assert table.loc[name, "recall"] == pytest.approx(recall_score(y_test, pred, pos_label="yes"))
    assert table.loc["model", "accuracy"] > table.loc["majority class", "accuracy"]


def test_compare_sorts_baselines_by_accuracy_after_the_model():
    X = np.arange(10)
    y = np.array([0] * 7 + [1] * 3)
    table = compare_to_baselines(lambda X: np.zeros(len(X), dtype=int),
                                 {"worst": lambda X: np.ones(len(X), dtype=int),
                                  "best": lambda X: (X >= 7).astype(int)}, X, y)
    assert table.index.tolist() == ["model", "best", "worst"]
    assert "precision" not in table.columns


def test_compare_rejects_wrong_length_and_non_predictors():
    with pytest.raises(InputError):
        compare_to_baselines(lambda X: [0, 1], [], np.zeros(3), [0, 1, 0])
    with pytest.raises(InputError):
        compare_to_baselines(42, [], np.zeros(3), [0, 1, 0])


def test_baselines_are_reexported_from_evaluation():
    assert evaluation.majority_baseline is majority_baseline
    from mlip_helpers.evaluation import Baseline as Reexported

    assert Reexported is Baseline
    with pytest.raises(AttributeError):
        evaluation.no_such_helper  # noqa: B018
