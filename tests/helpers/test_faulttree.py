"""Fault trees: cut sets and probabilities of known trees worked out by hand, and against brute force."""

from __future__ import annotations

import doctest
import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlip_helpers import faulttree
from mlip_helpers.errors import InputError, MlipHelpersError
from mlip_helpers.faulttree import (
    Event,
    FaultTreeError,
    Gate,
    and_gate,
    basic_events,
    cut_set_table,
    describe,
    event,
    gates,
    minimal_cut_sets,
    or_gate,
    plot,
    rare_event_approximation,
    single_points_of_failure,
    top_event_occurs,
    top_event_probability,
)


def sets(*groups: str) -> list[frozenset[str]]:
    """``sets("a", "b c")`` -> [{a}, {b, c}]."""
    return [frozenset(g.split()) for g in groups]


A, B, C, D, E = (event(n, p) for n, p in zip("abcde", [0.1, 0.2, 0.3, 0.4, 0.5]))


def train_doors():
    """The lecture's train-door tree, simplified: a person is trapped if the door closes on them and nothing stops it."""
    person = event("person_in_door", 0.05)
    vision = event("vision_misses_person", 0.1, model_mistake=True)
    pressure = event("pressure_sensor_fails", 0.02)
    driver = event("no_operator_override", 0.5)
    closes = and_gate("door_closes_on_person", person, or_gate("not_detected", vision, pressure))
    return and_gate("person_trapped", closes, driver)


# --- cut sets of trees worked out by hand -----------------------------------------------------------

def test_or_gate_each_input_alone():
    assert minimal_cut_sets(or_gate("t", A, B)) == sets("a", "b")


def test_and_gate_needs_all_inputs():
    assert minimal_cut_sets(and_gate("t", A, B, C)) == sets("a b c")


def test_repeated_event_is_minimised():
    # (a or b) and (a or c): MOCUS gives {a}, {a, c}, {b, a}, {b, c}; {a} absorbs the two supersets
    tree = and_gate("t", or_gate("g1", A, B), or_gate("g2", A, C))
    assert minimal_cut_sets(tree) == sets("a", "b c")


def test_textbook_tree_with_absorption():
    # t = (a and b) or (a and (b or c)) = a and (b or c): cut sets {a, b} and {a, c}; {a, b} appears twice
    tree = or_gate("t", and_gate("g1", A, B), and_gate("g2", A, or_gate("g3", B, C)))
    assert minimal_cut_sets(tree) == sets("a b", "a c")


def test_nested_mixed_tree():
    # t = a or (b and (c or (d and e)))  ->  {a}, {b, c}, {b, d, e}
    tree = or_gate("t", A, and_gate("g1", B, or_gate("g2", C, and_gate("g3", D, E))))
    assert minimal_cut_sets(tree) == sets("a", "b c", "b d e")


def test_shared_subtree():
    shared = or_gate("s", A, B)
    tree = and_gate("t", shared, or_gate("g", shared, C))
    assert minimal_cut_sets(tree) == sets("a", "b")


def test_train_doors_cut_sets_and_single_points():
    tree = train_doors()
    assert minimal_cut_sets(tree) == sets("no_operator_override person_in_door pressure_sensor_fails",
                                         "no_operator_override person_in_door vision_misses_person")
    assert single_points_of_failure(tree) == []
    assert single_points_of_failure(or_gate("t", A, and_gate("g", B, C), D)) == ["a", "d"]


def test_a_lone_event_is_its_own_cut_set():
    assert minimal_cut_sets(A) == sets("a")
    assert top_event_probability(A) == 0.1


# --- probabilities worked out by hand ---------------------------------------------------------------

def test_and_or_probabilities():
    assert math.isclose(top_event_probability(and_gate("t", A, B)), 0.02)
    assert math.isclose(top_event_probability(or_gate("t", A, B)), 1 - 0.9 * 0.8)  # 0.28


def test_repeated_event_probability_is_exact_not_gate_arithmetic():
    tree = and_gate("t", or_gate("g1", A, B), or_gate("g2", A, C))
    # a happens (0.1), or a does not and both b and c do (0.9 * 0.2 * 0.3)
    assert math.isclose(top_event_probability(tree), 0.1 + 0.9 * 0.06)  # 0.154
    naive = (1 - 0.9 * 0.8) * (1 - 0.9 * 0.7)  # 0.1036: treats the two copies of a as independent
    assert not math.isclose(top_event_probability(tree), naive)
    assert math.isclose(rare_event_approximation(tree), 0.1 + 0.2 * 0.3)  # 0.16 >= 0.154


def test_train_doors_probability():
    p_detect_fails = 1 - 0.9 * 0.98  # 0.118
    assert math.isclose(top_event_probability(train_doors()), 0.05 * p_detect_fails * 0.5)


def test_certain_and_impossible_events():
    sure, never = event("sure", 1.0), event("never", 0.0)
    assert top_event_probability(and_gate("t", sure, A)) == pytest.approx(0.1)
    assert top_event_probability(or_gate("t", never, A)) == pytest.approx(0.1)
    assert top_event_probability(or_gate("t", sure, A)) == 1.0


# --- against brute force on random trees --------------------------------------------------------------

