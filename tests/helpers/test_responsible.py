"""Objectives, liability, proxies and unequal data: the planted truths of mlip_helpers.responsible come back out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers import responsible
from mlip_helpers.errors import InputError


def test_engagement_only_recommender_harms_and_a_weight_on_wellbeing_helps():
    table = responsible.engagement_tradeoff(n_users=300, n_items=150, seed=4)
    assert table["engagement"].iloc[:-1].is_monotonic_decreasing
    assert table["wellbeing"].iloc[:-1].is_monotonic_increasing
    assert table["wellbeing"].iloc[0] < table.loc["random", "wellbeing"] < table["wellbeing"].iloc[-2]


def test_without_planted_harm_engagement_costs_no_wellbeing():
    table = responsible.engagement_tradeoff(n_users=300, n_items=150, harm=0.0, seed=4)
    assert abs(table["wellbeing"].iloc[0] - table.loc["random", "wellbeing"]) < 0.3


@pytest.mark.parametrize("kwargs", [{"top": 0}, {"top": 150}, {"harm": 1.0}, {"weights": (0.5, 1.5)},
                                    {"n_users": 0}])
def test_engagement_tradeoff_rejects_bad_arguments(kwargs):
    with pytest.raises(InputError):
        responsible.engagement_tradeoff(n_items=150, **kwargs)


def test_error_costs_counts_each_partys_errors_and_the_vendor_share():
    y_true = [1, 1, 1, 0, 0, 1]
    y_pred = [0, 0, 1, 1, 0, 0]
    groups = ["A", "B", "B", "A", "B", "B"]
    table = responsible.error_costs(y_true, y_pred, groups, false_positive=("bank", 4.0),
                                    false_negative=("applicant", 1.0), vendor_share=0.25)
    assert table["errors"].to_dict() == {"bank": 1, "applicant in A": 1, "applicant in B": 2, "vendor": 0}
    assert table["cost"].to_dict() == {"bank": 3.0, "applicant in A": 0.75, "applicant in B": 1.5, "vendor": 1.75}
    assert table["cost"].sum() == pytest.approx(4.0 + 3 * 1.0)


def test_error_costs_rejects_mismatched_lengths_and_bad_shares():
    with pytest.raises(InputError, match="same non-zero length"):
        responsible.error_costs([1, 0], [1], ["A", "B"])
    with pytest.raises(InputError):
        responsible.error_costs([1], [0], ["A"], vendor_share=1.5)


def test_proxy_strengths_recovers_a_planted_proxy_and_finds_noise_useless():
    rng = np.random.default_rng(1)
    n = 1000
    woman = rng.integers(0, 2, n)
    frame = pd.DataFrame({"woman": woman, "club": np.where(rng.random(n) < 0.8, woman, 1 - woman),
                          "shoe": rng.normal(size=n) + 1.5 * woman, "noise": rng.normal(size=n)})
    table = responsible.proxy_strengths(frame, ["woman"], ["club", "shoe", "noise"], seed=0)
    assert table.loc["club", "woman"] == pytest.approx(0.8, abs=0.04)
    assert table.loc["shoe", "woman"] > 0.8
    assert abs(table.loc["noise", "woman"] - 0.5) < 0.06
    assert table.loc["all features together", "woman"] > table.loc["shoe", "woman"]


def test_proxy_strengths_rejects_missing_columns_and_non_binary_attributes():
    frame = pd.DataFrame({"age": [20, 50, 30, 60] * 5, "x": range(20)})
    with pytest.raises(InputError, match="not in the frame"):
        responsible.proxy_strengths(frame, ["sex"], ["x"])
    with pytest.raises(InputError, match="must hold 0 and 1"):
        responsible.proxy_strengths(frame, ["age"], ["x"])


def test_two_rule_groups_follow_their_planted_rules():
    data = responsible.make_two_rule_groups(3000, 3000, seed=0)
    for group, (w1, w2) in responsible.RULES.items():
        part = data[data["group"] == group]
        agree = ((w1 * part["x1"] + w2 * part["x2"] > 0).astype(int) == part["label"]).mean()
        assert agree > 0.85


def test_more_samples_close_the_gap_but_limited_features_do_not():
    plain = responsible.group_accuracy_by_size(n_a=1000, sizes_b=(10, 1000), seed=3)
    limited = responsible.group_accuracy_by_size(n_a=1000, sizes_b=(10, 1000), feature_noise_b=1.0, seed=3)
    assert plain["gap"].iloc[0] > 0.15
    assert abs(plain["gap"].iloc[-1]) < 0.05
    assert limited["gap"].iloc[-1] > plain["gap"].iloc[-1] + 0.05


def test_group_accuracy_by_size_rejects_bad_sizes():
    with pytest.raises(InputError):
        responsible.group_accuracy_by_size(sizes_b=(0,))
    with pytest.raises(InputError):
        responsible.group_accuracy_by_size(repeats=0)
