"""Delivery data plants what the notebook's tests look for; the test runners report what really happened."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.pipelines import WEATHER_EFFECT, WEEKDAY_EFFECT, make_delivery_data, run_pytest, run_tests


def test_delivery_data_is_seeded_and_formatted_as_an_export():
    data = make_delivery_data(n_days=400, seed=3)
    pd.testing.assert_frame_equal(data.frame, make_delivery_data(n_days=400, seed=3).frame)
    counts = data.frame["delivery_count"]
    assert counts.map(type).eq(str).all()
    assert counts.str.contains(",").tolist() == list(data.count >= 1000)
    assert (counts.str.replace(",", "").astype(int) == data.count).all()
    assert data.frame["notes"].notna().mean() == pytest.approx(0.2, abs=0.05)
    assert data.frame["datetime"].iloc[-1] == "2020-02-04"


def test_expected_count_is_the_sum_of_the_planted_effects():
    data = make_delivery_data(n_days=60, seed=1)
    dates = pd.to_datetime(data.frame["datetime"])
    expected = (760 + dates.dt.day_name().map(WEEKDAY_EFFECT) + data.frame["weather"].map(WEATHER_EFFECT)
                + np.where(dates.dt.month == 12, 250, 0))
    np.testing.assert_array_equal(data.expected_count, expected.to_numpy(dtype=float))
    assert np.abs(data.count - data.expected_count).mean() == pytest.approx(40 * np.sqrt(2 / np.pi), rel=0.25)
    with pytest.raises(InputError):
        make_delivery_data(n_days=0)


def test_run_tests_counts_and_explains_failures():
    def test_pass():
        assert True

    def test_assert():
        assert 1 == 2, "one is not two"

    def test_error():
        {}["missing"]

    run = run_tests([test_pass, test_assert, test_error])
    assert (run.n_passed, run.n_failed) == (1, 2)
    assert run.outcomes[1].message.startswith("AssertionError: one is not two")
    assert "at: assert 1 == 2" in run.outcomes[1].message
    assert run.outcomes[2].message.startswith("KeyError")
    assert run.frame()["passed"].tolist() == [True, False, False]
    assert str(run).endswith("-- 1 of 3 tests pass")


def test_run_pytest_reports_the_exit_code_a_ci_job_would_check():
    ok = run_pytest({"test_a.py": "def test_a():\n    assert 1\n"})
    assert ok.returncode == 0 and "1 passed" in ok.output
    failing = run_pytest({"lib.py": "def add(a, b):\n    return a - b\n",
                          "test_lib.py": "from lib import add\n\ndef test_add():\n    assert add(2, 2) == 4\n"})
    assert failing.returncode == 1 and "1 failed" in failing.output and "\x1b[" not in failing.output
