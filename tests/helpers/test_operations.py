"""SLOs, error budgets, burn rates and alert scoring: hand-computed values and the planted incident."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from mlip_helpers.errors import InputError
from mlip_helpers.operations import (
    AlertScore,
    burn_rate,
    episodes,
    error_budget,
    score_alerts,
    simulate_requests,
    traffic_table,
)


@pytest.fixture(scope="module")
def week():
    return simulate_requests(200_000, seed=0)


def minutes(*values, start="2026-01-01"):
    return pd.date_range(start, periods=len(values), freq="1min")


def test_simulation_is_reproducible_and_sorted(week):
    frame = week.frame
    assert len(frame) == 200_000 and frame["time"].is_monotonic_increasing
    assert frame["time"].min() >= pd.Timestamp("2026-03-02") and frame["time"].max() < pd.Timestamp("2026-03-09")
    pd.testing.assert_frame_equal(simulate_requests(5000, seed=4).frame, simulate_requests(5000, seed=4).frame)
    assert not simulate_requests(5000, seed=4).frame.equals(simulate_requests(5000, seed=5).frame)
    assert set(frame["status"]) == {200, 502, 503} and (frame["ok"] == (frame["status"] == 200)).all()


def test_bad_version_serves_only_inside_the_planted_incident(week):
    frame, (begin, end) = week.frame, week.incident
    assert end - begin == pd.Timedelta(minutes=45)
    canary = frame["model_version"] == week.bad_version
    inside = (frame["time"] >= begin) & (frame["time"] < end)
    assert canary.sum() > 0 and not (canary & ~inside).any()
    share = binomtest(int(canary.sum()), int(inside.sum()), 0.5)  # half of the traffic goes to the canary
    assert share.pvalue > 0.001
    failing = binomtest(int((~frame.loc[canary, "ok"]).sum()), int(canary.sum()), 0.25)
    assert failing.pvalue > 0.001
    assert frame.loc[canary, "latency_ms"].median() > 2.5 * frame.loc[~canary, "latency_ms"].median()


def test_everyday_errors_are_rare_and_blips_avoid_the_incident(week):
    frame = week.frame
    in_blip = np.zeros(len(frame), bool)
    assert len(week.blips) == 4
    for begin, end in week.blips:
        assert end - begin == pd.Timedelta(minutes=2) and abs(begin - week.incident[0]) > pd.Timedelta(hours=6)
        in_blip |= ((frame["time"] >= begin) & (frame["time"] < end)).to_numpy()
    calm = ~in_blip & (frame["model_version"] == week.stable_version).to_numpy()
    assert (~frame.loc[calm, "ok"]).mean() < 0.001
    assert (~frame.loc[in_blip, "ok"]).mean() > 0.1


@pytest.mark.parametrize("kwargs", [{"n_requests": 0}, {"canary_share": 0}, {"incident_day": 9}])
def test_simulation_rejects_impossible_settings(kwargs):
    with pytest.raises(InputError):
        simulate_requests(**{"n_requests": 100, **kwargs})


def test_traffic_table_counts_each_bin():
    frame = pd.DataFrame({"time": pd.to_datetime(["2026-01-01 00:00:10", "2026-01-01 00:00:50",
                                                  "2026-01-01 00:02:30"]),
                          "latency_ms": [100.0, 300.0, 50.0], "ok": [True, False, True]})
    table = traffic_table(frame)
    assert table["requests"].tolist() == [2, 0, 1] and table["failed"].tolist() == [1, 0, 0]
    assert table["error_rate"].iloc[0] == 0.5 and np.isnan(table["error_rate"].iloc[1])
    assert table["p99_ms"].iloc[0] == pytest.approx(np.quantile([100.0, 300.0], 0.99))


def test_traffic_table_totals_match_the_log(week):
    table = traffic_table(week.frame, "1h")
    assert table["requests"].sum() == len(week.frame) and table["failed"].sum() == (~week.frame["ok"]).sum()
    assert len(table) == 7 * 24


def test_error_budget_exact_values():
    budget = error_budget([True] * 9_990 + [False] * 10, 0.999)
    assert budget.allowed == pytest.approx(10) and budget.failed == 10
    assert budget.spent == pytest.approx(1.0) and budget.remaining == pytest.approx(0)
    assert budget.availability == pytest.approx(0.999)
    assert error_budget(np.ones(400, bool), 0.99).spent == 0
    for bad in (0, 1, 99.9):
        with pytest.raises(InputError, match="target"):
            error_budget([True], bad)
    with pytest.raises(InputError, match="no requests"):
        error_budget([], 0.9)


def test_burn_rate_by_hand():
    table = pd.DataFrame({"requests": [100, 100, 0, 0, 50], "failed": [0, 4, 0, 0, 1]}, index=minutes(*range(5)))
    rates = burn_rate(table, "2min", 0.98)
    assert rates.iloc[:2].tolist() == pytest.approx([0.0, 1.0])  # 4 of 200 failed = 2% = the whole allowance
    assert rates.iloc[2] == pytest.approx(2.0) and np.isnan(rates.iloc[3])
    assert rates.iloc[4] == pytest.approx(1.0)


def test_episodes_finds_runs_including_the_edges():
    firing = pd.Series([True, True, False, np.nan, True, False, True], index=minutes(*range(7)), dtype=object)
    found = episodes(firing)
    assert found["minutes"].tolist() == [2, 1, 1]
    assert found["start"].tolist() == list(firing.index[[0, 4, 6]])
    assert found["end"].tolist() == list(firing.index[[1, 4, 6]])
    assert episodes(pd.Series(False, index=minutes(1, 2))).empty


def test_score_alerts_counts_overlaps_and_delay():
    incident = (pd.Timestamp("2026-01-01 10:00"), pd.Timestamp("2026-01-01 10:30"))
    found = pd.DataFrame({"start": pd.to_datetime(["2026-01-01 09:50", "2026-01-01 10:12", "2026-01-01 11:00"]),
                          "end": pd.to_datetime(["2026-01-01 09:59", "2026-01-01 10:40", "2026-01-01 11:01"])})
    assert score_alerts(found, incident) == AlertScore(3, 1, 2, 12.0)
    early = pd.DataFrame({"start": [pd.Timestamp("2026-01-01 09:58")], "end": [pd.Timestamp("2026-01-01 10:05")]})
    assert score_alerts(early, incident).delay_minutes == 0.0
    missed = score_alerts(found.iloc[[0, 2]], incident)
    assert missed.true_alerts == 0 and np.isnan(missed.delay_minutes)


def test_burn_rate_rule_pages_for_the_incident_and_not_for_noise(week):
    table = traffic_table(week.frame)
    multiwindow = (burn_rate(table, "60min", 0.999) > 14.4) & (burn_rate(table, "5min", 0.999) > 14.4)
    careful = score_alerts(episodes(multiwindow), week.incident)
    assert (careful.true_alerts, careful.false_alerts) == (1, 0) and 0 < careful.delay_minutes <= 15
    naive = score_alerts(episodes(table["error_rate"] > 0.05), week.incident)
    assert naive.true_alerts >= 1 and naive.false_alerts >= 10
