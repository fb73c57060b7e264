"""Operationalisations that rank models differently, a planted shortcut recovered, and the V&V table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlip_helpers.errors import InputError
from mlip_helpers.measurement import (
    VVCheck,
    expected_cost,
    make_shortcut_data,
    operationalise,
    rank_models,
    vv_report,
)


def test_expected_cost_weighs_misses_and_false_alarms_by_hand():
    truth = ["m", "m", "m", "b", "b"]
    pred = ["b", "b", "m", "m", "b"]  # two misses, one false alarm
    assert expected_cost(truth, pred, pos_label="m", miss_cost=10, false_alarm_cost=1) == pytest.approx(21 / 5)
    assert expected_cost(truth, truth, pos_label="m") == 0.0


@pytest.mark.parametrize("pred, message", [(["m"], "one prediction per example"), ([], "non-empty")])
def test_expected_cost_rejects_wrong_lengths(pred, message):
    with pytest.raises(InputError, match=message):
        expected_cost(["m", "b"], pred, pos_label="m")


def test_expected_cost_rejects_negative_costs():
    with pytest.raises(InputError, match="negative"):
        expected_cost(["m"], ["m"], pos_label="m", miss_cost=-1)


def test_operationalisations_can_disagree_on_the_winner():
    truth = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    predictions = {"careful": np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),  # finds both, three false alarms
                   "lazy": np.zeros(10, dtype=int)}  # finds none, 80% accurate
    scores = operationalise(truth, predictions, {
        "accuracy": lambda t, p: (t == p).mean(),
        "cost": lambda t, p: expected_cost(t, p, pos_label=1)})
    assert scores.loc["lazy", "accuracy"] == pytest.approx(0.8)
    ranks = rank_models(scores, lower_is_better=["cost"])
    assert ranks.loc["lazy", "accuracy"] == 1 and ranks.loc["careful", "cost"] == 1


def test_rank_models_shares_the_best_rank_on_ties():
    ranks = rank_models(pd.DataFrame({"a": [0.5, 0.5, 0.1]}, index=list("xyz")))
    assert ranks["a"].tolist() == [1, 1, 3]


def test_rank_models_rejects_unknown_columns():
    with pytest.raises(InputError, match="not columns"):
        rank_models(pd.DataFrame({"a": [1.0]}), lower_is_better=["cost"])


def test_operationalise_rejects_mismatched_predictions():
    with pytest.raises(InputError, match="2 predictions for 3"):
        operationalise([0, 1, 1], {"m": [0, 1]}, {"acc": lambda t, p: 0.0})
    with pytest.raises(InputError, match="at least one"):
        operationalise([0, 1], {}, {"acc": lambda t, p: 0.0})


def test_shortcut_is_planted_in_and_only_in_distribution():
    data = make_shortcut_data(n_samples=4000, seed=3, shortcut_agreement=0.9)
    for split, expected in [("train", 0.9), ("iid test", 0.9), ("ood test", 0.5)]:
        X, y = data.part(split)
        assert ((X["brightness"] > 0.5) == y).mean() == pytest.approx(expected, abs=0.03)
        assert y.mean() == 0.5


def test_a_model_that_uses_the_shortcut_breaks_out_of_distribution():
    data = make_shortcut_data(n_samples=1000, seed=0)
    X, y = data.part("train")
    both = LogisticRegression().fit(X, y)
    shape = LogisticRegression().fit(X[["shape"]], y)
    acc = {split: (both.score(*data.part(split)), shape.score(data.part(split)[0][["shape"]], data.part(split)[1]))
           for split in ("iid test", "ood test")}
    assert acc["iid test"][0] > acc["iid test"][1] + 0.1  # the shortcut flatters in distribution
    assert acc["ood test"][0] < acc["ood test"][1] - 0.1  # and hurts out of it
    assert acc["ood test"][1] == pytest.approx(data.shape_accuracy, abs=0.05)


def test_shortcut_data_checks_its_arguments():
    with pytest.raises(InputError, match="at least 10"):
        make_shortcut_data(n_samples=5)
    with pytest.raises(InputError, match="shortcut_agreement"):
        make_shortcut_data(shortcut_agreement=0.2)
    with pytest.raises(InputError, match="no split"):
        make_shortcut_data(n_samples=10).part("validation")


def test_vv_report_puts_verification_first_and_rejects_other_kinds():
    report = vv_report([VVCheck("need", "validation", False), VVCheck("spec", "verification", True)])
    assert report["kind"].tolist() == ["verification", "validation"]
    assert report.index.tolist() == ["spec", "need"]
    with pytest.raises(InputError, match="'verification' or 'validation'"):
        vv_report([VVCheck("x", "testing", True)])
    with pytest.raises(InputError, match="at least one"):
        vv_report([])
