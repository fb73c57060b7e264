"""Patterns around a served model: guardrail with fallback, undeclared consumers, business rules outside the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.patterns import consumer_drift, rule_change_experiment, serve_with_guardrail
from mlip_helpers.serving import load_flights


def _labels(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.25
    return np.where(labels, 0.7, 0.1), labels


def test_guardrail_recovers_the_planted_failure_rate_and_bounds_latency():
    scores, labels = _labels()
    table = serve_with_guardrail(scores, labels, failure_rate=0.05, slow_rate=0.05, timeout_ms=300, seed=1)
    direct, guarded = table.loc["direct call"], table.loc["guardrail + fallback"]
    assert direct["error responses"] == pytest.approx(0.05, abs=0.015)
    assert direct["p99 latency (ms)"] > 1000
    assert guarded["error responses"] == 0 and guarded["p99 latency (ms)"] <= 300
    assert guarded["fallback answers"] == pytest.approx(0.05 + 0.95 * 0.05, abs=0.02)
    assert guarded["served well"] >= direct["served well"]


def test_guardrail_without_faults_changes_nothing():
    scores, labels = _labels()
    table = serve_with_guardrail(scores, labels, failure_rate=0, slow_rate=0, timeout_ms=10_000, seed=0)
    assert table.loc["guardrail + fallback", "fallback answers"] == 0
    assert table.loc["direct call", "served well"] == table.loc["guardrail + fallback", "served well"] == 1.0


@pytest.mark.parametrize("kwargs", [{"failure_rate": 1.5}, {"timeout_ms": 0}])
def test_guardrail_rejects_bad_settings(kwargs):
    scores, labels = _labels(100)
    with pytest.raises(InputError):
        serve_with_guardrail(scores, labels, **kwargs)


def test_guardrail_rejects_mismatched_lengths():
    with pytest.raises(InputError, match="labels has 2"):
        serve_with_guardrail([0.1, 0.2, 0.3], [True, False])


def test_declared_interface_keeps_its_flag_rate_and_the_consumer_drifts():
    old = np.linspace(0, 1, 1001)
    table = consumer_drift(old, old ** 0.5, threshold=0.5)  # a recalibration that keeps the ranking
    assert table.loc["declared interface", "decisions changed"] == pytest.approx(0, abs=0.002)
    assert table.loc["undeclared consumer", "flagged after"] == pytest.approx(0.75, abs=0.002)
    assert table.loc["undeclared consumer", "decisions changed"] == pytest.approx(0.25, abs=0.002)


def test_consumer_drift_needs_the_same_requests():
    with pytest.raises(InputError, match="same"):
        consumer_drift([0.1, 0.2], [0.3], threshold=0.5)


@pytest.fixture(scope="module")
def flights():
    return load_flights(n_samples=4000, seed=3)


def test_rule_baked_into_labels_ignores_the_new_rule(flights):
    change = rule_change_experiment(flights[:3000], flights[3000:], column="origin", old_allowed={"EWR", "JFK"},
                                    new_allowed={"EWR", "JFK", "LGA"}, threshold=0.3)
    offered = change.table["newly allowed offered"]
    assert offered["rule baked into labels"] < 0.02 < offered["rule outside the model"]
    lga = change.baked_model.coef_[0][-1]  # origin=LGA is the encoder's last column
    assert lga < -3, "the baked model learned the business rule as a large negative weight"


def test_rule_change_must_allow_something_new(flights):
    with pytest.raises(InputError, match="adds no value"):
        rule_change_experiment(flights, flights, column="origin", old_allowed={"EWR"}, new_allowed={"EWR"})


def test_rule_change_names_a_missing_column(flights):
    with pytest.raises(InputError, match="'airline'"):
        rule_change_experiment(flights, flights, column="airline", old_allowed={"A"}, new_allowed={"A", "B"})
