"""Schema validation finds exactly what was planted; PSI and KS agree with hand computation and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.linear_model import LinearRegression

from mlip_helpers.dataquality import (
    WEATHER_SCHEMA,
    Column,
    Schema,
    drift_table,
    inject_errors,
    load_weather,
    make_drift_stream,
    psi,
    validate,
)
from mlip_helpers.errors import InputError

SCHEMA = Schema(
    (Column("id", "integer", min=1), Column("size", "number", nullable=True, max=10),
     Column("colour", "text", allowed=("red", "blue"))),
    key=("id",), rules=(("size below id", lambda f: ~(f["size"] >= f["id"])),))


@pytest.fixture(scope="module")
def weather():
    return load_weather()


def test_validate_reports_each_violation_once_with_its_check():
    frame = pd.DataFrame({"id": [1, 2, 2, 0, 4.5], "size": [0.5, None, 1.0, "big", 99],
                          "colour": ["red", "blue", "green", None, "red"]})
    found = validate(frame, SCHEMA).violations
    got = set(zip(found["row"], found["column"], found["check"]))
    assert got == {(3, "id", ">= 1"), (4, "id", "type"), (3, "size", "type"), (4, "size", "<= 10"),
                   (2, "colour", "allowed values"), (3, "colour", "missing"), (2, "id", "unique key"),
                   (4, "(row)", "size below id")}


def test_clean_frame_passes_and_missing_column_is_reported():
    clean = pd.DataFrame({"id": [1, 2], "size": [0.5, None], "colour": ["red", "blue"]})
    assert validate(clean, SCHEMA).ok
    report = validate(clean.drop(columns="colour"), SCHEMA)
    assert report.violations[["column", "check"]].values.tolist() == [["colour", "column missing"]]


def test_real_weather_has_the_known_real_problems(weather):
    report = validate(weather, WEATHER_SCHEMA)
    counts = report.counts().to_dict()
    assert counts[("wind_speed", "<= 150")] == 1 and counts[("temp", "missing")] == 1
    assert counts[("origin+month+day+hour", "unique key")] == 3
    duplicated = weather.loc[report.violations.query("check == 'unique key'")["row"]]
    assert set(zip(duplicated["month"], duplicated["day"])) == {(11, 3)}  # the end of daylight saving time


def test_injected_errors_are_at_the_recorded_places(weather):
    bad = inject_errors(weather, n_per_kind=4, seed=5)
    truth = bad.truth
    assert truth["kind"].value_counts().to_dict() == dict.fromkeys(
        ["missing", "out of range", "typo", "text in number", "duplicate", "celsius"], 4)
    assert len(bad.frame) == len(weather) + 4
    for row in truth.itertuples():
        value = bad.frame.loc[row.row, row.column] if row.kind != "duplicate" else None
        if row.kind == "missing":
            assert pd.isna(value)
        elif row.kind == "celsius":
            assert value == pytest.approx((row.original - 32) * 5 / 9, abs=0.01)
        elif row.kind != "duplicate":
            assert value == row.injected
    assert weather["temp"].notna().sum() == len(weather) - 1  # the original is untouched


def test_validation_flags_every_injected_error_but_celsius_only_by_the_rule(weather):
    bad = inject_errors(weather, n_per_kind=6, seed=2)
    violations = validate(bad.frame, WEATHER_SCHEMA).violations
    flagged = set(violations["row"])
    assert set(bad.truth["row"]) <= flagged
    by_column = set(violations.loc[violations["column"] != "(row)", "row"])
    celsius = set(bad.truth.query("kind == 'celsius'")["row"])
    assert not celsius & by_column


def test_inject_errors_needs_enough_rows(weather):
    with pytest.raises(InputError):
        inject_errors(weather.head(10), n_per_kind=2)


def test_psi_is_zero_for_identical_samples_and_matches_a_hand_computation():
    values = np.arange(100.0)
    assert psi(values, values) == pytest.approx(0, abs=1e-12)
    # two bins split at the median 49.5: reference 50/50, current 80/20
    current = np.r_[np.zeros(80), np.full(20, 99.0)]
    expected = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi(values, current, bins=2, eps=0) == pytest.approx(expected)


def test_psi_of_categories_and_of_a_large_shift():
    ref = pd.Series(["a"] * 50 + ["b"] * 50)
    cur = pd.Series(["a"] * 90 + ["b"] * 10)
    assert psi(ref, cur, eps=0) == pytest.approx(0.4 * np.log(0.9 / 0.5) - 0.4 * np.log(0.1 / 0.5))
    rng = np.random.default_rng(0)
    assert psi(rng.normal(size=2000), rng.normal(2, 1, 2000)) > 1
    with pytest.raises(InputError):
        psi([], [1.0])


def test_drift_table_uses_scipy_ks():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(size=300), "y": rng.normal(size=300)})
    cur = pd.DataFrame({"x": rng.normal(size=300), "y": rng.normal(1, 1, size=300)})
    table = drift_table(ref, cur)
    assert table.loc["y", "ks_p_value"] == pytest.approx(ks_2samp(ref["y"], cur["y"]).pvalue)
    assert table["drift"].to_dict() == {"x": False, "y": True}


def test_drift_stream_plants_three_changes_at_known_days():
    stream = make_drift_stream(rows_per_day=80, seed=3)
    f = stream.frame
    before, after = f[f["day"] < stream.data_drift_day], f[f["day"].between(stream.data_drift_day, stream.upstream_day - 1)]
    assert after["temperature"].mean() - before["temperature"].mean() == pytest.approx(8, abs=0.5)
    assert f.loc[f["day"] < stream.upstream_day, "price"].max() <= 6
    assert f.loc[f["day"] >= stream.upstream_day, "price"].min() >= 200
    for first, last, lift in [(stream.data_drift_day, stream.concept_drift_day, 15),
                              (stream.concept_drift_day, stream.upstream_day, 35)]:
        part = f[f["day"].between(first, last - 1)]
        fit = LinearRegression().fit(part[["temperature", "price", "promotion"]].assign(t2=part["temperature"] ** 2),
                                     part["units_sold"])
        assert fit.coef_[2] == pytest.approx(lift, abs=1.5)
    with pytest.raises(InputError):
        make_drift_stream(data_drift_day=80, concept_drift_day=70)
