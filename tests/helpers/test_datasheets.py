"""Datasheets computed from a table and checked against later deliveries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.dataquality import WEATHER_SCHEMA, inject_errors, load_weather
from mlip_helpers.datasheets import check_datasheet, make_datasheet
from mlip_helpers.errors import InputError


@pytest.fixture(scope="module")
def weather():
    return load_weather()


def _frame():
    return pd.DataFrame({"site": ["a", "a", "b", "b", "b"], "temp": [50.0, np.nan, 61.0, 58.5, np.nan],
                         "count": [1, 2, 3, 4, 5]})


def test_sheet_computes_columns_and_skews_from_the_data():
    sheet = make_datasheet(_frame(), provenance={"source": "test"}, skew_by=("site",))
    assert sheet.columns.loc["temp", "missing share"] == pytest.approx(0.4)
    assert sheet.columns.loc["count", "kind"] == "integer" and sheet.columns.loc["site", "values"] == ("a", "b")
    assert set(sheet.skews["group"]) == {"a", "b"}
    assert "**source**: test" in sheet.to_markdown()


def test_sheet_of_the_real_weather_finds_its_known_facts(weather):
    sheet = make_datasheet(weather, provenance={}, key=WEATHER_SCHEMA.key, skew_by=("month",))
    assert sheet.duplicate_keys == 6  # three airport-hours repeat when the clocks go back
    assert sheet.columns.loc["wind_speed", "max"] > 1000
    assert sheet.skews.iloc[0]["column"] == "pressure"


def test_check_passes_on_the_same_data_and_finds_each_planted_kind(weather):
    sheet = make_datasheet(weather, provenance={}, key=WEATHER_SCHEMA.key)
    assert check_datasheet(sheet, weather).empty
    found = check_datasheet(sheet, inject_errors(weather, n_per_kind=5, seed=0).frame)
    statements = " | ".join(found["statement"])
    for part in ("origin: values", "humid: numbers", "pressure: number", "unique key"):
        assert part in statements


def test_check_reports_new_missingness_and_a_lost_column():
    sheet = make_datasheet(_frame(), provenance={})
    later = _frame().assign(count=[1, None, None, None, 5]).drop(columns="site")
    found = check_datasheet(sheet, later)
    assert set(found["check"]) == {"column present", "missingness"}


def test_sheet_rejects_empty_frames_and_unknown_keys():
    with pytest.raises(InputError, match="empty"):
        make_datasheet(pd.DataFrame(), provenance={})
    with pytest.raises(InputError, match="not in the frame"):
        make_datasheet(_frame(), provenance={}, key=("station",))
