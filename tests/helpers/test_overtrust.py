"""A person deciding with a model's advice: the simulation recovers the closed form, and explanations that lower
the question rate let more of the model's mistakes through."""

from __future__ import annotations

import numpy as np
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.overtrust import expected_team_accuracy, simulate_team


@pytest.mark.parametrize("a, h, q", [(0.7, 0.6, 0.5), (0.9, 0.5, 0.0), (0.6, 0.8, 1.0)])
def test_simulation_recovers_the_expected_team_accuracy(a, h, q):
    n = 40_000
    correct = np.arange(n) < int(a * n)
    table = simulate_team(correct, {"design": q}, human_accuracy=h, seed=3)
    expected = expected_team_accuracy(a, h, q)
    assert table.loc["design", "team accuracy"] == pytest.approx(expected["overall"], abs=0.01)
    assert table.loc["design", "on model mistakes"] == pytest.approx(expected["on model mistakes"], abs=0.015)
    assert table.loc["design", "expected on mistakes"] == pytest.approx(h * q)


def test_never_questioning_means_the_team_is_the_model():
    correct = np.random.default_rng(0).random(500) < 0.7
    table = simulate_team(correct, {"blind trust": 0.0}, human_accuracy=0.9)
    assert table.loc["blind trust", "followed the model"] == 1.0
    assert table.loc["blind trust", "team accuracy"] == pytest.approx(correct.mean())
    assert table.loc["blind trust", "on model mistakes"] == 0.0


def test_more_questioning_catches_more_mistakes_on_the_same_cases():
    correct = np.random.default_rng(1).random(2000) < 0.65
    table = simulate_team(correct, {"numbers": 0.2, "none": 0.6}, human_accuracy=0.65, seed=2)
    assert table.loc["none", "on model mistakes"] > table.loc["numbers", "on model mistakes"] + 0.15
    assert table.loc["numbers", "followed the model"] > table.loc["none", "followed the model"]


def test_when_person_and_model_are_equally_accurate_overall_accuracy_ignores_the_question_rate():
    low, high = expected_team_accuracy(0.65, 0.65, 0.1), expected_team_accuracy(0.65, 0.65, 0.9)
    assert low["overall"] == pytest.approx(high["overall"])
    assert low["on model mistakes"] < high["on model mistakes"]


@pytest.mark.parametrize("kwargs, argument", [
    ({"model_correct": [], "designs": {"a": 0.5}, "human_accuracy": 0.5}, "model_correct"),
    ({"model_correct": [True], "designs": {}, "human_accuracy": 0.5}, "designs"),
    ({"model_correct": [True], "designs": {"a": 1.5}, "human_accuracy": 0.5}, "question rate of 'a'"),
    ({"model_correct": [True], "designs": {"a": 0.5}, "human_accuracy": -0.1}, "human_accuracy"),
])
def test_wrong_calls_raise_input_errors_naming_the_argument(kwargs, argument):
    correct = kwargs.pop("model_correct")
    with pytest.raises(InputError) as raised:
        simulate_team(correct, **kwargs)
    assert raised.value.argument == argument
