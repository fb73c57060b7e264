"""Fairness helpers agree with fairlearn and with hand counts; loops, monitors and documents do what they say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (demographic_parity_difference, equalized_odds_difference, false_positive_rate,
                               selection_rate, true_positive_rate)
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.linear_model import LogisticRegression

from mlip_helpers import fairgoals, fairness
from mlip_helpers.bias import make_base_rates, make_decision_log
from mlip_helpers.errors import InputError

TRUE = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 0])
PRED = np.array([1, 0, 0, 1, 1, 0, 1, 1, 1, 1])
GROUP = np.array(["a"] * 4 + ["b"] * 6)


def test_report_counts_rates_per_group_by_hand():
    report = fairness.fairness_report(TRUE, PRED, GROUP)
    table = report.by_group
    assert table["count"].to_dict() == {"a": 4, "b": 6}
    assert table.loc["a"].drop("count").to_dict() == pytest.approx(
        {"selection_rate": 0.5, "tpr": 0.5, "fpr": 0.5, "accuracy": 0.5})
    assert table.loc["b"].drop("count").to_dict() == pytest.approx(
        {"selection_rate": 5 / 6, "tpr": 1.0, "fpr": 2 / 3, "accuracy": 4 / 6})
    assert report.demographic_parity_difference == pytest.approx(5 / 6 - 0.5)
    assert report.equalized_odds_difference == pytest.approx(0.5)
    assert report.overall["accuracy"] == pytest.approx(0.6)


@pytest.mark.parametrize("seed", range(5))
def test_report_agrees_with_fairlearn_on_random_data(seed):
    rng = np.random.default_rng(seed)
    y, pred = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    groups = rng.choice(["x", "y", "z"], 400, p=[0.5, 0.3, 0.2])
    report = fairness.fairness_report(pd.Series(y), list(pred), groups)
    assert report.demographic_parity_difference == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=groups), abs=1e-12)
    assert report.equalized_odds_difference == pytest.approx(
        equalized_odds_difference(y, pred, sensitive_features=groups), abs=1e-12)
    for g in ("x", "y", "z"):
        rows = groups == g
        assert report.by_group.loc[g, "tpr"] == pytest.approx(true_positive_rate(y[rows], pred[rows]))
        assert report.by_group.loc[g, "fpr"] == pytest.approx(false_positive_rate(y[rows], pred[rows]))
        assert report.by_group.loc[g, "selection_rate"] == pytest.approx(selection_rate(y[rows], pred[rows]))
    assert set(report.gaps().index) == {"selection_rate", "tpr", "fpr", "accuracy"}


def test_report_rejects_unequal_lengths():
    with pytest.raises(InputError, match="one of each per person"):
        fairness.fairness_report([1, 0], [1, 0, 1], ["a", "b"])


def test_flip_rate_is_zero_without_the_attribute_and_counts_changes_with_it():
    X = pd.DataFrame({"income": np.arange(10), "race": ["p", "q"] * 5})
    swap = {"p": "q", "q": "p"}
    assert fairness.flip_rate(lambda X: (X["income"] > 4).astype(int), X, "race", swap) == 0.0
    uses_race = lambda X: ((X["income"] > 4) | (X["race"] == "p")).astype(int)  # noqa: E731
    # flipping matters only where income <= 4: rows 0..4, all five change
    assert fairness.flip_rate(uses_race, X, "race", swap) == 0.5
    assert X["race"].tolist() == ["p", "q"] * 5  # the caller's frame is left alone


def test_reweighing_weights_are_exact_and_make_label_independent_of_group():
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    g = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    w = fairness.reweighing_weights(y, g)
    # P(a)=P(b)=.5, P(y=1)=.5; P(a,1)=3/8, P(a,0)=1/8, P(b,1)=1/8, P(b,0)=3/8
    np.testing.assert_allclose(w, [2 / 3] * 3 + [2, 2] + [2 / 3] * 3)
    for group in ("a", "b"):
        rows = g == group
        assert np.average(y[rows], weights=w[rows]) == pytest.approx(y.mean())
    assert w.sum() == pytest.approx(len(y))


def test_credit_loop_amplifies_a_planted_gap_and_creates_none_from_nothing():
    loop = fairness.simulate_credit_loop(n_samples=20000, n_rounds=12, seed=1, initial_gap=0.5)
    gap = loop.gap()
    assert gap.iloc[0] == pytest.approx(0.5, abs=0.05)
    assert (np.diff(gap.to_numpy()) > 0).all()
    assert gap.iloc[-1] > 2 * gap.iloc[0]
    control = fairness.simulate_credit_loop(n_samples=20000, n_rounds=12, seed=1, initial_gap=0.0).gap()
    assert control.abs().max() < 0.06
    first = loop.rounds[loop.rounds["round"] == 0].set_index("group")["approval_rate"]
    assert first["A"] == pytest.approx(0.5, abs=0.02) and first["B"] == pytest.approx(0.3085, abs=0.02)


def test_monitor_computes_weekly_gaps_by_hand():
    log = pd.DataFrame({"week": [0] * 4 + [1] * 4, "group": ["A", "A", "B", "B"] * 2,
                        "approved": [1, 1, 1, 0, 1, 0, 0, 0]})
    table = fairness.monitor_parity(log, max_gap=0.4)
    assert table["A"].tolist() == [1.0, 0.5] and table["B"].tolist() == [0.5, 0.0]
    assert table["gap"].tolist() == [0.5, 0.5] and table["alarm"].tolist() == [True, True]
    assert fairness.monitor_parity(log, max_gap=0.5)["alarm"].tolist() == [False, False]


@pytest.mark.parametrize("seed", range(10))
def test_monitor_alarms_in_the_planted_week(seed):
    table = fairness.monitor_parity(make_decision_log(seed=seed, shift_week=7), max_gap=0.1)
    assert table.index[table["alarm"]].min() == 7
    assert table["alarm"].iloc[7:].all()


def test_threshold_optimizer_closes_the_parity_gap_on_planted_base_rates():
    data = make_base_rates(n_samples=20000, seed=2)
    f = data.frame
    X = f[["score"]]
    model = LogisticRegression().fit(X, f["label"])
    before = fairness.fairness_report(f["label"], model.predict(X), f["group"])
    optimizer = ThresholdOptimizer(estimator=model, constraints="demographic_parity", prefit=True,
                                   predict_method="predict_proba").fit(X, f["label"], sensitive_features=f["group"])
    after = fairness.fairness_report(f["label"], optimizer.predict(X, sensitive_features=f["group"], random_state=0),
                                     f["group"])
    # equal error rates in both groups leave a parity gap of (rate_a - rate_b) * (tpr - fpr)
    tpr_minus_fpr = before.overall["tpr"] - before.overall["fpr"]
    assert before.demographic_parity_difference == pytest.approx(0.2 * tpr_minus_fpr, abs=0.015)
    assert before.equalized_odds_difference < 0.05
    assert after.demographic_parity_difference < 0.03 and after.equalized_odds_difference > 0.1


def test_model_card_and_datasheet_carry_computed_numbers():
    report = fairness.fairness_report(TRUE, PRED, GROUP)
    card = fairness.ModelCard("m 1", "use", "not this", "data", report, "parity gap at most 0.1", ("small data",))
    text = card.to_markdown()
    assert "| a | 4 | 0.500 | 0.500 | 0.500 | 0.500 |" in text
    assert "| b | 6 | 0.833 | 1.000 | 0.667 | 0.667 |" in text
    assert "selection_rate 0.333" in text and "- small data" in text
    frame = pd.DataFrame({"g": ["u"] * 3 + ["v"], "y": [1, 1, 0, 0], "other": [1.0, None, 2.0, 3.0]})
    sheet = fairness.datasheet(frame, name="d", protected="g", label="y", motivation="M", collection="C",
                               labelling="L")
    assert "| u | 3 | 0.750 | 0.667 |" in sheet and "| v | 1 | 0.250 | 0.000 |" in sheet
    assert "4 rows, 3 columns; missing values: 1" in sheet
    with pytest.raises(InputError, match="not in the data"):
        fairness.datasheet(frame, name="d", protected="race", label="y", motivation="", collection="",
                           labelling="")


def test_exercises_accept_the_right_numbers_and_name_the_mistakes():
    gap = fairness.perfect_parity_gap_exercise(data=make_base_rates(n_samples=1000, seed=0))
    assert gap.check(0.2).passed and "equalized-odds" in gap.check(0).reason
    loop = fairness.simulate_credit_loop(n_samples=1000, seed=0)
    growth = fairgoals.score_gap_growth_exercise(loop)
    assert growth.check(loop.gap().iloc[-1] - loop.gap().iloc[0]).passed
    assert "last round" in growth.check(loop.gap().iloc[-1]).reason
    odds = fairness.equalized_odds_exercise()
    assert odds.check(fairness.equalized_odds_solution).passed
    tpr_only = odds.check(
        lambda y, p, g: pd.Series(p[y == 1]).groupby(g[y == 1]).mean().agg(lambda r: r.max() - r.min()))
    assert not tpr_only.passed and "larger of the two gaps" in tpr_only.reason
    requirement = fairgoals.violates_exercise()
    assert requirement.check(fairgoals.violates_solution).passed
    assert "too few decisions" in requirement.check(lambda week, max_gap, n: bool(
        week.groupby("group")["approved"].mean().agg(lambda r: r.max() - r.min()) > max_gap)).reason
    assert fairness.threshold_criterion_exercise().check("anti-classification").passed
