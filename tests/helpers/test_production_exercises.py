"""Exercises of notebooks 11 to 14: right answers pass, known mistakes get their explanation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers import production_exercises as ex
from mlip_helpers.debt import dead_code


def test_pooled_mean_explains_the_mean_of_means():
    chunks = [pd.DataFrame({"k": ["a"] * 3 + ["b"], "v": [1.0, 1.0, 1.0, 7.0]}), pd.DataFrame({"k": ["a"], "v": [5.0]})]
    exercise = ex.pooled_mean(chunks, "k", "v", "a")
    assert exercise.check(2.0).passed
    assert "mean of the chunks' means" in exercise.check(3.0).reason
    assert not exercise.check(4.0).passed and "Hint" in exercise.check(4.0).reason


def test_combinable_statistic_accepts_only_the_median():
    exercise = ex.combinable_statistic()
    assert exercise.check(" Median ").passed
    for wrong in ("mean", "maximum", "count"):
        result = exercise.check(wrong)
        assert not result.passed and "Hint" not in result.reason


@pytest.mark.parametrize("target, every, expected", [(23_456, 5_000, 3_456), (10_000, 5_000, 0), (7, 10, 7)])
def test_events_replayed(target, every, expected):
    exercise = ex.events_replayed(target, every)
    assert exercise.check(expected).passed
    if expected not in (target, every - target % every):
        assert "very beginning" in exercise.check(target).reason
        assert "forward" in exercise.check(every - target % every).reason


def test_error_budget_count_explains_the_usual_mistakes():
    exercise = ex.error_budget_count(200_000, 0.999)
    assert exercise.check(200).passed and exercise.check(200.4).passed
    assert "must succeed" in exercise.check(199_800).reason
    assert "multiply" in exercise.check(0.001).reason and "multiply" in exercise.check(0.1).reason
    assert "too high" in exercise.check(400).reason


def test_paging_rule_quotes_the_false_alerts():
    exercise = ex.paging_rule({"A": 24, "B": 4, "C": 0})
    assert exercise.check("c").passed
    assert "24 times" in exercise.check("A").reason and "4 times" in exercise.check("B").reason


def test_incident_budget_share():
    ok = np.r_[np.ones(90, bool), np.zeros(10, bool)]
    exercise = ex.incident_budget_share(ok, allowed=20.0, failed_in_period=25)
    assert exercise.check(0.5).passed
    assert "share of requests that failed" in exercise.check(0.1).reason
    assert "share of all failures" in exercise.check(0.4).reason


def test_same_checksum_and_model_version():
    exercise = ex.same_checksum()
    assert exercise.check(exercise.options[1]).passed and "header" in exercise.check(exercise.options[0]).reason
    assert ex.model_version(1, 3).check(1).passed
    assert "serving today" in ex.model_version(1, 3).check(3).reason


def test_seed_disagreement():
    decisions = np.array([[1, 0, 1, 0, 0], [1, 1, 1, 0, 0], [1, 0, 0, 0, 1]], bool)
    exercise = ex.seed_disagreement(decisions)
    assert exercise.check(0.6).passed
    assert "first two" in exercise.check(0.2).reason
    assert "at least one" in exercise.check(0.8).reason


def test_not_idempotent_cell_is_found_by_running_the_cells():
    cells = ["import math", "values = [1.0, 4.0]", "values = [math.sqrt(v) for v in values]", "total = sum(values)"]
    exercise = ex.not_idempotent_cell(cells, {}, "total")
    assert exercise.check(2).passed
    assert "Running cell 3 twice" in exercise.check(3).reason and "Running cell 1 twice" in exercise.check(1).reason


def test_dead_functions_counts_transitively_dead_ones():
    code = "FLAG = False\ndef a(): pass\ndef b(): pass\ndef c(): b()\ndef d(): pass\na()\nif FLAG:\n    c()\n"
    exercise = ex.dead_functions(dead_code({"m.py": code}), 4)
    assert exercise.check(3).passed  # b and c only behind the flag, d never used
    assert "never mentioned" in exercise.check(1).reason
    assert "every function defined" in exercise.check(4).reason


def test_debt_quadrant():
    exercise = ex.debt_quadrant()
    assert exercise.check("Deliberate, prudent").passed
    assert "knowingly" in exercise.check("inadvertent, prudent").reason
