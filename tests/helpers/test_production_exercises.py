"""Exercises of notebooks 11 to 14, declared in their lecture modules: right answers pass, known mistakes explained."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlip_helpers import debt, operations, provenance, scaling


def test_pooled_mean_is_built_and_rejects_the_mean_of_means():
    exercise = scaling.pooled_mean_exercise()
    assert exercise.kind == "code" and exercise.check(scaling.pooled_mean_solution).passed
    mean_of_means = exercise.check(lambda partials, key: np.mean([p[key][0] / p[key][1] for p in partials if key in p]))
    assert not mean_of_means.passed and "divide once" in mean_of_means.reason
    careless = exercise.check(lambda partials, key: sum(p[key][0] for p in partials) / sum(p[key][1] for p in partials))
    assert not careless.passed and "skip such partitions" in careless.reason


def test_combinable_statistic_accepts_only_the_median():
    exercise = scaling.combinable_statistic_exercise()
    assert exercise.check(" Median ").passed
    for wrong in ("mean", "maximum", "count"):
        result = exercise.check(wrong)
        assert not result.passed and "Hint" not in result.reason


def test_events_replayed_is_an_exact_count():
    exercise = scaling.events_replayed_exercise(23_456, 5_000)
    assert exercise.kind == "count" and exercise.check(3_456).passed and not exercise.check(3_456.4).passed
    assert "very beginning" in exercise.check(23_456).reason and "forward" in exercise.check(1_544).reason


def test_error_budget_and_incident_share():
    exercise = operations.error_budget_exercise(200_000, 0.999)
    assert exercise.check(200).passed and not exercise.check(220).passed
    assert "must succeed" in exercise.check(199_800).reason and "multiply" in exercise.check(0.001).reason
    ok = np.r_[np.ones(90, bool), np.zeros(10, bool)]
    share = operations.incident_budget_exercise(ok, allowed=20.0, failed_in_period=25)
    assert share.check(0.5).passed and "share of requests that failed" in share.check(0.1).reason
    assert "share of all failures" in share.check(0.4).reason


def test_alert_rule_pages_for_incidents_not_noise():
    exercise = operations.alert_rule_exercise(n_requests=50_000)
    assert exercise.check(operations.alert_rule_solution).passed
    noisy = exercise.check(lambda minutes, target: minutes["error_rate"] > 0.05)
    assert not noisy.passed and "harmless" in noisy.reason
    silent = exercise.check(lambda minutes, target: pd.Series(False, index=minutes.index))
    assert not silent.passed and "unnoticed" in silent.reason


def test_lineage_query_and_provenance_exercises():
    exercise = provenance.training_data_exercise()
    assert exercise.check(provenance.training_data_solution).passed
    newest = exercise.check(lambda rid, audit, registry: registry.to_frame()["data"].iloc[-1])
    assert not newest.passed and "serving today" in newest.reason
    checksum = provenance.same_checksum_exercise()
    assert checksum.check(checksum.options[1]).passed and "header" in checksum.check(checksum.options[0]).reason
    decisions = np.array([[1, 0, 1, 0, 0], [1, 1, 1, 0, 0], [1, 0, 0, 0, 1]], bool)
    seeds = provenance.seed_disagreement_exercise(decisions)
    assert seeds.check(0.6).passed and "first two" in seeds.check(0.2).reason
    assert "at least one" in seeds.check(0.8).reason


def test_idempotence_check_and_debt_exercises():
    exercise = debt.is_idempotent_exercise()
    assert exercise.check(debt.is_idempotent_solution).passed
    always = exercise.check(lambda cell, namespace: True)
    assert not always.passed and "deep copy" in always.reason
    code = "FLAG = False\ndef a(): pass\ndef b(): pass\ndef c(): b()\ndef d(): pass\na()\nif FLAG:\n    c()\n"
    dead = debt.dead_functions_exercise({"m.py": code})
    assert dead.check(["d", "c", "b"]).passed and "never runs either" in dead.check(["d"]).reason  # b, c behind FLAG
    assert "not a function" in dead.check(["b", "c", "d", "FLAG"]).reason
    assert debt.dead_functions_exercise(debt.HOUSE_PRICE_CODEBASE).check({"greenness", "school_score"}).passed
    quadrant = debt.debt_quadrant_exercise()
    assert quadrant.check("Deliberate, prudent").passed and "knowingly" in quadrant.check("inadvertent, prudent").reason
