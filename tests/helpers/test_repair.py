"""Data repair by rule, scored against planted errors, and its effect on a model."""

from __future__ import annotations

import pandas as pd
import pytest

from mlip_helpers.dataquality import inject_errors, load_weather
from mlip_helpers.errors import InputError
from mlip_helpers.repair import model_on_each_version, relative_humidity, repair_weather, score_repairs


@pytest.fixture(scope="module")
def weather():
    return load_weather()


@pytest.fixture(scope="module")
def heavy(weather):
    bad = inject_errors(weather, n_per_kind=60, seed=4)
    return bad, repair_weather(bad.frame)


def test_humidity_formula_matches_the_recorded_humidity(weather):
    sample = weather.dropna(subset=["temp", "dewp", "humid"]).sample(500, random_state=0)
    computed = relative_humidity(sample["temp"], sample["dewp"])
    assert abs(computed - sample["humid"]).median() < 1.0


def test_repairs_restore_the_planted_errors(heavy):
    bad, repaired = heavy
    scores = score_repairs(bad, repaired)
    for kind in ("duplicate", "out of range", "celsius", "typo"):
        assert scores.loc[kind, "restored"] >= 0.95 * scores.loc[kind, "planted"], kind
    assert scores.loc["missing", "found"] >= 0.9 * scores.loc["missing", "planted"]
    assert scores.loc["(nothing planted)", "found"] <= 10


def test_repair_of_clean_data_changes_only_the_real_problems(weather):
    repaired = repair_weather(weather)
    assert set(repaired.log["repair"]) <= {"drop duplicate", "temperature from neighbouring hours",
                                           "celsius to fahrenheit"}
    assert (repaired.log["repair"] == "drop duplicate").sum() == 3  # the clock change repeats three hours


def test_mistyped_airport_is_the_one_missing_that_hour():
    rows = pd.DataFrame({"origin": ["EWR", "JKF", "LGA"], "month": 1, "day": 1, "hour": 5, "temp": 30.0,
                         "dewp": 20.0, "humid": 66.0, "pressure": 1010.0})
    repaired = repair_weather(rows)
    assert repaired.frame["origin"].tolist() == ["EWR", "JFK", "LGA"]
    assert repaired.log["repair"].tolist() == ["airport from the missing hour"]


def test_model_on_repaired_data_is_as_good_as_on_clean_data(weather):
    bad = inject_errors(weather, n_per_kind=300, seed=1)
    table = model_on_each_version({"corrupted": bad.frame, "repaired": repair_weather(bad.frame).frame,
                                   "clean": weather}, weather, seed=1)
    mae = table["test MAE"]
    assert mae["repaired"] < mae["corrupted"] and mae["repaired"] == pytest.approx(mae["clean"], rel=0.02)


def test_repair_and_model_reject_bad_input(weather):
    with pytest.raises(InputError, match="lacks columns"):
        repair_weather(weather.drop(columns="humid"))
    with pytest.raises(InputError, match="test_share"):
        model_on_each_version({"clean": weather}, weather, test_share=1.0)
