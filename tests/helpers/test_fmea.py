"""FMEA tables and mitigations as fault-tree rewrites, checked against cut sets and probabilities by hand."""

from __future__ import annotations

import pytest

from mlip_helpers.faulttree import (
    FaultTreeError,
    and_gate,
    event,
    minimal_cut_sets,
    or_gate,
    top_event_probability,
)
from mlip_helpers.fmea import (
    FailureMode,
    add_safeguard,
    compare_designs,
    fmea_table,
    occurrence_rating,
    remove_event,
    simulate_top_event,
    single_point_exercise,
    top_probability_exercise,
)

CAMERA, VISION, BUG = event("camera", 0.002), event("vision", 0.03, model_mistake=True), event("bug", 0.0005)
CURTAIN, LIMITER = event("curtain", 0.01), event("limiter", 0.001)


def doors(name="trapped"):
    return or_gate(name, or_gate("not_detected", CAMERA, VISION), BUG)


def sets(*groups):
    return [frozenset(g.split()) for g in groups]


def test_rpn_and_table_order():
    modes = [FailureMode("a", "m1", "e", 2, 3, 4), FailureMode("b", "m2", "e", 9, 9, 9),
             FailureMode("c", "m3", "e", 5, 5, 1)]
    assert [m.rpn for m in modes] == [24, 729, 25]
    assert fmea_table(modes)["component"].tolist() == ["b", "c", "a"]
    assert fmea_table([]).empty


@pytest.mark.parametrize("field", ["severity", "occurrence", "detection"])
@pytest.mark.parametrize("value", [0, 11, 2.5, True])
def test_ratings_must_be_whole_numbers_from_one_to_ten(field, value):
    ratings = {"severity": 5, "occurrence": 5, "detection": 5} | {field: value}
    with pytest.raises(FaultTreeError):
        FailureMode("c", "m", "e", **ratings)


@pytest.mark.parametrize("p, rating", [(1.0, 10), (0.1, 10), (0.099, 9), (0.05, 9), (0.02, 8), (0.01, 7),
                                       (0.002, 6), (5e-4, 5), (1e-4, 4), (1e-5, 3), (1e-6, 2), (9e-7, 1), (0, 1)])
def test_occurrence_scale_boundaries(p, rating):
    assert occurrence_rating(p) == rating


def test_occurrence_rejects_non_probabilities():
    with pytest.raises(FaultTreeError):
        occurrence_rating(1.5)


def test_safeguard_on_an_event_grows_only_its_cut_sets():
    guarded = add_safeguard(doors(), "vision", CURTAIN)
    assert minimal_cut_sets(guarded) == sets("bug", "camera", "curtain vision")
    p = 1 - (1 - 0.002) * (1 - 0.03 * 0.01) * (1 - 0.0005)
    assert top_event_probability(guarded) == pytest.approx(p)


def test_safeguard_on_a_gate_and_on_the_top():
    redundant = add_safeguard(doors(), "not_detected", CURTAIN, name="no_sensor")
    assert minimal_cut_sets(redundant) == sets("bug", "camera curtain", "curtain vision")
    guarded = add_safeguard(doors(), "trapped", LIMITER)
    assert minimal_cut_sets(guarded) == sets("bug limiter", "camera limiter", "limiter vision")
    assert top_event_probability(guarded) == pytest.approx(top_event_probability(doors()) * 0.001)


def test_safeguard_needs_a_known_target():
    with pytest.raises(FaultTreeError):
        add_safeguard(doors(), "nothing", CURTAIN)


def test_remove_event_from_or_and_and_gates():
    assert minimal_cut_sets(remove_event(doors(), "vision")) == sets("bug", "camera")
    tree = or_gate("top", and_gate("both", CAMERA, VISION), BUG)
    assert remove_event(tree, "camera") == BUG  # the AND gate can no longer happen
    with pytest.raises(FaultTreeError):
        remove_event(and_gate("top", CAMERA, VISION), "camera")
    with pytest.raises(FaultTreeError):
        remove_event(tree, "nothing")


def test_simulation_matches_exact_probability_also_with_repeated_events():
    a = event("a", 0.3)
    tree = and_gate("top", or_gate("g1", a, event("b", 0.2)), or_gate("g2", a, event("c", 0.4)))
    exact = top_event_probability(tree)  # 0.3 + 0.7 * 0.2 * 0.4 = 0.356
    assert exact == pytest.approx(0.356)
    assert simulate_top_event(tree, n_trials=200_000, seed=1) == pytest.approx(exact, abs=0.004)


def test_compare_designs_reports_single_points_and_model_mistakes():
    table = compare_designs({"plain": doors(), "curtain": add_safeguard(doors(), "not_detected", CURTAIN),
                             "limiter": add_safeguard(doors(), "trapped", LIMITER)})
    assert table["single_points"].tolist() == ["bug, camera, vision", "bug", "-"]
    assert table["model_alone"].tolist() == [True, False, False]
    assert table["smallest_cut_set"].tolist() == [1, 1, 2]
    assert table["probability"].is_monotonic_decreasing


def test_top_probability_exercise_explains_sums_and_products():
    exercise = top_probability_exercise(doors())
    assert exercise.expected == pytest.approx(1 - 0.998 * 0.97 * 0.9995)
    assert "rare-event" in exercise.check(0.0325).reason
    assert "multiplies" in exercise.check(0.002 * 0.03 * 0.0005).reason


def test_single_point_exercise():
    exercise = single_point_exercise(add_safeguard(doors(), "not_detected", CURTAIN))
    assert exercise.check("bug").passed
    assert "curtain" in exercise.check("vision").reason
    with pytest.raises(FaultTreeError):
        single_point_exercise(add_safeguard(doors(), "trapped", LIMITER))
