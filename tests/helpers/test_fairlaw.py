"""Equality against equity and the four-fifths rule: exact on small cases, planted truths recovered."""

from __future__ import annotations

import numpy as np
import pytest

from mlip_helpers import fairlaw
from mlip_helpers.errors import InputError


def test_four_fifths_is_exact_at_the_boundary():
    decisions = [1] * 10 + [0] * 0 + [1] * 8 + [0] * 2 + [1] * 7 + [0] * 3
    groups = ["A"] * 10 + ["B"] * 10 + ["C"] * 10
    table = fairlaw.four_fifths(decisions, groups)
    assert table["impact_ratio"].to_dict() == pytest.approx({"A": 1.0, "B": 0.8, "C": 0.7})
    assert table["passes"].to_dict() == {"A": True, "B": True, "C": False}


def test_four_fifths_rejects_bad_decisions():
    with pytest.raises(InputError, match="0 \\(not selected\\) or 1"):
        fairlaw.four_fifths([2, 1], ["A", "B"])
    with pytest.raises(InputError, match="nobody is selected"):
        fairlaw.four_fifths([0, 0], ["A", "B"])
    with pytest.raises(InputError, match="same non-zero length"):
        fairlaw.four_fifths([1, 0, 1], ["A", "B"])


@pytest.fixture(scope="module")
def unequal():
    rng = np.random.default_rng(5)
    group = np.repeat(["A", "B"], 2000)
    label = (rng.random(4000) < np.where(group == "A", 0.6, 0.3)).astype(int)
    score = 1 / (1 + np.exp(-(2 * label - 1 + rng.normal(size=4000))))
    return score, label, group


def test_equality_keeps_error_rates_and_equity_equalizes_selection(unequal):
    table = fairlaw.equality_vs_equity(*unequal)
    equal, equity = table.loc["equality"], table.loc["equity"]
    assert abs(equal.loc["A", "tpr"] - equal.loc["B", "tpr"]) < 0.04  # the score means the same in both groups
    assert equal.loc["A", "selection_rate"] - equal.loc["B", "selection_rate"] > 0.2
    assert abs(equity.loc["A", "selection_rate"] - equity.loc["B", "selection_rate"]) < 0.01
    overall = (unequal[0] > 0.5).mean()
    assert equity["selection_rate"].to_numpy() == pytest.approx([overall, overall], abs=0.01)
    assert equity.loc["B", "threshold"] < 0.5 < equity.loc["A", "threshold"]
    assert equity.loc["B", "fpr"] > equal.loc["B", "fpr"]


def test_equality_vs_equity_rejects_a_threshold_outside_zero_one(unequal):
    with pytest.raises(InputError, match="threshold"):
        fairlaw.equality_vs_equity(*unequal, threshold=1.0)


def test_protected_inputs_flags_protected_characteristics_only():
    table = fairlaw.protected_inputs(["income", "afam", "single", "religion_code"],
                                     {"afam": "race", "single": "marital status", "religion_code": "religion"})
    assert table["may_use"].to_dict() == {"income": True, "afam": False, "single": False, "religion_code": False}
    allowed = fairlaw.protected_inputs(["single"], {"single": "marital status"}, protected=("race",))
    assert bool(allowed.loc["single", "may_use"])
    with pytest.raises(InputError, match="not inputs"):
        fairlaw.protected_inputs(["income"], {"afam": "race"})
