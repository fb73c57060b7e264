"""Interfaces that hide a model, the small fraud system's data flow and monitor, and explanation sizes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlip_helpers.components import (
    ModelScorer,
    PaymentService,
    explanation_size,
    make_transactions,
    run_system,
)
from mlip_helpers.errors import InputError

X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
y = np.array([0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize("model", [LogisticRegression(), DecisionTreeClassifier(random_state=0),
                                   RandomForestClassifier(n_estimators=5, random_state=0)])
def test_the_service_runs_unchanged_with_any_scorer(model):
    service = PaymentService(ModelScorer(model.fit(X, y)), review_above=0.5)
    assert service.decide(X).tolist() == ["approve"] * 3 + ["review"] * 3


def test_the_threshold_decides_review():
    class Fixed:
        def predict_proba(self, X):
            return np.column_stack([np.full(len(X), 0.4), np.full(len(X), 0.6)])

    assert PaymentService(ModelScorer(Fixed()), review_above=0.7).decide(X[:2]).tolist() == ["approve", "approve"]
    assert PaymentService(ModelScorer(Fixed()), review_above=0.5).decide(X[:2]).tolist() == ["review", "review"]


def test_transactions_plant_fraud_and_the_drift():
    t = make_transactions(n_cards=400, n_days=10, seed=0, fraud_rate=0.1, drift_day=5, drift_factor=2.0)
    assert t["fraud"].mean() == pytest.approx(0.1, abs=0.02)
    legit = t[t["fraud"] == 0]
    before, after = legit[legit["day"] < 5]["amount"].median(), legit[legit["day"] >= 5]["amount"].median()
    assert after / before == pytest.approx(2.0, rel=0.1)
    fraud = t[t["fraud"] == 1]["amount"].median()
    assert fraud > 2.5 * legit["amount"].median()


@pytest.mark.parametrize("kwargs, message", [({"n_cards": 1}, "at least 2"), ({"drift_day": 0}, "drift_day"),
                                             ({"n_days": 5, "drift_day": 9}, "drift_day")])
def test_transactions_check_their_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_transactions(**kwargs)


def test_the_system_alerts_from_the_planted_change_and_has_no_skew():
    run = run_system(make_transactions(n_cards=200, n_days=16, drift_day=12, seed=1), train_days=6)
    assert run.daily.index[run.daily["alert"]].min() == 12
    assert not run.daily.loc[:11, "alert"].any()
    assert run.skew == 0.0 and run.features_computed == 16
    flows = run.flows.set_index(["from", "to"])["records"]
    assert flows[("feature store", "inference service")] == flows[("inference service", "monitoring")]
    assert flows[("ML pipeline", "inference service")] == 1
    assert run.alert_above > 0


def test_no_change_means_no_alert():
    run = run_system(make_transactions(n_cards=200, n_days=12, drift_day=12, drift_factor=1.0, seed=2),
                     train_days=6)
    assert not run.daily["alert"].any()


def test_run_system_checks_train_days():
    with pytest.raises(InputError, match="train_days"):
        run_system(make_transactions(n_cards=10, n_days=3, drift_day=2), train_days=3)


def test_explanation_size_counts_paths_and_weights():
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    assert (explanation_size(tree, X) <= 3).all()
    forest = RandomForestClassifier(n_estimators=4, max_depth=2, random_state=0).fit(X, y)
    sizes = explanation_size(forest, X)
    assert (sizes >= 4 * 2).all() and (sizes <= 4 * 3).all()  # one path of 2 to 3 nodes per tree
    net = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(3,), max_iter=2000, random_state=0))
    net.fit(X, y)
    assert explanation_size(net, X).tolist() == [1 * 3 + 3 + 3 * 1 + 1] * len(X)
    assert explanation_size(LogisticRegression().fit(X, y), X[:2]).tolist() == [2, 2]


def test_explanation_size_rejects_unknown_models():
    from sklearn.neighbors import KNeighborsClassifier

    with pytest.raises(InputError, match="do not know"):
        explanation_size(KNeighborsClassifier(n_neighbors=1).fit(X, y), X)
