"""The checker never raises on an answer, and says why a wrong answer is wrong."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

import mlip_helpers
from mlip_helpers import exercises
from mlip_helpers.checker import NOT_ANSWERED, CheckResult, Exercise, Mistake, check
from mlip_helpers.datasets import CANCER_CONFUSION, make_noisy_slice_classification
from mlip_helpers.errors import UNKNOWN_EXERCISE, ExerciseError
from mlip_helpers.invariants import BehaviorResult

SHARE = Exercise.number("share", 0.25, mistakes={0.4: "That is the other class."}, hint="Count again.")


def test_check_is_exported_at_the_top_level():
    assert mlip_helpers.check is check


@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholder_is_reported_as_not_answered(placeholder):
    result = SHARE.check(placeholder)
    assert (result.passed, result.answered, result.status) == (False, False, "unanswered")
    assert result.reason == NOT_ANSWERED


@pytest.mark.parametrize("answer", [0.25, 0.2504, np.float32(0.25), np.array([0.25]), pd.Series([0.25]), 1 / 4])
def test_right_numbers_pass_in_any_numeric_form(answer):
    result = SHARE.check(answer)
    assert result.passed and result.status == "correct"


@pytest.mark.parametrize("answer, phrase", [
    (0.4, "That is the other class."),
    (25, "percentage"),
    (0.75, "one minus"),
    (1.7, "between 0 and 1"),
    (0.3, "0.05 too high"),
    (0.2, "0.05 too low"),
    (0.253, "Close"),
    ("0.25", "remove the quotes"),
    ("a quarter", "expects a number"),
    (True, "yes/no"),
    ([0.1, 0.2], "single number"),
    (float("nan"), "NaN"),
    ({"share": 0.25}, "a dict"),
    (object(), "an object"),
    (type("Odd", (), {"__len__": lambda self: 1})(), "an Odd; the exercise expects a number"),
])
def test_wrong_numbers_get_a_reason(answer, phrase):
    result = SHARE.check(answer)
    assert not result.passed and result.answered and result.status == "wrong"
    assert phrase in result.reason


def test_hint_follows_generic_reasons_but_not_known_mistakes():
    assert SHARE.check(0.3).reason.endswith("Hint: Count again.")
    assert SHARE.check(0.4).reason == "That is the other class."


def test_an_answer_that_breaks_interpretation_does_not_raise():
    class Hostile:
        def __len__(self):
            return 2

        def __array__(self, dtype=None, copy=None):
            raise RuntimeError("boom")

    result = SHARE.check(Hostile())
    assert not result.passed and "could not interpret" in result.reason


LABELS = Exercise.labels("labels", ["a", "b", "a", "a"])


@pytest.mark.parametrize("answer, passed, phrase", [
    (["a", "b", "a", "a"], True, "all 4"),
    (np.array([["a"], ["b"], ["a"], ["a"]]), True, "all 4"),
    ("a", False, "single value"),
    (["a", "b"], False, "you gave 2 labels"),
    ([0, 1, 0, 0], False, "look like"),
    (["b", "a", "b", "b"], False, "swap"),
    (["a", "b", "b", "a"], False, "1 of 4 labels differ"),
])
def test_label_answers(answer, passed, phrase):
    result = LABELS.check(answer)
    assert result.passed is passed and phrase in result.reason


TABLE = Exercise.table("cm", CANCER_CONFUSION.array, mistakes=[(np.zeros((3, 3)), "Empty table.")])


@pytest.mark.parametrize("answer, passed, phrase", [
    (CANCER_CONFUSION, True, "every cell"),
    (CANCER_CONFUSION.to_frame(), True, "every cell"),
    (CANCER_CONFUSION.array.T, False, "transposed"),
    (np.zeros((3, 3)), False, "Empty table."),
    (np.ones((2, 2)), False, "shape (2, 2)"),
    (CANCER_CONFUSION.array + 1, False, "add up to 173"),
    (CANCER_CONFUSION.array + np.array([[0, 0, 0], [0, 1, -1], [0, 0, 0]]), False, "2 cells differ"),
    ([["x"]], False, "table of numbers"),
])
def test_table_answers(answer, passed, phrase):
    result = TABLE.check(answer)
    assert result.passed is passed and phrase in result.reason


CHOICE = Exercise.choice("region", "east", ["north", "east", "islands"],
                         mistakes={"islands": "Too few rows."})


@pytest.mark.parametrize("answer, passed, phrase", [
    ("east", True, "'east' is right"),
    ("  EAST ", True, "'east' is right"),
    ("islands", False, "Too few rows."),
    ("north", False, "not it"),
    ("mars", False, "not one of the options"),
    (3, False, "an int"),
])
def test_choice_answers(answer, passed, phrase):
    result = CHOICE.check(answer)
    assert result.passed is passed and phrase in result.reason


def test_choice_accepts_any_of_several_answers_on_a_tie():
    tie = Exercise.choice("tie", ["a", "b"], ["a", "b", "c"])
    assert tie.check("a").passed and tie.check("B").passed and not tie.check("c").passed


def test_check_prints_one_verdict_line_and_returns_the_result(capsys):
    result = check(SHARE, 0.3)
    printed = capsys.readouterr().out
    assert printed == result.summary() + "\n" and printed.startswith("\u2718 not yet [share]")
    assert isinstance(result, CheckResult) and str(result) == result.summary()
    check(SHARE, 0.25, quiet=True)
    assert capsys.readouterr().out == ""


def test_mistakes_accept_pairs_mappings_and_objects():
    forms = [{1.0: "one"}, [(1.0, "one")], [Mistake(1.0, "one")]]
    assert all(Exercise.number("n", 2, mistakes=m).check(1).reason == "one" for m in forms)


def test_named_exercise_errors_are_for_authors_not_students():
    with pytest.raises(ExerciseError) as info:
        check("no_such_exercise", 1)
    assert str(info.value) == UNKNOWN_EXERCISE.format(name="no_such_exercise", known=sorted(exercises.EXERCISES))
    with pytest.raises(ExerciseError, match="missing"):
        check("majority_accuracy", 0.5, y_train=[1])
    with pytest.raises(ExerciseError, match="unexpected"):
        check("cancer_accuracy", 0.7, extra=1)
    with pytest.raises(ExerciseError):
        check(SHARE, 0.25, y_train=[1])


def test_registry_is_read_only_and_complete():
    assert isinstance(exercises.EXERCISES, types.MappingProxyType)
    with pytest.raises(TypeError):
        exercises.EXERCISES["new"] = exercises.cancer_accuracy
    assert set(exercises.EXERCISES) == {"cancer_accuracy", "cancer_recall_grade3", "recall_for",
                                        "majority_accuracy", "honest_accuracy", "weak_slice",
                                        "slice_accuracy", "most_fragile"}


def test_cancer_exercises_expect_the_lecture_values():
    assert check("cancer_accuracy", 116 / 164, quiet=True).passed
    assert check("cancer_accuracy", 0.707, quiet=True).passed
    assert "correct predictions" in check("cancer_accuracy", 116, quiet=True).reason
    assert check("cancer_recall_grade3", 24 / 52, quiet=True).passed
    assert "precision" in check("cancer_recall_grade3", 24 / 37, quiet=True).reason


def test_recall_exercise_spots_the_wrong_positive_class():
    y_true = np.array(["m"] * 10 + ["b"] * 20)
    y_pred = np.array(["m"] * 6 + ["b"] * 22 + ["m"] * 2)
    context = dict(y_true=y_true, y_pred=y_pred, pos_label="m")
    assert check("recall_for", 0.6, quiet=True, **context).passed
    assert "wrong class as positive" in check("recall_for", 0.9, quiet=True, **context).reason
    assert "precision" in check("recall_for", 0.75, quiet=True, **context).reason


def test_majority_exercise_spots_test_labels_and_training_shares():
    y_train = ["a"] * 7 + ["b"] * 3
    y_test = ["b"] * 6 + ["a"] * 4
    context = dict(y_train=y_train, y_test=y_test)
    assert check("majority_accuracy", 0.4, quiet=True, **context).passed
    assert "from the test labels" in check("majority_accuracy", 0.6, quiet=True, **context).reason
    assert "*training* labels" in check("majority_accuracy", 0.7, quiet=True, **context).reason


def test_honest_accuracy_exercise_recognises_the_leaky_estimate():
    assert check("honest_accuracy", 0.52, leaky_score=0.8, quiet=True).passed
    assert "leaky" in check("honest_accuracy", 0.8, leaky_score=0.8, quiet=True).reason


def test_slice_exercises_use_the_planted_truth():
    data = make_noisy_slice_classification(n_samples=200, seed=0)
    assert check("weak_slice", "east", data=data, quiet=True).passed
    assert "too few rows" in check("weak_slice", "islands", data=data, quiet=True).reason
    y_true, y_pred = np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0])
    context = dict(y_true=y_true, y_pred=y_pred, groups=["e", "e", "w", "w"], slice_name="e")
    assert check("slice_accuracy", 0.5, quiet=True, **context).passed
    assert "all rows" in check("slice_accuracy", 0.75, quiet=True, **context).reason


def test_most_fragile_exercise_ranks_by_failure_rate():
    results = [BehaviorResult("invariance", "typo", 100, 20), BehaviorResult("invariance", "name", 100, 1)]
    assert check("most_fragile", "typo", results=results, quiet=True).passed
    assert "most robust" in check("most_fragile", "name", results=results, quiet=True).reason


def test_answer_first_by_mistake_is_an_authoring_error():
    with pytest.raises(ExerciseError, match="exercise name or an Exercise"):
        check(0.707, "cancer_accuracy")


def test_verdict_survives_a_console_without_unicode(monkeypatch, capsys):
    import builtins

    real_print = builtins.print

    def ascii_console(text, *args, **kwargs):
        text.encode("ascii")  # raises UnicodeEncodeError like a cp1252 console would
        real_print(text, *args, **kwargs)

    monkeypatch.setattr(builtins, "print", ascii_console)
    result = check(SHARE, 0.25)
    assert result.passed and capsys.readouterr().out.startswith("? correct [share]")
