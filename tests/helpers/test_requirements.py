"""Fall-detector requirements: Bayes' rule, outcomes worked out by hand, and the simulation agreeing with them."""

from __future__ import annotations

import dataclasses

import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.requirements import (
    BROKEN_OPTIONS,
    FEATURES,
    FallAssumptions,
    broken_assumption_exercise,
    false_calls_exercise,
    make_fall_events,
    pilot_world,
    precision_at_prevalence,
    simulate_wearers,
    system_outcomes,
)


@pytest.mark.parametrize("recall, fpr, prevalence", [(0.9, 0.1, 0.5), (0.95, 0.02, 0.001), (0.5, 0.5, 0.3)])
def test_precision_at_prevalence_matches_counting(recall, fpr, prevalence):
    n = 10_000_000
    positives = n * prevalence
    true_alarms, false_alarms = recall * positives, fpr * (n - positives)
    assert precision_at_prevalence(recall, fpr, prevalence) == pytest.approx(true_alarms / (true_alarms + false_alarms))


def test_precision_collapses_for_rare_events():
    assert precision_at_prevalence(0.95, 0.03, 0.5) > 0.95
    assert precision_at_prevalence(0.95, 0.03, 1e-4) < 0.01
    assert precision_at_prevalence(0.0, 0.03, 0.5) == 0.0


def test_system_outcomes_by_hand():
    a = FallAssumptions(falls_per_year=1.04, events_per_day=10, wear_share=0.5, worn_during_falls=0.8,
                        cancel_share=0.75)
    out = system_outcomes(0.9, 0.02, a)
    assert out.false_alarms_per_week == pytest.approx(70 * 0.5 * 0.02)  # 0.7
    assert out.false_calls_per_week == pytest.approx(0.7 * 0.25)
    assert out.falls_called == pytest.approx(0.72)
    true_alarms = 0.02 * 0.8 * 0.9
    assert out.alarms_per_week == pytest.approx(0.7 + true_alarms)
    assert out.alarm_precision == pytest.approx(true_alarms / (0.7 + true_alarms))
    assert list(out.to_series().index) == ["alarms_per_week", "false_alarms_per_week", "false_calls_per_week",
                                           "falls_called", "alarm_precision"]


def test_assumptions_reject_shares_outside_zero_one():
    with pytest.raises(InputError):
        FallAssumptions(cancel_share=1.2)


def test_fall_events_plant_the_requested_shares_and_hide_nothing_in_the_features():
    events = make_fall_events(20_000, fall_share=0.25, sport_share=0.4, seed=2)
    assert events["is_fall"].mean() == pytest.approx(0.25, abs=0.01)
    assert (events.loc[~events["is_fall"], "kind"] == "sport").mean() == pytest.approx(0.4, abs=0.015)
    assert (events[list(FEATURES)] >= 0).all().all()
    assert events.groupby("kind")["peak_g"].mean()["fall"] > events.groupby("kind")["peak_g"].mean()["everyday"]
    assert len(make_fall_events(0)) == 0


def threshold(X):
    return X["peak_g"].to_numpy() > 2.5


def test_simulation_agrees_with_the_formula_when_assumptions_hold():
    assumed = FallAssumptions(falls_per_year=2.0)
    lab = make_fall_events(200_000, fall_share=0.5, seed=5)
    fell = lab["is_fall"].to_numpy()
    recall, fpr = threshold(lab)[fell].mean(), threshold(lab)[~fell].mean()
    promised = system_outcomes(recall, fpr, assumed)
    observed = simulate_wearers(threshold, assumed, n_wearers=3000, weeks=26, seed=1)
    assert observed.false_alarms_per_week == pytest.approx(promised.false_alarms_per_week, rel=0.03)
    assert observed.false_calls_per_week == pytest.approx(promised.false_calls_per_week, rel=0.05)
    assert observed.falls_called == pytest.approx(promised.falls_called, abs=0.04)


def test_broken_assumptions_move_the_outcome_they_should():
    assumed = FallAssumptions()
    base = simulate_wearers(threshold, assumed, n_wearers=1500, weeks=26, seed=3)
    sporty = simulate_wearers(threshold, dataclasses.replace(assumed, sporty_share=0.5), n_wearers=1500,
                              weeks=26, seed=3)
    night = simulate_wearers(threshold, dataclasses.replace(assumed, worn_during_falls=0.3), n_wearers=1500,
                             weeks=26, seed=3)
    pilot = simulate_wearers(threshold, pilot_world(assumed), n_wearers=1500, weeks=26, seed=3)
    assert sporty.false_alarms_per_week > 3 * base.false_alarms_per_week
    assert night.falls_called < 0.5 * base.falls_called
    assert night.false_alarms_per_week == base.false_alarms_per_week
    assert pilot.alarms_per_week == base.alarms_per_week
    assert pilot.false_calls_per_week > 2 * base.false_calls_per_week


def test_false_calls_exercise_runs_the_function_and_names_each_forgotten_factor():
    exercise = false_calls_exercise()
    assert exercise.check(exercise.solution).passed
    assert "also those while the watch is not worn" in exercise.check(lambda fpr, a: 35 * fpr).reason
    assert "cancels a share" in exercise.check(lambda fpr, a: 7 * a.events_per_day * a.wear_share * fpr).reason
    assert "per day" in exercise.check(lambda fpr, a: a.events_per_day * a.wear_share * fpr * 0.2).reason
    hard_coded = exercise.check(lambda fpr, a: 0.126).reason
    assert "never cancel" in hard_coded and "0.126" not in hard_coded.replace("0.126 ", "")


def test_broken_assumption_exercise_needs_exactly_one_difference():
    assumed = FallAssumptions()
    exercise = broken_assumption_exercise(assumed, pilot_world(assumed))
    assert exercise.expected == "cancel_share" and set(exercise.options) == set(BROKEN_OPTIONS)
    assert "not wear_share" in exercise.check("wear_share").reason
    with pytest.raises(InputError):
        broken_assumption_exercise(assumed, assumed)
    with pytest.raises(InputError):
        broken_assumption_exercise(assumed, dataclasses.replace(assumed, wear_share=0.1, cancel_share=0.1))
