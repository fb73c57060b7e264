"""Pipeline review: test doubles, the smell check with pyflakes, the ML Test Score from evidence."""

from __future__ import annotations

import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.pipeline_review import (
    ML_TEST_RUBRIC,
    Evidence,
    FakeWeatherAPI,
    SlowWeatherAPI,
    ml_test_score,
    repeat_test,
    review_source,
)


def test_slow_api_fails_at_its_planted_rate():
    api = SlowWeatherAPI(latency_s=0.0, failure_rate=0.3, seed=5)
    failures = 0
    for i in range(2000):
        try:
            api.weather_on(f"2020-01-{i % 28 + 1:02d}")
        except ConnectionError:
            failures += 1
    assert failures / 2000 == pytest.approx(0.3, abs=0.03) and api.calls == 2000


def test_fake_records_calls_and_refuses_unplanned_dates():
    fake = FakeWeatherAPI({"2020-01-01": "rain"})
    assert fake.weather_on("2020-01-01") == "rain"
    with pytest.raises(KeyError):
        fake.weather_on("2021-01-01")
    assert fake.asked == ["2020-01-01", "2021-01-01"]


def test_repeat_test_counts_failures():
    calls = iter(range(10))

    def flaky():
        assert next(calls) % 2 == 0

    outcome = repeat_test(flaky, times=10)
    assert (outcome["passed"], outcome["failed"]) == (5, 5)
    with pytest.raises(InputError):
        repeat_test(flaky, times=0)


SMELLY = '''
import pandas as pd
import numpy as np


def clean(df):
    try:
        df = df.dropna()
    except KeyError:
        pass
    df["count"] = pd.to_numeric(df["count"], errors="coerce")
    df.loc[df.a > 1, "b"].loc[df.a > 2] = 0
    return pd.get_dummies(df, columns=["weather"])


def fixed(df):
    weather = pd.Categorical(df["weather"], categories=["sun", "rain"])
    return pd.get_dummies(df.dropna(subset=["count"]).assign(weather=weather), columns=["weather"]), undefined
'''


def test_smell_check_finds_each_smell_in_its_function_and_not_in_the_fixed_one():
    review = review_source(SMELLY)
    smells = review[review["tool"] == "smell check"]
    assert set(smells["function"]) == {"clean"}
    assert set(smells["finding"]) == {"dropna without subset", "error swallowed", "errors='coerce'",
                                      "chained indexing assignment", "get_dummies on raw values"}
    flakes = review.loc[review["tool"] == "pyflakes", "finding"].tolist()
    assert "'numpy as np' imported but unused" in flakes and "undefined name 'undefined'" in flakes


def test_review_rejects_code_that_does_not_parse():
    with pytest.raises(InputError, match="does not parse"):
        review_source("def broken(:\n")


def test_ml_test_score_is_the_minimum_section_and_counts_manual_work_as_half():
    every_item = [f"{section}-{i}" for section in ML_TEST_RUBRIC for i in range(1, 8)]
    full = ml_test_score([Evidence("all", tuple(every_item), passed=True)])
    assert full.score == 7 and full.verdict.startswith("exceptional")
    manual = ml_test_score([Evidence("by hand", tuple(every_item), passed=True, automated=False)])
    assert manual.score == 3.5
    partial = ml_test_score([Evidence("all but monitoring", tuple(i for i in every_item if "monitoring" not in i),
                                      passed=True)])
    assert partial.score == 0 and partial.verdict.startswith("more of a research project")


def test_failing_tests_earn_nothing_and_unknown_items_are_refused():
    result = ml_test_score([Evidence("broken", ("data-1",), passed=False)])
    assert result.items.loc["data-1", "points"] == 0
    with pytest.raises(InputError, match="unknown rubric item 'data-8'"):
        ml_test_score([Evidence("typo", ("data-8",), passed=True)])
