"""Field tests: chaos experiments on a simulated stack, beta groups against the population, system outcomes."""

from __future__ import annotations

import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.fieldtests import FAULTS, beta_test, chaos_experiment, system_outcome

TYPES = {"effects": {"power": 0.2, "casual": -0.1}, "population_shares": {"power": 0.2, "casual": 0.8}}


@pytest.mark.parametrize("fault", FAULTS[1:])
def test_chaos_fault_breaks_only_the_experiment_group_without_fallback(fault):
    table = chaos_experiment(fault=fault, fallback=False, n_requests=4000, blast_radius=0.2, seed=2)
    assert table.loc["control", "answered within SLO"] > 0.99
    assert table.loc["experiment", "answered within SLO"] == 0
    assert table.loc["experiment", "requests"] == pytest.approx(800, abs=80)


@pytest.mark.parametrize("fault", FAULTS[1:])
def test_chaos_fallback_degrades_gracefully(fault):
    table = chaos_experiment(fault=fault, fallback=True, n_requests=4000, seed=2)
    assert (table["answered within SLO"] == 1.0).all()
    assert table.loc["experiment", "degraded answers"] == 1.0
    assert table.loc["control", "degraded answers"] < 0.01
    assert table.loc["experiment", "p95 latency (ms)"] < 200


def test_chaos_without_fault_groups_look_alike():
    table = chaos_experiment(fault="none", fallback=False, n_requests=4000, seed=0)
    assert abs(table.loc["control", "p95 latency (ms)"] - table.loc["experiment", "p95 latency (ms)"]) < 10


@pytest.mark.parametrize("kwargs", [{"fault": "meteor"}, {"fault": "none", "blast_radius": 1.0}])
def test_chaos_rejects_bad_settings(kwargs):
    with pytest.raises(InputError):
        chaos_experiment(fallback=False, **kwargs)


def test_beta_group_like_the_population_recovers_the_planted_lift():
    table = beta_test(beta_shares=TYPES["population_shares"], n_beta=40_000, seed=1, **TYPES)
    assert table.loc["beta group as measured", "lift"] == pytest.approx(-0.04, abs=0.015)
    assert table.loc["planted, whole population", "lift"] == pytest.approx(-0.04)


def test_self_selected_beta_group_is_biased_and_reweighting_corrects():
    table = beta_test(beta_shares={"power": 0.8, "casual": 0.2}, n_beta=40_000, seed=1, **TYPES)
    assert table.loc["beta group as measured", "lift"] == pytest.approx(0.8 * 0.2 - 0.2 * 0.1, abs=0.015)
    assert table.loc["beta group reweighted to the population", "lift"] == pytest.approx(-0.04, abs=0.025)


def test_beta_test_rejects_shares_that_do_not_add_up():
    with pytest.raises(InputError, match="adding up to 1"):
        beta_test(beta_shares={"power": 0.8, "casual": 0.8}, **TYPES)


def test_system_outcome_recovers_the_planted_wait_model():
    table = system_outcome({"instant": (0.9, 0), "slow": (0.9, 1000)}, n_users=50_000, seed=0)
    assert table.loc["instant", "users helped"] == pytest.approx(0.9, abs=0.01)
    assert table.loc["slow", "users who waited"] == pytest.approx(0.3679, abs=0.01)


def test_system_outcome_rejects_bad_models():
    with pytest.raises(InputError):
        system_outcome({})
    with pytest.raises(InputError, match="accuracy"):
        system_outcome({"m": (1.2, 10)})
