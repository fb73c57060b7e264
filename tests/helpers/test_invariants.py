"""Behavioural tests count exactly what they claim, on predictors with known behaviour."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.invariants import (
    BehaviorResult,
    capability_test,
    directional_test,
    invariance_test,
    summarize,
)
from mlip_helpers.textdata import swap_name


def keyword_model(texts):
    """Says 'great' for any text containing 'great' or the name 'Maria'."""
    return np.array(["great" if ("great" in t or "Maria" in t) else "other" for t in texts])


TEXTS = ["Maria said it was fine.", "John said it was fine.", "It was great.", "Wei found it bad."]


def test_invariance_counts_changed_predictions_and_skips_inapplicable_inputs():
    result = invariance_test(keyword_model, TEXTS, partial(swap_name, seed=0), name="swap name")
    assert result.kind == "invariance" and result.name == "swap name"
    assert (result.n_tested, result.n_skipped) == (3, 1)
    swapped_to_maria = sum("Maria" in swap_name(t, seed=0) for t in TEXTS if "Maria" not in t and swap_name(t))
    assert result.n_failed == 1 + swapped_to_maria
    assert result.failure_rate == pytest.approx(result.n_failed / 3)
    assert not result.passed
    assert result.examples[0].failed and result.examples[0].input == TEXTS[0]


def test_invariance_passes_within_tolerance_and_reports_examples():
    result = invariance_test(keyword_model, TEXTS, str.lower, tolerance=0.5, n_examples=2)
    assert result.name == "lower"
    assert result.n_failed == 1  # "Maria" disappears; "great" stays
    assert result.passed
    frame = result.examples_frame()
    assert list(frame.columns) == ["input", "prediction", "variant", "variant_prediction", "failed"]
    assert len(frame) == 2 and frame["failed"].tolist() == [True, False]


def test_invariance_on_a_dataframe_perturbs_the_frame_once():
    data = pd.DataFrame({"income": [10, 50, 90, 30], "gender": ["f", "m", "f", "m"]})

    def biased(frame):
        return ((frame["income"] > 40) | (frame["gender"] == "m")).astype(int).to_numpy()

    def flip_gender(frame):
        frame["gender"] = frame["gender"].map({"f": "m", "m": "f"})
        return frame

    result = invariance_test(biased, data, flip_gender, name="flip gender")
    assert result.n_tested == 4 and result.n_failed == 2
    assert data["gender"].tolist() == ["f", "m", "f", "m"]  # the input is not modified
    assert result.examples[0].input == {"income": 10, "gender": "f"}
    assert result.examples[0].variant == {"income": 10, "gender": "m"}
    with pytest.raises(InputError):
        invariance_test(biased, data, lambda frame: frame.iloc[:2])


def test_directional_test_flags_moves_against_the_expectation_beyond_slack():
    def score(texts):
        return np.array([t.count("!") - t.count("?") for t in texts], dtype=float)

    inputs = ["a", "b!", "c?"]
    up = directional_test(score, inputs, lambda t: t + "!", expect="increase", name="add bang")
    assert (up.n_tested, up.n_failed, up.passed) == (3, 0, True)
    down = directional_test(score, inputs, lambda t: t + "!", expect="decrease")
    assert down.n_failed == 3 and down.failure_rate == 1.0 and not down.passed
    tolerant = directional_test(score, inputs, lambda t: t + "!", expect="decrease", slack=1.0)
    assert tolerant.n_failed == 0
    same = directional_test(score, inputs, lambda t: t, expect="decrease")
    assert same.n_failed == 0
    with pytest.raises(InputError):
        directional_test(score, inputs, lambda t: t, expect="up")


def test_capability_test_expands_the_template_and_counts_wrong_labels():
    fillers = {"adj": ["great", "fine", "awful"], "food": ["soup", "tea"]}
    result = capability_test(keyword_model, "The {food} was {adj}.", fillers, "great", name="praise")
    assert (result.kind, result.n_tested, result.n_failed) == ("capability", 6, 4)
    assert result.pass_rate == pytest.approx(2 / 6)
    assert [e.failed for e in result.examples][:4] == [True] * 4
    assert result.examples[0].expected == "great"


def test_capability_expected_may_depend_on_the_fillers_and_cases_may_be_sampled():
    fillers = {"adj": ["great", "awful"], "food": [f"food{i}" for i in range(50)]}

    def expected(choice):
        return "great" if choice["adj"] == "great" else "other"

    full = capability_test(keyword_model, "The {food} was {adj}.", fillers, expected)
    assert full.n_tested == 100 and full.n_failed == 0 and full.passed
    sampled = capability_test(keyword_model, "The {food} was {adj}.", fillers, expected, max_cases=10, seed=1)
    again = capability_test(keyword_model, "The {food} was {adj}.", fillers, expected, max_cases=10, seed=1)
    assert sampled.n_tested == 10 and sampled.examples == again.examples


def test_summary_line_and_summarize_table():
    result = BehaviorResult("invariance", "typo", n_tested=200, n_failed=10, n_skipped=5, tolerance=0.1)
    assert result.summary() == ("PASS invariance test 'typo': 10 of 200 changed prediction "
                                "(5.0%, tolerance 10.0%, 5 skipped)")
    empty = BehaviorResult("capability", "nothing", 0, 0)
    assert not empty.passed and empty.failure_rate == 0.0
    table = summarize([result, empty])
    assert table.index.tolist() == ["typo", "nothing"]
    assert table.loc["typo", "failure_rate"] == pytest.approx(0.05)
    assert table["passed"].tolist() == [True, False]
    assert list(table.columns) == ["kind", "n_tested", "n_failed", "n_skipped", "failure_rate",
                                   "tolerance", "passed"]
    assert summarize([]).empty


def test_invariance_with_nothing_applicable_tests_nothing_and_does_not_pass():
    result = invariance_test(keyword_model, ["no names here"], partial(swap_name, seed=0))
    assert (result.n_tested, result.n_skipped, result.n_failed) == (0, 1, 0)
    assert not result.passed and result.examples == ()
