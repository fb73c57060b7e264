"""Bias simulations: seeded, sized, and the planted effects are exactly (or statistically) there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from mlip_helpers import bias
from mlip_helpers.errors import InputError


@pytest.fixture(scope="module")
def tainted():
    return bias.make_hiring(n_samples=3000, seed=3, label_bias=0.3, proxy_strength=0.85, historical_gap=0.5)


def test_hiring_is_seeded_and_sized():
    first = bias.make_hiring(n_samples=500, seed=1, label_bias=0.2)
    again = bias.make_hiring(n_samples=500, seed=1, label_bias=0.2)
    other = bias.make_hiring(n_samples=500, seed=2, label_bias=0.2)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert not first.frame.equals(other.frame)
    assert list(first.frame.columns) == ["group", "neighbourhood", "test_score", "experience", "qualified", "hired"]
    assert len(first.frame) == 500 and (first.frame["group"] == "B").sum() == 250


def test_taint_flips_exactly_the_planted_share_of_qualified_b_and_nobody_else(tainted):
    f = tainted.frame
    qualified_b = (f["group"] == "B") & (f["qualified"] == 1)
    assert tainted.n_flipped == round(0.3 * qualified_b.sum())
    assert (f.loc[qualified_b, "hired"] == 0).sum() == tainted.n_flipped
    assert (f.loc[~qualified_b, "hired"] == f.loc[~qualified_b, "qualified"]).all()
    assert abs((1 - f.loc[qualified_b, "hired"].mean()) - 0.3) <= 0.5 / qualified_b.sum()


@pytest.mark.parametrize("strength", [0.5, 0.7, 0.85, 1.0])
def test_proxy_strength_is_exact_in_each_group(strength):
    f = bias.make_hiring(n_samples=1001, seed=0, proxy_strength=strength, share_b=0.3).frame
    own = np.where(f["group"] == "B", f["neighbourhood"] == "south", f["neighbourhood"] == "north")
    for group in ("A", "B"):
        members = (f["group"] == group).to_numpy()
        assert own[members].sum() == round(strength * members.sum())


def test_historical_gap_lowers_scores_and_qualification_of_group_b_only():
    gap = bias.make_hiring(n_samples=20000, seed=5, historical_gap=0.8).frame
    fair = bias.make_hiring(n_samples=20000, seed=5, historical_gap=0.0).frame
    means = gap.groupby("group")["test_score"].mean()
    assert means["A"] - means["B"] == pytest.approx(0.8, abs=4 * np.sqrt(2 / 10000))
    rates_gap, rates_fair = gap.groupby("group")["qualified"].mean(), fair.groupby("group")["qualified"].mean()
    assert rates_gap["A"] - rates_gap["B"] > 0.15
    assert abs(rates_fair["A"] - rates_fair["B"]) < 0.03
    assert (gap["hired"] == gap["qualified"]).all()  # no taint planted


def test_features_are_numeric_and_include_the_group_only_on_request(tainted):
    assert list(tainted.features(with_group=False).columns) == ["test_score", "experience", "south"]
    with_group = tainted.features(with_group=True)
    assert list(with_group.columns) == ["test_score", "experience", "south", "group_b"]
    assert with_group["group_b"].sum() == (tainted.frame["group"] == "B").sum()


@pytest.mark.parametrize("kwargs", [{"n_samples": 5}, {"label_bias": 1.5}, {"proxy_strength": -0.1},
                                    {"n_samples": 100.5}])
def test_hiring_rejects_impossible_arguments(kwargs):
    with pytest.raises(InputError):
        bias.make_hiring(**kwargs)


def test_fixed_patrols_record_in_proportion_to_patrols_times_incidents():
    history = bias.simulate_patrols(n_rounds=3000, seed=1, true_rates=(10.0, 10.0), patrols=(0.8, 0.2))
    expected = 0.8 * 10 / (0.8 * 10 + 0.2 * 10)
    assert history.true_share_north == 0.5
    assert history.frame["recorded_share_north"].iloc[-1] == pytest.approx(expected, abs=0.01)
    assert (history.frame["patrol_north"] == 0.8).all()
    assert (history.frame["recorded_north"] <= history.frame["incidents_north"]).all()


def test_even_patrols_record_the_truth():
    history = bias.simulate_patrols(n_rounds=3000, seed=2, true_rates=(9.0, 10.0))
    assert history.frame["recorded_share_north"].iloc[-1] == pytest.approx(9 / 19, abs=0.01)


@pytest.mark.parametrize("head_start, hotspot_share", [((3, 0), 0.8), ((0, 3), 0.2)])
def test_feedback_loop_locks_in_the_head_start_against_the_truth(head_start, hotspot_share):
    loop = bias.simulate_patrols(n_rounds=400, seed=0, true_rates=(9.0, 10.0), focus=0.8, head_start=head_start)
    assert np.allclose(loop.frame["patrol_north"], hotspot_share)
    north, south = 9 * hotspot_share, 10 * (1 - hotspot_share)
    assert loop.frame["recorded_share_north"].iloc[-1] == pytest.approx(north / (north + south), abs=0.03)
    assert loop.true_share_north == pytest.approx(9 / 19)


def test_base_rates_are_exact_and_the_score_means_the_same_in_both_groups():
    data = bias.make_base_rates(n_samples=20001, seed=4, rate_a=0.55, rate_b=0.25, share_b=0.4)
    f = data.frame
    counts = f.groupby("group")["label"].agg(["sum", "size"])
    for group, rate in (("A", 0.55), ("B", 0.25)):
        assert counts.loc[group, "sum"] == round(rate * counts.loc[group, "size"])
        assert data.base_rates[group] == pytest.approx(rate, abs=1e-4)
    means = f.groupby(["label", "group"])["score"].mean()
    assert means[1]["A"] == pytest.approx(means[1]["B"], abs=0.06)
    assert means[0]["A"] == pytest.approx(means[0]["B"], abs=0.06)
    assert means[1]["A"] - means[0]["A"] == pytest.approx(1.5, abs=0.06)


def test_one_threshold_on_the_base_rate_score_gives_equal_error_rates_in_expectation():
    f = bias.make_base_rates(n_samples=40000, seed=0).frame
    decided = f["score"] > 0.75
    tpr = decided[f["label"] == 1].groupby(f["group"]).mean()
    assert tpr["A"] == pytest.approx(1 - norm.cdf(0.75 - 1.5), abs=0.015)
    assert tpr["B"] == pytest.approx(1 - norm.cdf(0.75 - 1.5), abs=0.015)


def test_decision_log_shifts_group_b_at_the_planted_week():
    log = bias.make_decision_log(n_weeks=10, per_week=5000, seed=1, shift_week=6, shift=0.25, approval_rate=0.7)
    assert len(log) == 50000 and log["week"].nunique() == 10
    rates = log.groupby([log["week"] >= 6, "group"])["approved"].mean()
    assert rates[(False, "A")] == pytest.approx(0.7, abs=0.02)
    assert rates[(False, "B")] == pytest.approx(0.7, abs=0.02)
    assert rates[(True, "A")] == pytest.approx(0.7, abs=0.02)
    assert rates[(True, "B")] == pytest.approx(0.45, abs=0.02)


def test_exercises_accept_the_planted_answers_and_explain_mistakes(tainted):
    f = tainted.frame
    b, q = f["group"] == "B", f["qualified"] == 1
    unhired = bias.unhired_share_exercise(data=tainted)
    assert unhired.kind == "count" and unhired.check(int((b & q & (f["hired"] == 0)).sum())).passed
    all_b = int((b & (f["hired"] == 0)).sum())
    assert not unhired.check(all_b).passed and "unqualified" in unhired.check(all_b).reason
    source = bias.bias_source_exercise()
    assert source.check("Tainted Labels").passed
    assert "feature" in source.check("proxy").reason and "feedback" not in source.check("proxy").reason


def test_proxy_accuracy_is_built_and_run_on_hidden_tables():
    exercise = bias.proxy_accuracy_exercise()
    assert exercise.kind == "code" and exercise.check(bias.proxy_accuracy_solution).passed
    fixed = exercise.check(
        lambda frame, feature, protected: ((frame[feature] == "south") == (frame[protected] == "B")).mean())
    assert not fixed.passed and "does not depend on the feature" in fixed.reason
