"""Model registry, audit log and reproduction of logged predictions: exact known values."""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from mlip_helpers.errors import InputError
from mlip_helpers.provenance import AuditLog, ModelRegistry, Prediction, reproduce


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X.iloc[:, :5], y


def test_registry_numbers_versions_and_verifies_bytes(cancer):
    X, y = cancer
    registry = ModelRegistry()
    model = LogisticRegression(max_iter=2000).fit(X, y)
    first = registry.register("m", model, data="d1", seed=3, note="n")
    assert (first.version, registry.register("m", model, data="d2").version,
            registry.register("other", model, data="d1").version) == (1, 2, 1)
    assert first.checksum == hashlib.sha256(pickle.dumps(model)).hexdigest()
    loaded = registry.load("m", 1)
    assert loaded is not model and (loaded.predict(X) == model.predict(X)).all()
    assert registry.to_frame()[["name", "version", "data"]].values.tolist() == [["m", 1, "d1"], ["m", 2, "d2"],
                                                                                ["other", 1, "d1"]]
    registry._blobs["m", 1] = pickle.dumps(LogisticRegression())  # tampering with storage
    with pytest.raises(InputError, match="do not match"):
        registry.load("m", 1)
    with pytest.raises(InputError, match="no model"):
        registry.get("m", 3)


def test_audit_log_records_in_order_and_survives_a_file(tmp_path):
    log = AuditLog()
    first = log.record("2026-04-01T10:00", "m", np.int64(1), {"a": np.float64(0.5), "b": np.int64(2)}, np.str_("deny"))
    log.record("2026-04-02T10:00", "m", 2, {"b": 1, "a": 0.25}, "approve")
    assert [r for r in log.to_frame()["request_id"]] == ["r00000", "r00001"] and len(log) == 2
    assert first.inputs == '{"a": 0.5, "b": 2}' and type(first.output) is str and type(first.version) is int
    with pytest.raises(FrozenInstanceError):
        first.output = "approve"
    path = log.write(tmp_path / "log.jsonl")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["output"] == "approve"
    again = AuditLog.read(path)
    assert again.to_frame().equals(log.to_frame()) and again.find("r00001") == log.find("r00001")
    with pytest.raises(InputError, match="no prediction"):
        log.find("r99999")
    assert not any(hasattr(log, name) for name in ("remove", "update", "__setitem__", "__delitem__"))


def test_reproduce_needs_the_logged_version(cancer):
    X, y = cancer
    registry, log = ModelRegistry(), AuditLog()
    strong = LogisticRegression(max_iter=2000).fit(X, y)
    registry.register("m", strong, data="d1")
    registry.register("m", LogisticRegression(max_iter=2000).fit(X, 1 - y), data="d2")  # a flipped model

    def decide(model, inputs):
        return model.predict(inputs[list(X.columns)])[0]

    rows = X.iloc[:20]
    for _, row in rows.iterrows():
        log.record("2026-04-01", "m", 1, row.to_dict(), decide(strong, row.to_frame().T))
    outcomes = [reproduce(log.find(f"r{i:05d}"), registry, decide) for i in range(20)]
    assert all(o.matches for o in outcomes)
    wrong = [reproduce(Prediction(**{**vars(log.find(f"r{i:05d}")), "version": 2}), registry, decide)
             for i in range(20)]
    assert not any(o.matches for o in wrong)
