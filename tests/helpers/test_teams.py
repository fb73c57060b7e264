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


def test_skill_profiles_recover_the_planted_continuum():
    from mlip_helpers.teams import ROLES, SKILLS, skill_profiles

    people = skill_profiles(2000, seed=3)
    assert set(people["role"]) == set(ROLES)
    means = people.groupby("role")[list(SKILLS)].mean()
    for skill in SKILLS:  # each skill is strongest in the role nearest its planted centre
        nearest = ROLES[int(round(SKILLS[skill] * (len(ROLES) - 1)))]
        assert means[skill].idxmax() == nearest
    assert people[list(SKILLS)].to_numpy().min() >= 0 and people[list(SKILLS)].to_numpy().max() <= 3
    with pytest.raises(InputError):
        skill_profiles(1)


def test_handoffs_match_their_expectations():
    from mlip_helpers.teams import simulate_handoffs

    walls = simulate_handoffs(20000, shared=False, handoffs=3, wait_days=2.0, p_defect=0.5, p_catch_handoff=0.5,
                              seed=1)
    joint = simulate_handoffs(20000, shared=True, p_defect=0.5, p_catch_shared=0.9, seed=1)
    assert walls["incident"].mean() == pytest.approx(0.25, abs=0.015)
    assert joint["incident"].mean() == pytest.approx(0.05, abs=0.01)
    # 2 days of work + 3 queues of 2 days, and another 3 queues for the caught quarter of changes
    assert walls["lead_time_days"].mean() == pytest.approx(2 + 6 + 0.25 * 6, abs=0.15)
    assert joint["lead_time_days"].max() <= 3.0
    assert not (walls["incident"] & walls["caught"]).any()
    with pytest.raises(InputError):
        simulate_handoffs(0, shared=True)


def test_organisations_trade_conflicts_for_duplicates():
    from mlip_helpers.teams import simulate_organisation

    matrix = simulate_organisation("matrix", n_weeks=4000, seed=2)
    project = simulate_organisation("project", n_weeks=4000, seed=2)
    assert matrix["conflicts"].mean() == pytest.approx(12 * 0.6 * 0.4 * 0.5, rel=0.05)
    assert project["conflicts"].sum() == 0
    assert project["duplicated"].mean() == pytest.approx(12 * 0.3 * 2 * 0.5 * 0.9, rel=0.05)
    assert matrix["duplicated"].mean() == pytest.approx(12 * 0.3 * 2 * 0.5 * 0.2, rel=0.08)
    silent = simulate_organisation("matrix", n_weeks=500, p_peers_talk={"matrix": 0.1}, seed=2)
    assert silent["duplicated"].mean() > matrix["duplicated"].mean()
    with pytest.raises(InputError, match="matrix"):
        simulate_organisation("flat", n_weeks=10)


@pytest.mark.parametrize("bad", [{"n_weeks": 0}, {"n_weeks": 10, "projects": 1}, {"n_weeks": 2.5}])
def test_organisation_rejects_impossible_settings(bad):
    from mlip_helpers.teams import simulate_organisation

    with pytest.raises(InputError):
        simulate_organisation("matrix", **bad)
