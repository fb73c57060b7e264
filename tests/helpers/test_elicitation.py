"""Elicitation simulations: planted needs recovered, techniques blind where planted, costs that rise when late."""

from __future__ import annotations

import numpy as np
import pytest

from mlip_helpers.elicitation import (
    NEEDS,
    PHASE_COST,
    elicit,
    late_fix_costs,
    requirements_effort,
    stated_vs_actual,
    wizard_of_oz,
)
from mlip_helpers.errors import InputError


def test_pilot_recovers_the_planted_effects_and_the_survey_disagrees():
    table = stated_vs_actual(20_000, seed=3)
    assert np.allclose(table["fitted effect"], NEEDS["effect"], atol=0.15)
    assert table["stated importance"].idxmax() == "detects every fall"
    assert table["fitted effect"].idxmax() == "few false calls"


def test_pilot_is_seeded_and_rejects_tiny_samples():
    assert stated_vs_actual(500, seed=1).equals(stated_vs_actual(500, seed=1))
    with pytest.raises(InputError, match="at least 20"):
        stated_vs_actual(5)


def test_each_technique_is_blind_where_planted():
    interviews, observation = elicit("interview", n_sessions=200, seed=0), elicit("observation", n_sessions=200, seed=0)
    assert interviews["cancel button easy to press"] == 0 and interviews["comfortable to wear at night"] == 0
    assert observation["detects every fall"] == 0 and observation["comfortable to wear at night"] == 0
    # mentions approach prevalence x chance to reveal
    expected = 200 * NEEDS["prevalence"] * NEEDS["interview"]
    assert np.allclose(interviews, expected, atol=25)


def test_elicit_rejects_unknown_methods():
    with pytest.raises(InputError, match="interview"):
        elicit("survey")


def test_wizard_of_oz_recovers_planted_medians_and_unnoticed_alarms():
    log = wizard_of_oz(4000, seed=2)
    finite = log[np.isfinite(log["seconds"])]
    medians = finite.groupby("age_group")["seconds"].median()
    assert medians["under 75"] == pytest.approx(8, rel=0.05) and medians["75 or older"] == pytest.approx(22, rel=0.05)
    never = (~np.isfinite(log["seconds"])).groupby(log["age_group"]).mean()
    assert never["under 75"] == 0 and never["75 or older"] == pytest.approx(0.1, abs=0.02)
    assert (log["in_window"] == (log["seconds"] <= 30)).all()


def test_wizard_of_oz_rejects_bad_windows():
    with pytest.raises(InputError):
        wizard_of_oz(10, window=0)


def test_requirements_effort_is_u_shaped_and_all_late_without_effort():
    costs = requirements_effort([0, 40, 400], n_projects=100, seed=1)
    assert costs.loc[0, "found up front"] == 0
    assert costs.loc[0, "total"] == pytest.approx(30 * (PHASE_COST.iloc[1:] * [0.3, 0.3, 0.25, 0.15]).sum(), rel=0.1)
    assert costs["total"].idxmin() == 40
    assert costs.loc[400, "fixing"] == pytest.approx(30, rel=0.05)  # nearly everything found up front, 1 day each


def test_requirements_effort_rejects_negative_days():
    with pytest.raises(InputError, match="efforts"):
        requirements_effort([-1, 5])


def test_late_fix_costs_rise_with_phase():
    table = late_fix_costs()
    assert table["days to fix"].is_monotonic_increasing
    assert table["share of missed ones found here"].sum() == pytest.approx(1)
