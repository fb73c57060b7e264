"""The checker never raises on an answer, and says why a wrong answer is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlip_helpers
from mlip_helpers import evaluation, exercises, invariants
from mlip_helpers.checker import NOT_ANSWERED, CheckResult, Exercise, Mistake, check
from mlip_helpers.datasets import CANCER_CONFUSION, make_noisy_slice_classification
from mlip_helpers.errors import ExerciseError

SHARE = Exercise.number("share", 0.25, tolerance=1e-3, share=True, mistakes={0.4: "That is the other class."}, hint="Count again.")


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
    (0.3, "too high"),
    (0.2, "too low"),
    (0.253, "too high"),
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
    (["a", "b", "b", "a"], False, "the first at position 2"),
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
    (CANCER_CONFUSION.array + 1, False, "do not add up"),
    (CANCER_CONFUSION.array + np.array([[0, 0, 0], [0, 1, -1], [0, 0, 0]]), False, "some cells differ"),
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
    ("north", False, "is not it"),
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


def test_check_takes_an_exercise_and_no_data_of_its_own():
    with pytest.raises(ExerciseError, match="takes an exercise first"):
        check("cancer_accuracy", 1)
    with pytest.raises(ExerciseError, match="no data of its own"):
        check(SHARE, 0.25, y_train=[1])


def test_lectures_are_found_without_a_registry():
    found = {lecture.notebook: lecture for lecture in exercises.lectures()}
    assert "04-model-correctness" in found and "05-model-testing" in found
    assert found["04-model-correctness"].module == "mlip_helpers.evaluation"


def test_cancer_exercises_expect_the_lecture_values():
    accuracy = evaluation.cancer_accuracy_exercise()
    assert accuracy.check(116 / 164).passed and accuracy.check(0.707).passed
    assert "correct predictions" in accuracy.check(116).reason
    recall = evaluation.grade3_recall_exercise()
    assert recall.check(24 / 52).passed and "precision, not recall" in recall.check(24 / 37).reason


def test_recall_exercise_spots_the_wrong_positive_class():
    y_true = np.array(["m"] * 10 + ["b"] * 20)
    y_pred = np.array(["m"] * 6 + ["b"] * 22 + ["m"] * 2)
    exercise = evaluation.recall_exercise(y_true, y_pred, pos_label="m")
    assert exercise.check(0.6).passed
    assert "wrong class as positive" in exercise.check(0.9).reason
    assert "precision" in exercise.check(0.75).reason


def test_recall_exercise_leaves_out_a_mistake_it_cannot_tell_apart():
    y_true = np.array(["m", "m", "b", "b"])
    y_pred = np.array(["m", "b", "m", "b"])  # precision equals recall here
    exercise = evaluation.recall_exercise(y_true, y_pred, pos_label="m")
    assert exercise.check(0.5).passed and not any("precision" in m.explanation for m in exercise.mistakes)


def test_slice_exercises_use_the_planted_truth():
    data = make_noisy_slice_classification(n_samples=2000, seed=0)
    weak = invariants.weak_slice_exercise(data)
    assert weak.check("east").passed and "too few rows" in weak.check("islands").reason
    assert "in line with" in weak.check("north").reason
    y_true, y_pred = np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0])
    inside = invariants.slice_accuracy_exercise(y_true, y_pred, ["e", "e", "w", "w"], "e")
    assert inside.check(0.5).passed and "all rows" in inside.check(0.75).reason


def test_answer_first_by_mistake_is_an_authoring_error():
    with pytest.raises(ExerciseError, match="takes an exercise first"):
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


def test_numbers_never_state_the_gap_to_the_answer():
    for wrong in (0.2, 0.3, 0.9, 3.0, -1.0):
        reason = SHARE.check(wrong).reason
        assert "0.05" not in reason and "0.25" not in reason and "allowed error" not in reason


def test_relative_tolerance_for_tiny_values():
    p_value = Exercise.number("p", 4.9e-9, relative=0.01)
    assert p_value.tolerance_kind == "relative"
    assert p_value.check(4.92e-9).passed and not p_value.check(0).passed and not p_value.check(5.2e-9).passed
    with pytest.raises(ExerciseError):
        Exercise.number("p", 1.0, tolerance=0.1, relative=0.1)


COUNT = Exercise.count("days", 12, mistakes={30: "That counts every day."})


@pytest.mark.parametrize("answer, passed, phrase", [
    (12, True, "right"), (np.int64(12), True, "right"), (12.0, True, "right"),
    (30, False, "every day"), (12.5, False, "whole number"), (13, False, "too high"), (1.1, False, "whole"),
    (11, False, "too low"), (-3, False, "negative"), ("12", False, "remove the quotes"),
])
def test_counts_are_exact_and_never_called_shares(answer, passed, phrase):
    result = COUNT.check(answer)
    assert result.passed is passed and phrase in result.reason
    assert "share" not in result.reason and "percentage" not in result.reason


def test_ids_are_exact_without_direction():
    version = Exercise.id("version", 7, mistakes={6: "That is the version before the bad one."})
    assert version.check(7).passed and "before" in version.check(6).reason
    assert version.check(8).reason == "that is not the one." and "quotes" in version.check("7").reason


@pytest.mark.parametrize("answer, passed, phrase", [
    (["b", "a"], True, "right"), ({"A", " b"}, True, "right"), (["a"], False, "missing"),
    (["a", "b", "c"], False, "do not belong"), (["a", "c"], False, "and some are missing"),
    ("ab", False, "a str"), (["a", "a", "b"], False, "twice"),
])
def test_sets_ignore_order(answer, passed, phrase):
    result = Exercise.set("pair", ["a", "b"]).check(answer)
    assert result.passed is passed and phrase in result.reason


def test_lists_keep_order():
    steps = Exercise.list("steps", ["x", "y", "z"])
    assert steps.check(["x", "y", "z"]).passed and "wrong order" in steps.check(["z", "y", "x"]).reason
    assert "expects 3" in steps.check(["x"]).reason and "1 of 3" in steps.check(["x", "q", "r"]).reason


def test_every_choice_option_can_carry_its_own_explanation():
    pick = Exercise.choice("pick", "b", {"a": "A is too slow.", "b": "B is cheap and fast.", "c": "C leaks."})
    assert pick.check("b").reason.endswith("B is cheap and fast.")
    assert pick.check("a").reason == "A is too slow." and pick.check("c").reason == "C leaks."


def test_code_exercises_run_hidden_cases_and_never_show_their_expected_output():
    from mlip_helpers.checker import Case

    cases = [Case("a list with a repeated value", ([3, 3, 1],), lambda out: out == 3, "the most common value "
                  "is the one that occurs most often."),
             Case("an empty list", ([],), lambda out: out is None, "an empty list has no most common value; "
                  "return None.")]
    mode = Exercise.code("mode", cases=cases, solution=lambda xs: max(xs, key=xs.count) if xs else None)
    assert mode.check(mode.solution).passed
    assert "an empty list" in mode.check(lambda xs: max(xs, key=xs.count)).reason
    assert "raised ValueError" in mode.check(lambda xs: max(xs, key=xs.count)).reason
    assert "occurs most often" in mode.check(lambda xs: xs[-1] if xs else None).reason
    assert "a function" in mode.check(3).reason and not mode.check(3).passed
    data = [3, 3, 1]
    mode.check(lambda xs: xs.clear())  # a student's function may not change the hidden cases
    assert mode.cases[0].args == ([3, 3, 1],) and data == [3, 3, 1]
