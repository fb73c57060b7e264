"""Experiment helpers against scipy and against simulation; planted effects and bugs are found."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import chi2_contingency, chisquare

from mlip_helpers.errors import InputError
from mlip_helpers.experiments import (
    bucket,
    is_enabled,
    power,
    required_sample_size,
    run_canary,
    simulate_ab_test,
    simulate_telemetry,
    srm_check,
    two_proportion_test,
)


def test_bucket_is_the_same_in_processes_with_different_hash_seeds():
    code = "from mlip_helpers.experiments import bucket; print(bucket('user-7', 'flag'), hash('user-7'))"
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.split() for seed in ("1", "2")]
    assert outs[0][0] == outs[1][0] == str(bucket("user-7", "flag"))
    assert outs[0][1] != outs[1][1]  # the built-in hash does differ


def test_buckets_are_uniform_and_flags_independent():
    users = [f"u{i}" for i in range(20_000)]
    counts = np.bincount([bucket(u, "a", buckets=10) for u in users], minlength=10)
    assert chisquare(counts).pvalue > 0.001
    a = np.array([is_enabled(u, "a", 50) for u in users])
    b = np.array([is_enabled(u, "b", 50) for u in users])
    assert abs(a.mean() - 0.5) < 0.02 and abs((a & b).mean() - 0.25) < 0.02


def test_raising_the_percentage_only_adds_users():
    users = [f"u{i}" for i in range(5000)]
    shares = [np.array([is_enabled(u, "f", p) for u in users]) for p in (1, 10, 50, 100)]
    for smaller, larger in zip(shares, shares[1:]):
        assert not (smaller & ~larger).any()
    assert shares[-1].all() and not np.array([is_enabled(u, "f", 0) for u in users]).any()


@pytest.mark.parametrize("counts", [(100, 1000, 130, 1000), (5, 40, 1, 50), (300, 2000, 300, 2100)])
def test_two_proportion_test_matches_chi_squared(counts):
    ca, na, cb, nb = counts
    result = two_proportion_test(ca, na, cb, nb)
    table = [[ca, na - ca], [cb, nb - cb]]
    assert result.p_value == pytest.approx(chi2_contingency(table, correction=False).pvalue, rel=1e-9)
    assert result.difference == pytest.approx(cb / nb - ca / na)
    assert result.ci_low < result.difference < result.ci_high


def test_two_proportion_test_rejects_impossible_counts():
    with pytest.raises(InputError):
        two_proportion_test(11, 10, 1, 10)
    with pytest.raises(InputError):
        two_proportion_test(0, 0, 1, 10)


def test_required_sample_size_known_value_and_consistent_with_power():
    assert required_sample_size(0.10, 0.02) == 3841
    n = required_sample_size(0.10, 0.015, power=0.9)
    assert power(0.10, 0.015, n) >= 0.9 > power(0.10, 0.015, n - 5)
    with pytest.raises(InputError):
        required_sample_size(0.10, 0.0)


def test_power_agrees_with_simulation():
    rng = np.random.default_rng(0)
    n = 3000
    a, b = rng.binomial(n, 0.10, 4000), rng.binomial(n, 0.12, 4000)
    simulated = np.mean([two_proportion_test(x, n, y, n).p_value < 0.05 for x, y in zip(a, b)])
    assert simulated == pytest.approx(power(0.10, 0.02, n), abs=0.025)


def test_srm_check_matches_scipy_and_flags_mismatch():
    result = srm_check([5000, 4600])
    assert result.p_value == pytest.approx(chisquare([5000, 4600]).pvalue)
    assert result.mismatch and not srm_check([5000, 4950]).mismatch
    assert srm_check([900, 100], (0.9, 0.1)).chi2 == pytest.approx(0)
    with pytest.raises(InputError):
        srm_check([1, 2], (0.5, 0.6))


def test_simulated_ab_test_plants_the_effect():
    data = simulate_ab_test(n_users=60_000, base_rate=0.2, effect=0.03, seed=2)
    rates = data.users.groupby("group")["converted"].mean()
    assert rates["A"] == pytest.approx(0.2, abs=0.01) and rates["B"] - rates["A"] == pytest.approx(0.03, abs=0.01)
    assert not srm_check(data.users["group"].value_counts().tolist()).mismatch


def test_lost_users_are_exactly_the_missing_treatment_non_converters():
    healthy = simulate_ab_test(n_users=20_000, seed=4)
    broken = simulate_ab_test(n_users=20_000, seed=4, lose_share=0.2)
    h, b = (d.users.groupby("group")["converted"].agg(["sum", "count"]) for d in (healthy, broken))
    assert (h["sum"] == b["sum"]).all()  # only non-converters were lost
    assert h.loc["B", "count"] - b.loc["B", "count"] == broken.lost > 0
    assert h.loc["A", "count"] == b.loc["A", "count"]
    assert srm_check(broken.users["group"].value_counts().tolist()).mismatch


def test_telemetry_reports_follow_the_planted_error_rate():
    t = simulate_telemetry(n_days=60, requests_per_day=20_000, drift_day=30, report_rate=0.05, seed=1)
    daily = t.daily
    assert (daily["true_error_rate"].iloc[:31] == 0.05).all() and daily["true_error_rate"].iloc[-1] == pytest.approx(0.15)
    assert (daily["reports"] <= daily["mistakes"]).all()
    ratio = daily["reports"].sum() / daily["mistakes"].sum()
    assert ratio == pytest.approx(0.05, abs=0.005)
    assert daily["reports"].iloc[-10:].mean() > 2 * daily["reports"].iloc[:10].mean()


def test_canary_rolls_back_a_bad_release_early_and_promotes_a_good_one():
    bad = run_canary(baseline_error=0.01, canary_error=0.05, seed=0)
    assert bad.outcome == "rolled back" and bad.rolled_back_at == 1.0
    assert list(bad.stages["decision"]) == ["roll back"]
    good = run_canary(baseline_error=0.01, canary_error=0.01, seed=0)
    assert good.outcome == "promoted" and good.rolled_back_at is None
    assert list(good.stages.index) == [1, 5, 25, 50, 100] and good.stages["decision"].iloc[-1] == "done"
    assert (good.stages["baseline_requests"] + good.stages["canary_requests"] == 20_000).all()


def test_canary_catches_most_bad_and_few_good_releases():
    bad = [run_canary(baseline_error=0.01, canary_error=0.02, seed=s).outcome for s in range(30)]
    good = [run_canary(baseline_error=0.01, canary_error=0.01, seed=s).outcome for s in range(30)]
    assert bad.count("rolled back") >= 27 and good.count("rolled back") <= 3
    tolerant = [run_canary(baseline_error=0.01, canary_error=0.012, tolerance=0.01, seed=s).outcome for s in range(10)]
    assert tolerant.count("promoted") == 10
