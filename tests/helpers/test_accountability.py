"""Gaming, human review and audit trails: planted truth, hand-worked cases, tamper detection."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.accountability import (
    AuditTrail,
    first_break_exercise,
    first_break_solution,
    game_linear_model,
    gamed_share_exercise,
    make_strategic_applicants,
    record_digest,
    repay_probability,
    review_tradeoff,
)
from mlip_helpers.errors import InputError


def test_applicants_carry_their_planted_truth():
    frame = make_strategic_applicants(n_samples=20_000, seed=3)
    assert np.allclose(frame["p_repay"], repay_probability(frame))
    assert abs(frame["repaid"].mean() - frame["p_repay"].mean()) < 0.01
    # app hours are diligence plus noise of sd 0.5: correlation 1 / sqrt(1.25)
    assert frame["app_hours"].corr(frame["diligence"]) == pytest.approx(1 / np.sqrt(1.25), abs=0.01)


def test_app_hours_do_not_cause_repayment():
    frame = make_strategic_applicants(n_samples=50, seed=0)
    assert np.array_equal(repay_probability(frame), repay_probability(frame.assign(app_hours=99.0)))
    assert not np.allclose(repay_probability(frame), repay_probability(frame.assign(debt=frame["debt"] - 1)))


def test_generator_is_seeded_and_checks_its_size():
    assert make_strategic_applicants(n_samples=30, seed=1).equals(make_strategic_applicants(n_samples=30, seed=1))
    with pytest.raises(InputError):
        make_strategic_applicants(n_samples=0)


def test_gaming_moves_the_cheapest_feature_exactly_to_the_threshold():
    X = pd.DataFrame({"a": [0.0, 0.0, 3.0], "b": [0.0, 0.0, 0.0]})
    # score = 2a - 1b - 2; cost per point of score: a 3/2 = 1.5, b 1/1 = 1 -> b moves (downwards)
    result = game_linear_model(X, {"a": 2.0, "b": -1.0}, -2.0, costs={"a": 3.0, "b": 1.0}, budget=2.5,
                               threshold=0.0, margin=0.0)
    assert result.feature.tolist() == ["b", "b", None]
    assert result.X_after["b"].tolist() == [-2.0, -2.0, 0.0]
    assert result.cost.tolist() == [2.0, 2.0, 0.0]
    assert result.accepted_before.tolist() == [False, False, True]
    assert result.accepted_after.tolist() == [True, True, True]
    assert result.flipped.tolist() == [True, True, False]


def test_gaming_respects_the_budget_and_leaves_accepted_applicants_alone():
    X = pd.DataFrame({"a": [-10.0, 5.0]})
    result = game_linear_model(X, {"a": 1.0}, 0.0, costs={"a": 1.0}, budget=5.0)
    assert result.X_after.equals(X)
    assert result.flipped.sum() == 0
    summary = result.summary()
    assert summary["accepted before"] == summary["accepted after"] == 0.5


def test_gaming_without_movable_features_changes_nothing_and_unknown_features_fail():
    X = pd.DataFrame({"a": [-1.0]})
    assert not game_linear_model(X, {"a": 1.0}, 0.0, costs={}, budget=10.0).accepted_after.any()
    with pytest.raises(InputError):
        game_linear_model(X, {"zzz": 1.0}, 0.0, costs={}, budget=1.0)


def test_gamed_applicants_repay_less_than_the_bar_on_planted_data():
    from sklearn.linear_model import LogisticRegression

    frame = make_strategic_applicants(n_samples=4000, seed=0)
    features = ["income", "debt", "app_hours"]
    model = LogisticRegression().fit(frame[features], frame["repaid"])
    result = game_linear_model(frame[features], dict(zip(features, model.coef_[0])), model.intercept_[0],
                               costs={"income": 10.0, "debt": 5.0, "app_hours": 0.5}, budget=1.0,
                               threshold=np.log(0.7 / 0.3))
    assert set(result.feature.dropna()) == {"app_hours"}
    after = repay_probability(result.X_after.assign(diligence=frame["diligence"]))
    assert after[result.flipped].mean() < 0.6 < 0.7


def test_review_tradeoff_by_hand():
    proba, truth = [0.9, 0.6, 0.4, 0.1], [1, 0, 1, 0]
    table = review_tradeoff(proba, truth, review_shares=[0, 0.5, 1.0], human_accuracy=1.0)
    assert table["reviews"].tolist() == [0, 2, 4]
    assert table["error_rate"].tolist() == [0.5, 0.0, 0.0]
    assert table["model_errors_left"].tolist() == [2, 0, 0]
    wrong_humans = review_tradeoff(proba, truth, review_shares=[1.0], human_accuracy=0.0)
    assert wrong_humans["error_rate"].tolist() == [1.0]
    with pytest.raises(InputError):
        review_tradeoff([0.5], [1, 0], review_shares=[0])


def _trail(n=5):
    trail = AuditTrail()
    for i in range(n):
        trail.append(f"app-{i}", "model v1", "deny" if i % 2 else "approve", {"income": np.float64(i)},
                     reason="r", timestamp=f"2024-01-0{i + 1}T00:00:00")
    return trail


def test_audit_trail_is_chained_with_sha256():
    trail = _trail()
    records = trail.records
    assert trail.verify() is None and len(trail) == 5
    assert records[0].previous_hash == "0" * 64
    assert all(b.previous_hash == a.hash for a, b in zip(records, records[1:]))
    fields = {k: v for k, v in dataclasses.asdict(records[2]).items() if k != "hash"}
    assert records[2].hash == hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    assert json.loads(records[3].inputs) == {"income": 3.0}


def test_audit_trail_finds_an_edit_and_a_forged_hash():
    records = list(_trail().records)
    edited = records[:2] + [dataclasses.replace(records[2], decision="edited")] + records[3:]
    assert AuditTrail(edited).verify() == 2
    forged = dataclasses.replace(records[2], decision="edited")
    fields = {k: v for k, v in dataclasses.asdict(forged).items() if k != "hash"}
    forged = dataclasses.replace(forged, hash=hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest())
    assert AuditTrail(records[:2] + [forged] + records[3:]).verify() == 3
    assert AuditTrail(records[:2] + records[3:]).verify() == 2  # a deleted record breaks the chain too


def test_audit_records_cannot_be_changed_in_place():
    trail = _trail(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trail.records[0].decision = "approve"
    assert isinstance(trail.records, tuple)


def test_history_and_frame():
    trail = _trail(3)
    trail.append("app-1", "reviewer: Kim", "overturned: approve", {}, timestamp="2024-02-01T00:00:00")
    assert trail.history("app-1")["decision"].tolist() == ["deny", "overturned: approve"]
    assert trail.to_frame().index.tolist() == [0, 1, 2, 3]


def test_exercises_explain_known_mistakes():
    X = pd.DataFrame({"a": [-1.0, 2.0, -1.0, -50.0]})
    result = game_linear_model(X, {"a": 1.0}, 0.0, costs={"a": 1.0}, budget=2.0)
    ex = gamed_share_exercise(result=result)
    assert ex.check(0.5).passed
    assert "after" in ex.check(0.75).reason
    assert "count" in ex.check(2).reason
    verifier = first_break_exercise()
    assert verifier.kind == "code" and verifier.check(first_break_solution).passed
    own_hash = verifier.check(
        lambda records: next((i for i, r in enumerate(records) if record_digest(r) != r.hash), None))
    assert not own_hash.passed and "recomputed hash" in own_hash.reason
    assert first_break_solution(_trail(4).records) is None
