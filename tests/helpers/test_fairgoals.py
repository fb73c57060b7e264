"""Data collection, design mitigations and organisational barriers: planted effects measured back."""

from __future__ import annotations

import pandas as pd
import pytest

from mlip_helpers import fairgoals
from mlip_helpers.errors import InputError


def test_targeted_collection_helps_the_small_group_and_random_collection_does_not():
    plans = fairgoals.collection_plans(n_a=1000, n_b=30, budget=600, seed=2)
    assert plans["n_b"].to_dict() == {"before": 30, "collect at random": 47, "collect for B": 630}
    assert plans["n_a"].to_dict() == {"before": 1000, "collect at random": 1583, "collect for B": 1000}
    assert plans.loc["collect for B", "accuracy_B"] - plans.loc["before", "accuracy_B"] > 0.05
    assert abs(plans.loc["collect at random", "accuracy_B"] - plans.loc["before", "accuracy_B"]) < 0.03
    with pytest.raises(InputError, match="budget"):
        fairgoals.collection_plans(budget=0)


def test_unnecessary_distinction_errors_follow_the_stereotype_and_vanish_when_merged():
    table = fairgoals.unnecessary_distinction(n_samples=4000, seed=3)
    fine = table.loc["doctor or nurse"]
    assert fine.loc["woman", "doctors_called_nurse"] > fine.loc["man", "doctors_called_nurse"] + 0.2
    assert fine.loc["man", "nurses_called_doctor"] > fine.loc["woman", "nurses_called_doctor"] + 0.2
    assert (table.loc["healthcare worker"] == 0).all().all()
    equal = fairgoals.unnecessary_distinction(n_samples=4000, doctor_share={"man": 0.5, "woman": 0.5}, seed=3)
    fine = equal.loc["doctor or nurse"]
    assert abs(fine.loc["woman", "doctors_called_nurse"] - fine.loc["man", "doctors_called_nurse"]) < 0.1
    with pytest.raises(InputError):
        fairgoals.unnecessary_distinction(doctor_share={"man": 0.5})


def test_suppression_removes_offensive_outputs_at_the_planted_rate_and_costs_the_true_labels():
    table = fairgoals.suppress_outputs(n_photos=100_000, seed=1)
    shown = table.loc["label shown"]
    people = 100_000 * 0.95 / 2
    assert shown["offensive: darker skin"] == pytest.approx(0.01 * people, rel=0.15)
    assert shown["offensive: lighter skin"] == pytest.approx(0.001 * people, rel=0.4)
    assert shown["animal photos labelled"] == pytest.approx(0.9 * 0.05 * 100_000, rel=0.05)
    assert (table.loc["label suppressed"] == 0).all()
    with pytest.raises(InputError):
        fairgoals.suppress_outputs(animal_share=0)


def test_human_review_cuts_errors_most_where_the_model_is_worst():
    table = fairgoals.human_review(n_segments=20_000, seed=0)
    assert table.loc["dialect", "error_before"] == pytest.approx(0.2, abs=0.02)
    assert table.loc["standard", "error_before"] == pytest.approx(0.05, abs=0.01)
    assert (table["error_after"] < table["error_before"]).all()
    assert table.loc["dialect", "reviewed"] > table.loc["standard", "reviewed"]
    none = fairgoals.human_review(n_segments=2000, review_share=0.0, seed=0)
    assert (none["error_after"] == none["error_before"]).all()
    with pytest.raises(InputError):
        fairgoals.human_review(review_share=1.5)


def test_backlog_plants_the_barriers_and_the_table_finds_them():
    tasks = fairgoals.fairness_backlog(n_tasks=5000, seed=0)
    stalls = fairgoals.where_work_stalls(tasks)
    assert stalls.loc["proactive", "done"] < stalls.loc["reactive", "done"]
    assert stalls.loc["no owner", "done"] < stalls.loc["has an owner", "done"]
    assert stalls.loc["not required", "done"] < stalls.loc["required deliverable", "done"]
    assert stalls.loc["proactive", "stalled most at"] == "raised"
    assert stalls["tasks"].loc[["proactive", "reactive"]].sum() == 5000
    with pytest.raises(InputError, match="lacks the columns"):
        fairgoals.where_work_stalls(pd.DataFrame({"trigger": ["media"]}))
    with pytest.raises(InputError):
        fairgoals.fairness_backlog(n_tasks=0)
