"""Slice tables: support, flags, ordering, Wilson intervals (checked against scipy)."""

from __future__ import annotations

from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from mlip_helpers.datasets import make_noisy_slice_classification
from mlip_helpers.errors import InputError
from mlip_helpers.evaluation import f1_score
from mlip_helpers.slicing import plot_slices, slice_metrics, wilson_interval


@pytest.mark.parametrize("k, n", [(0, 1), (0, 12), (3, 10), (8, 10), (12, 12), (450, 600), (1, 2000)])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_matches_scipy(k, n, confidence):
    expected = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson_interval(k, n, confidence=confidence)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_interval_narrows_with_support():
    small, large = wilson_interval(8, 10), wilson_interval(800, 1000)
    assert small[1] - small[0] > 4 * (large[1] - large[0])


@pytest.mark.parametrize("k, n, confidence", [(3, 0, 0.95), (5, 4, 0.95), (-1, 4, 0.95), (1, 4, 1.0)])
def test_wilson_interval_rejects_impossible_input(k, n, confidence):
    with pytest.raises(InputError):
        wilson_interval(k, n, confidence=confidence)


TRUE = np.array([1, 1, 0, 0, 1, 1, 0, 1, 0, 0])
PRED = np.array([1, 0, 0, 0, 1, 1, 1, 1, 0, 1])
GROUP = pd.Series(["a", "a", "b", "b", "b", "b", "b", "c", "c", "c"], name="group")


def test_slice_metrics_counts_support_and_accuracy_per_slice():
    table = slice_metrics(TRUE, PRED, GROUP, min_support=3)
    assert table.index.name == "group"
    assert table["support"].to_dict() == {"b": 5, "c": 3, "a": 2}
    assert table["accuracy"].to_dict() == pytest.approx({"a": 0.5, "b": 0.8, "c": 2 / 3})
    assert table["gap"].to_dict() == pytest.approx({"a": -0.2, "b": 0.1, "c": 2 / 3 - 0.7})
    assert table["too_small"].to_dict() == {"a": True, "b": False, "c": False}


def test_slice_metrics_lists_trusted_slices_worst_first_then_small_ones():
    table = slice_metrics(TRUE, PRED, GROUP, min_support=3)
    assert table.index.tolist() == ["c", "b", "a"]


def test_slice_metrics_with_confidence_adds_wilson_interval():
    table = slice_metrics(TRUE, PRED, GROUP, min_support=3, confidence=0.9)
    assert {"ci_low", "ci_high"} <= set(table.columns)
    assert "ci_low" not in slice_metrics(TRUE, PRED, GROUP).columns
    assert (table.loc["b", "ci_low"], table.loc["b", "ci_high"]) == pytest.approx(
        wilson_interval(4, 5, confidence=0.9))
    assert (table["ci_low"] <= table["accuracy"]).all() and (table["accuracy"] <= table["ci_high"]).all()


def test_slice_metrics_takes_any_metric_with_a_name():
    table = slice_metrics(TRUE, PRED, GROUP.to_numpy(), metric=partial(f1_score, pos_label=1),
                          metric_name="f1", min_support=1)
    assert table.index.name == "slice" and "f1" in table.columns
    assert table.loc["b", "f1"] == pytest.approx(f1_score(TRUE[2:7], PRED[2:7], pos_label=1))
    with pytest.raises(InputError, match="confidence"):
        slice_metrics(TRUE, PRED, GROUP, metric=partial(f1_score, pos_label=1), confidence=0.95)


def test_slice_metrics_crosses_several_columns():
    groups = pd.DataFrame({"group": GROUP, "half": ["x"] * 5 + ["y"] * 5})
    table = slice_metrics(TRUE, PRED, groups, min_support=1)
    assert table.index.names == ["group", "half"]
    assert table["support"].sum() == 10
    assert table.loc[("b", "x"), "support"] == 3 and table.loc[("b", "y"), "support"] == 2


def test_slice_metrics_keeps_missing_slice_values_as_their_own_slice():
    groups = pd.Series(["a", None, "a", None], name="g")
    table = slice_metrics([1, 0, 1, 1], [1, 0, 0, 1], groups, min_support=1)
    assert table["support"].sum() == 4 and len(table) == 2


def test_slice_metrics_rejects_groups_of_wrong_length():
    with pytest.raises(InputError):
        slice_metrics(TRUE, PRED, GROUP[:5])


def test_slice_metrics_finds_the_planted_weak_slice_and_flags_the_tiny_one():
    data = make_noisy_slice_classification(n_samples=3000, seed=0)
    frame = data.frame
    pred = cross_val_predict(LogisticRegression(), frame[list(data.feature_names)], frame["label"], cv=5)
    table = slice_metrics(frame["label"], pred, frame["region"], min_support=30, confidence=0.95)
    assert table.index[0] == data.weak_slice
    assert table.loc["islands", "too_small"] and table.index[-1] == "islands"
    assert not table.drop(index="islands")["too_small"].any()
    width = table["ci_high"] - table["ci_low"]
    assert width["islands"] > 2 * width.drop("islands").max()


def test_plot_slices_labels_support_and_hatches_small_slices():
    table = slice_metrics(TRUE, PRED, GROUP, min_support=3, confidence=0.95)
    ax = plot_slices(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c (n=3)", "b (n=5)", "a (n=2)"]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_width() == pytest.approx(0.5)
    assert ax.get_legend() is not None
    plt.close("all")


def test_plot_slices_draws_a_perfect_slice_whose_interval_rounds_below_it():
    import matplotlib

    matplotlib.use("Agg")
    from mlip_helpers.slicing import plot_slices, slice_metrics

    truth = [1] * 13 + [0, 1] * 20
    pred = [1] * 13 + [1, 1] * 20
    table = slice_metrics(truth, pred, ["perfect"] * 13 + ["half"] * 40, min_support=30, confidence=0.95)
    assert table.loc["perfect", "accuracy"] == 1.0
    ax = plot_slices(table)  # raised "'xerr' must not contain negative values" for seed 2 of 05-model-testing
    assert len(ax.patches) == 2
