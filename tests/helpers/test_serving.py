"""Serving helpers: one encoder for training and serving, the schema, the service, latency arithmetic."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator
from sklearn.linear_model import LogisticRegression

from mlip_helpers.errors import InputError
from mlip_helpers.serving import (
    AR_COMPUTE_MS,
    AR_LINKS,
    REQUEST_SCHEMA,
    RESPONSE_SCHEMA,
    FeatureEncoder,
    InferenceService,
    Link,
    ar_translation_latency,
    load_flights,
    schema_table,
    validate_request,
)

GOOD = {"carrier": "UA", "origin": "EWR", "sched_dep_time": 1745, "distance": 1400.0, "month": 7}


@pytest.fixture(scope="module")
def flights():
    return load_flights(n_samples=3000, seed=3)


@pytest.fixture(scope="module")
def fitted(flights):
    encoder = FeatureEncoder.fit(flights)
    model = LogisticRegression(max_iter=1000).fit(encoder.transform(flights), flights["late"])
    return encoder, model


def test_load_flights_has_no_cancelled_flights_and_is_seeded(flights):
    assert flights.notna().all().all() and len(flights) == 3000
    assert flights["late"].dtype == bool and 0.1 < flights["late"].mean() < 0.4
    pd.testing.assert_frame_equal(flights, load_flights(n_samples=3000, seed=3))


def test_encoder_learns_sorted_categories_and_log_scaling(flights):
    encoder = FeatureEncoder.fit(flights)
    assert encoder.carriers == tuple(sorted(flights["carrier"].unique()))
    assert encoder.origins == ("EWR", "JFK", "LGA")
    assert encoder.log_distance_mean == pytest.approx(np.log(flights["distance"]).mean())
    X = encoder.transform(flights)
    assert X.shape == (len(flights), len(encoder.feature_names))
    assert X[:, 1].mean() == pytest.approx(0, abs=1e-9) and X[:, 1].std() == pytest.approx(1)
    assert (X[:, 0] == flights["sched_dep_time"] // 100).all()


def test_encoding_one_request_equals_encoding_the_training_frame(flights):
    encoder = FeatureEncoder.fit(flights)
    rows = flights.drop(columns="late").head(50)
    one_by_one = np.vstack([encoder.transform(r) for r in rows.to_dict("records")])
    np.testing.assert_array_equal(one_by_one, encoder.transform(rows))
    np.testing.assert_array_equal(encoder.transform(rows.to_dict("records")), encoder.transform(rows))


def test_unknown_carrier_encodes_as_all_zeros(flights):
    encoder = FeatureEncoder.fit(flights)
    x = encoder.transform({**GOOD, "carrier": "ZZ"})[0]
    carrier_columns = [i for i, n in enumerate(encoder.feature_names) if n.startswith("carrier=")]
    assert x[carrier_columns].sum() == 0


@pytest.mark.parametrize("change, field", [
    ({"origin": "BOS"}, "origin"), ({"sched_dep_time": "17:45"}, "sched_dep_time"),
    ({"month": 13}, "month"), ({"distance": 0}, "distance"), ({"carrier": "united"}, "carrier")])
def test_validate_request_names_the_offending_field(change, field):
    problems = validate_request({**GOOD, **change})
    assert len(problems) == 1 and problems[0].startswith(field + ":")


def test_validate_request_accepts_good_and_rejects_missing_or_extra_fields():
    assert validate_request(GOOD) == ()
    assert "required" in validate_request({k: v for k, v in GOOD.items() if k != "month"})[0]
    assert "Additional properties" in validate_request({**GOOD, "seat": "12A"})[0]


def test_schema_table_lists_every_field_with_its_constraints():
    table = schema_table(REQUEST_SCHEMA)
    assert list(table.index) == list(REQUEST_SCHEMA["properties"])
    assert table["required"].all()
    assert table.loc["month", "constraints"] == "minimum=1, maximum=12"


def test_service_answers_with_the_model_and_a_schema_conforming_body(fitted):
    encoder, model = fitted
    service = InferenceService(model, encoder, version="v9", threshold=0.3)
    response = service.handle(json.dumps(GOOD))
    assert response.status == 200
    body = response.json()
    assert list(Draft202012Validator(RESPONSE_SCHEMA).iter_errors(body)) == []
    expected = model.predict_proba(encoder.transform(GOOD))[0, 1]
    assert body["late_probability"] == pytest.approx(expected, abs=1e-4)
    assert body["late"] == (expected >= 0.3) and body["model_version"] == "v9"


def test_service_returns_400_instead_of_raising(fitted):
    service = InferenceService(fitted[1], fitted[0])
    assert service.handle("{not json").status == 400
    bad = service.handle(json.dumps({**GOOD, "origin": "BOS"}))
    assert bad.status == 400 and "origin" in bad.json()["errors"][0]
    with pytest.raises(InputError):
        service.predict({**GOOD, "origin": "BOS"})


def test_link_transfer_time_is_latency_plus_size_over_bandwidth():
    link = Link("test", 40.0, 3.0)
    assert link.transfer_ms(100_000) == pytest.approx(40 + 800_000 / 3e6 * 1000)
    assert link.transfer_ms(0) == 40.0


def test_all_on_glasses_costs_only_compute():
    estimate = ar_translation_latency("glasses", "glasses")
    assert estimate.by_kind() == {"compute": 1100.0, "transfer": 0.0}
    assert estimate.total_ms == AR_COMPUTE_MS["ocr"]["glasses"] + AR_COMPUTE_MS["translate"]["glasses"]


def test_cloud_placement_crosses_both_links_each_way():
    bt, mobile = AR_LINKS["glasses-phone"], AR_LINKS["phone-cloud"]
    estimate = ar_translation_latency("phone", "cloud", frame_bytes=50_000, text_bytes=100)
    steps = {name: ms for name, _, ms in estimate.steps}
    assert steps["frame glasses->phone"] == pytest.approx(bt.transfer_ms(50_000))
    assert steps["text phone->cloud"] == pytest.approx(mobile.transfer_ms(100))
    assert steps["translation cloud->glasses"] == pytest.approx(mobile.transfer_ms(100) + bt.transfer_ms(100))
    assert estimate.total_ms == pytest.approx(sum(steps.values()))
    assert [kind for _, kind, _ in estimate.steps] == ["transfer", "compute", "transfer", "compute", "transfer"]


def test_unknown_place_is_an_input_error():
    with pytest.raises(InputError):
        ar_translation_latency("watch", "phone")
