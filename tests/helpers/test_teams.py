"""Communication links against math.comb, congruence by hand, the integration simulation against its expectation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlip_helpers import teams
from mlip_helpers.errors import InputError
from mlip_helpers.teams import (
    communication_links,
    congruence,
    congruence_exercise,
    coordination_requirements,
    links_exercise,
    simulate_integration,
    team_output,
    teamed_links,
)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 12, 100, 1000])
def test_links_are_pairs(n):
    assert communication_links(n) == math.comb(n, 2)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3"])
def test_links_reject_impossible_team_sizes(bad):
    with pytest.raises((InputError, TypeError)):
        communication_links(bad)


def test_teamed_links_and_output():
    assert teamed_links([4, 4]) == 6 + 6 + 1
    assert teamed_links([20]) == 190
    sizes = np.arange(1, 200)
    for productivity, cost in [(1.0, 0.05), (2.0, 0.03)]:
        output = team_output(sizes, productivity=productivity, cost_per_link=cost)
        assert abs(sizes[np.argmax(output)] - (productivity / cost + 0.5)) <= 0.5
    assert team_output(3, cost_per_link=0.1) == pytest.approx(3 - 0.3)


def test_coordination_requirements_by_hand():
    assignment = {"a": ["x"], "b": ["y"], "c": ["z"], "d": ["x", "w"]}
    needs = coordination_requirements(assignment, [("x", "y"), ("z", "w")])
    assert needs == {frozenset("ab"), frozenset("ad"), frozenset("bd"), frozenset("cd")}


def test_congruence_by_hand():
    required = {frozenset("ab"), frozenset("bc"), frozenset("cd"), frozenset("ad")}
    assert congruence(required, [("a", "b"), ("c", "b"), ("x", "y")]) == 0.5
    assert congruence(required, required) == 1.0
    with pytest.raises(InputError):
        congruence([], [("a", "b")])


def test_simulation_matches_its_expectation():
    owner = {"m": "ana", "s": "ben", "u": "cy", "d": "ana"}
    team = {"ana": "t1", "ben": "t1", "cy": "t2"}
    deps = [("m", "s"), ("s", "u"), ("m", "d")]  # within a team, across teams, the same person
    run = simulate_integration(owner, team, deps, weeks=40_000, p_change=0.4, p_talk_within=0.7, p_talk_across=0.1,
                               seed=3)
    expected = 0.4 * (1 - 0.7) + 0.4 * (1 - 0.1) + 0.0
    assert run["problems"].mean() == pytest.approx(expected, abs=0.01)
    assert run["changes"].mean() == pytest.approx(0.4 * 3, abs=0.02)
    assert (run["problems"] <= run["changes"]).all() and run["week"].iloc[-1] == 40_000
    with pytest.raises(InputError):
        simulate_integration({"m": "ana"}, team, deps)


def test_exercises():
    links = links_exercise(n=8)
    assert links.check(28).passed and "twice" in links.check(56).reason and "one person" in links.check(7).reason
    required = {frozenset("ab"), frozenset("bc"), frozenset("cd")}
    ex = congruence_exercise(required=required, actual=[("a", "b"), ("x", "y")])
    assert ex.check(1 / 3).passed and "pairs who talk" in ex.check(0.5).reason
    pairs = teams.coordination_exercise()
    assert pairs.check(teams.coordination_requirements).passed
    assert "same component" in pairs.check(teams._dependent_only).reason
