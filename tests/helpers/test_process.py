"""Process simulations recover their planted mechanisms; the debt quadrant follows its written rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.process import (HOUSE_PRICE_DEBTS, PROCESSES, classify_debt, debt_quadrant, simulate_model_first,
                                  simulate_process)


@pytest.mark.parametrize("process", PROCESSES)
def test_no_misunderstanding_means_no_rework(process):
    runs = simulate_process(process, n_projects=5, uncertainty=0.0, seed=3)
    assert (runs["rework"] == 0).all()
    assert np.allclose(runs["effort"], 12 + runs["overhead"])


def test_waterfall_pays_the_most_for_a_misunderstanding_found_late():
    # risk capped at 1: every requirement misunderstood, so the costs follow from the stated rules exactly
    items = 6
    waterfall = simulate_process("waterfall", n_projects=1, items=items, uncertainty=1e9)["rework"].iloc[0]
    agile = simulate_process("agile", n_projects=1, items=items, uncertainty=1e9)["rework"].iloc[0]
    assert waterfall == pytest.approx(items + 0.25 * sum(range(items)))  # 6 + 0.25 * (5+4+3+2+1)
    assert agile == pytest.approx(items + 0.25 * items / 2)  # the first item of each sprint has one built after it


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_ranking_of_processes_flips_with_uncertainty(seed):
    def mean_effort(process, u):
        return simulate_process(process, uncertainty=u, seed=seed)["effort"].mean()

    assert mean_effort("agile", 0.3) < mean_effort("waterfall", 0.3)
    assert mean_effort("waterfall", 0.02) < min(mean_effort("agile", 0.02), mean_effort("spiral", 0.02))


def test_model_first_trades_rework_for_an_early_demo():
    model_first = simulate_model_first("model first", seed=1)
    product_first = simulate_model_first("product first", seed=1)
    assert model_first["first_demo"].iloc[0] < product_first["first_demo"].iloc[0]
    assert model_first["wrong_choices"].mean() == pytest.approx(3.0, abs=0.3)  # six guesses, half wrong
    assert product_first["rework"].mean() < model_first["rework"].mean()
    always_right = simulate_model_first("model first", guess_right=1.0, seed=1)
    assert (always_right["rework"] == 0).all()


def test_wrong_calls_raise_clear_errors():
    with pytest.raises(InputError, match="unknown process"):
        simulate_process("scrumban")
    with pytest.raises(InputError, match="unknown order"):
        simulate_model_first("data first")
    with pytest.raises(InputError, match="evidence columns"):
        classify_debt([{"debt": "x"}])
    with pytest.raises(InputError, match="classify_debt"):
        debt_quadrant(pd.DataFrame({"debt": ["x"]}))


def test_classification_rules_cover_all_four_quadrants():
    records = [{"debt": "a", "when_taken": "TODO", "ticket": "T-1", "review": ""},
               {"debt": "b", "when_taken": "TODO", "ticket": " ", "review": "passed"},  # blank ticket: no plan
               {"debt": "c", "when_taken": "", "ticket": "T-2", "review": "passed"},
               {"debt": "d", "when_taken": None, "ticket": "", "review": ""}]
    assert classify_debt(records)["quadrant"].tolist() == [
        "deliberate, prudent", "deliberate, reckless", "inadvertent, prudent", "inadvertent, reckless"]


def test_quadrant_table_counts_and_sums_the_record():
    classified = classify_debt(HOUSE_PRICE_DEBTS)
    counts = debt_quadrant(classified)
    assert counts.to_numpy().sum() == len(HOUSE_PRICE_DEBTS)
    assert counts.loc["deliberate", "prudent"] == 3 and counts.loc["inadvertent", "reckless"] == 2
    hours = debt_quadrant(classified, "interest_hours")
    assert hours.to_numpy().sum() == sum(d["interest_hours"] for d in HOUSE_PRICE_DEBTS)
