"""Groupthink, loafing and policy simulations recover their planted effects; the record table finds the planted."""

from __future__ import annotations

import pandas as pd
import pytest

from mlip_helpers.conflicts import (
    commit_share_exercise,
    frustration_table,
    lecture_exercises,
    missed_deadlines,
    missed_deadlines_exercise,
    simulate_groupthink,
    simulate_loafing,
    simulate_policy,
    team_records,
)
from mlip_helpers.errors import InputError


def test_groupthink_without_conformity_changes_nothing_and_full_conformity_is_one_person():
    free = simulate_groupthink(n_teams=3000, conformity=0.0, seed=4)
    rates = free.groupby("process")["picked_best"].mean()
    assert rates["independent first"] == rates["open discussion"]
    swayed = simulate_groupthink(n_teams=3000, conformity=1.0, seed=4)
    swayed_rates = swayed.groupby("process")["picked_best"].mean()
    alone = simulate_groupthink(n_teams=3000, team_size=1, seed=5)["picked_best"].mean()
    assert abs(swayed_rates["open discussion"] - alone) < 0.04
    assert swayed_rates["independent first"] > swayed_rates["open discussion"] + 0.1
    assert (swayed["regret"] >= 0).all()


@pytest.mark.parametrize("bad", [{"n_options": 1}, {"conformity": 1.5}, {"n_teams": 0}, {"team_size": True}])
def test_groupthink_rejects_impossible_settings(bad):
    with pytest.raises(InputError):
        simulate_groupthink(**bad)


def test_loafing_recovers_the_planted_means():
    runs = simulate_loafing(sizes=(1, 4), n_teams=4000, loss=0.4, visible_loss=0.0, seed=2)
    means = runs.groupby(["visible", "size"])["effort"].mean()
    assert means[(False, 1)] == pytest.approx(1.0, abs=0.02)
    assert means[(False, 4)] == pytest.approx(1 - 0.4 * 0.75, abs=0.02)
    assert means[(True, 4)] == pytest.approx(1.0, abs=0.02)
    with pytest.raises(InputError):
        simulate_loafing(sizes=(0, 2))


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_records_table_finds_the_planted_members(seed):
    records = team_records(seed=seed)
    table = frustration_table(records)
    assert table["deadlines missed"].idxmax() == records.planted["late"]
    assert table["meetings attended"].idxmin() == records.planted["absent"]
    assert table["last-12h share"].idxmax() == records.planted["last_minute"]
    assert table["commit share"].sum() == pytest.approx(1.0)
    assert records.tasks["done"].isna().sum() == 1
    assert (records.tasks["done"] == records.tasks["due"]).sum() >= 1  # on the dot: on time, not missed


def test_records_need_four_members():
    with pytest.raises(InputError):
        team_records(members=("a", "b", "c"))


def test_missed_deadlines_edge_cases():
    due = pd.Timestamp("2026-01-16 17:00")
    tasks = pd.DataFrame({"member": ["a", "a", "b", "c"], "due": [due] * 4,
                          "done": [pd.NaT, due, due + pd.Timedelta(minutes=1), due - pd.Timedelta(days=1)]})
    assert missed_deadlines(tasks) == {"a": 1, "b": 1, "c": 0}
    with pytest.raises(InputError, match="columns"):
        missed_deadlines(tasks.drop(columns="done"))


def test_policy_cuts_late_work_and_no_policy_escalates_nothing():
    without = simulate_policy(n_tasks=5000, checkin_every=None, seed=3)
    with_policy = simulate_policy(n_tasks=5000, checkin_every=1.0, seed=3)
    assert not without["escalated"].any()
    assert with_policy["late"].mean() < 0.8 * without["late"].mean()
    nobody_speaks = simulate_policy(n_tasks=5000, checkin_every=1.0, p_speak_up=0.0, seed=3)
    assert nobody_speaks["late"].mean() == without["late"].mean()  # a policy nobody follows changes nothing
    with pytest.raises(InputError):
        simulate_policy(checkin_every=0)


def test_exercises_accept_the_solution_and_name_the_mistakes():
    records = team_records(seed=1)
    quiet = records.planted["absent"]
    exercise = commit_share_exercise(records.commits, quiet)
    count = int((records.commits["member"] == quiet).sum())
    assert exercise.check(count / len(records.commits)).passed
    assert "count" in exercise.check(float(count)).reason
    with pytest.raises(InputError):
        commit_share_exercise(records.commits, "nobody")
    build = missed_deadlines_exercise()
    assert build.check(missed_deadlines).passed
    ignores_never = build.check(lambda t: {m: int(n) for m, n in (t["done"] > t["due"]).groupby(t["member"]).sum()
                                           .items()})
    assert not ignores_never.passed and "NaT" in ignores_never.reason
    assert sorted(lecture_exercises(seed=2)) == ["commit share", "missed deadlines"]