def random_tree(seed: int, n_events: int = 7):
    rng = np.random.default_rng(seed)
    events = [event(f"e{i}", float(rng.uniform(0.01, 0.6))) for i in range(n_events)]
    counter = itertools.count()

    def build(depth: int):
        if depth == 0 or rng.random() < 0.3:
            return events[int(rng.integers(n_events))]  # repeats are likely
        kids = [build(depth - 1) for _ in range(int(rng.integers(2, 4)))]
        make = and_gate if rng.random() < 0.5 else or_gate
        return make(f"g{next(counter)}", *kids)

    while True:
        tree = build(4)
        if isinstance(tree, Gate):
            return tree


def brute_force(tree):
    events = basic_events(tree)
    names = list(events)
    causing, prob = [], 0.0
    for states in itertools.product((False, True), repeat=len(names)):
        happened = {n for n, s in zip(names, states) if s}
        if top_event_occurs(tree, happened):
            causing.append(frozenset(happened))
            prob += math.prod(events[n].probability if s else 1 - events[n].probability
                              for n, s in zip(names, states))
    minimal = [s for s in causing if not any(o < s for o in causing)]
    return sorted(minimal, key=lambda s: (len(s), sorted(s))), prob


@pytest.mark.parametrize("seed", range(25))
def test_random_trees_match_brute_force(seed):
    tree = random_tree(seed)
    cut_sets, prob = brute_force(tree)
    assert minimal_cut_sets(tree) == cut_sets
    assert math.isclose(top_event_probability(tree), prob, rel_tol=1e-9, abs_tol=1e-12)
    assert rare_event_approximation(tree) >= prob - 1e-12


# --- structure, validation and output ---------------------------------------------------------------

def test_basic_events_and_gates_listed_once():
    tree = and_gate("t", or_gate("g1", A, B), or_gate("g2", A, C))
    assert list(basic_events(tree)) == ["a", "b", "c"]
    assert list(gates(tree)) == ["t", "g1", "g2"]
    assert basic_events(tree)["a"] is A


def test_top_event_occurs():
    tree = or_gate("t", A, and_gate("g", B, C))
    assert top_event_occurs(tree, ["a"]) and top_event_occurs(tree, {"b", "c"})
    assert not top_event_occurs(tree, {"b"}) and not top_event_occurs(tree, set())
    with pytest.raises(FaultTreeError, match="not basic events"):
        top_event_occurs(tree, {"zzz"})


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.3", None, True, float("nan")])
def test_bad_probability(p):
    with pytest.raises(FaultTreeError, match="between 0 and 1"):
        event("x", p)


def test_bad_gates():
    with pytest.raises(FaultTreeError, match="at least two"):
        and_gate("t", A)
    with pytest.raises(FaultTreeError, match="inputs must be events or gates"):
        or_gate("t", A, "b")
    with pytest.raises(FaultTreeError, match="kind"):
        Gate("t", "xor", (A, B))
    with pytest.raises(FaultTreeError, match="non-empty string name"):
        event("", 0.1)


def test_one_name_for_two_things_is_refused():
    with pytest.raises(FaultTreeError, match="used for two different parts") as info:
        or_gate("t", event("a", 0.1), event("a", 0.2))
    assert info.value.name == "a"
    with pytest.raises(FaultTreeError, match="used for two different parts"):
        or_gate("t", A, and_gate("a", B, C))
    # an equal event built twice is the same event
    assert minimal_cut_sets(or_gate("t", event("a", 0.1), and_gate("g", event("a", 0.1), B))) == sets("a")


def test_errors_are_in_the_hierarchy():
    assert issubclass(FaultTreeError, InputError) and issubclass(FaultTreeError, MlipHelpersError)
    assert issubclass(FaultTreeError, ValueError)


def test_children_as_a_list():
    assert or_gate("t", [A, B]) == or_gate("t", A, B)


def test_events_are_immutable():
    with pytest.raises(AttributeError):
        A.probability = 0.9  # type: ignore[misc]
    assert isinstance(A, Event)


def test_describe_shows_every_node():
    text = describe(train_doors())
    lines = text.splitlines()
    assert lines[0] == "person_trapped [AND]"
    assert len(lines) == 7
    assert "vision_misses_person (p=0.1, model mistake)" in text
    assert "not_detected [OR]" in text


def test_cut_set_table():
    tree = or_gate("t", event("m", 0.3, model_mistake=True), and_gate("g", A, B))
    table = cut_set_table(tree)
    assert list(table.columns) == ["events", "size", "probability", "model_mistake"]
    assert table["events"].tolist() == ["m", "a + b"]
    assert table["size"].tolist() == [1, 2]
    assert table["probability"].tolist() == pytest.approx([0.3, 0.02])
    assert table["model_mistake"].tolist() == [True, False]


def test_plot_draws_every_node():
    tree = train_doors()
    ax = plot(tree)
    names = sorted(t.get_text().split("\n")[0] for t in ax.texts)
    assert names == sorted(list(basic_events(tree)) + list(gates(tree)))
    plt.close("all")
    _, ax = plt.subplots()
    assert plot(tree, ax=ax) is ax
    plt.close("all")


def test_docstring_examples():
    failures, tried = doctest.testmod(faulttree, optionflags=doctest.ELLIPSIS)
    assert tried > 10 and failures == 0


def test_every_public_function_points_to_its_lecture():
    for name in faulttree.__all__:
        obj = getattr(faulttree, name)
        if callable(obj) and name != "FaultTreeError":
            assert "notebooks/03-planning-for-mistakes.ipynb" in (obj.__doc__ or ""), name
