import pytest

from grader.model.errors import RubricError
from grader.model.nbcells import GradedCell
from grader.model.rubric import Policy, draft_rubric, load_rubric, rubric_from_mapping, rubric_to_yaml, validate_against


def cell(gid, *, test=True, points=1.0):
    return GradedCell("a.ipynb", gid, "code" if test else "markdown", True, not test, True, False, points, gid)


BASE = {"title": "t", "specs": [
    {"id": "one", "points": 60, "title": "first", "tests": ["t1", "t2"], "message": "m"},
    {"id": "two", "points": 40, "title": "second", "kind": "manual", "cells": ["answer"]},
]}
CELLS = [cell("t1"), cell("t2"), cell("answer", test=False)]


def test_valid_rubric_passes_validation_and_sums_points():
    rubric = rubric_from_mapping(BASE)
    validate_against(rubric, CELLS)
    assert rubric.max_points == 100
    assert [s.id for s in rubric.auto_specs] == ["one"]
    assert rubric.policy == Policy()


def test_unknown_grade_id_is_a_clear_error():
    data = {**BASE, "specs": [{**BASE["specs"][0], "tests": ["t1", "t2", "t9"]}, BASE["specs"][1]]}
    with pytest.raises(RubricError, match="names test cell 't9', which no notebook has") as err:
        validate_against(rubric_from_mapping(data), CELLS)
    assert err.value.grade_id == "t9" and err.value.spec == "one"


def test_test_cell_in_two_specs_is_rejected():
    data = {"title": "t", "specs": [{"id": "a", "points": 5, "tests": ["t1", "t2"]},
                                   {"id": "b", "points": 5, "tests": ["t2"]}]}
    with pytest.raises(RubricError, match="belongs to both 'a' and 'b'"):
        validate_against(rubric_from_mapping(data), CELLS)


def test_orphan_test_cell_is_rejected():
    data = {"title": "t", "specs": [{"id": "a", "points": 5, "tests": ["t1"]}]}
    with pytest.raises(RubricError, match="t2 belong to no spec"):
        validate_against(rubric_from_mapping(data), CELLS)


def test_answer_cell_named_as_test_gets_a_hint():
    data = {"title": "t", "specs": [{"id": "a", "points": 5, "tests": ["t1", "t2", "answer"]}]}
    with pytest.raises(RubricError, match="it is an answer cell"):
        validate_against(rubric_from_mapping(data), CELLS)


@pytest.mark.parametrize("spec, message", [
    ({"id": "a", "points": 5}, "names no `tests`"),
    ({"id": "a", "points": -1, "tests": ["t1"]}, "needs `points`"),
    ({"id": "a", "points": 5, "tests": ["t1"], "kind": "robot"}, "kind 'robot'"),
    ({"points": 5, "tests": ["t1"]}, "has no `id`"),
    ({"id": "a", "points": 5, "tests": ["t1"], "weight": 2}, "unknown keys"),
])
def test_malformed_specs(spec, message):
    with pytest.raises(RubricError, match=message):
        rubric_from_mapping({"title": "t", "specs": [spec]})


def test_duplicate_spec_ids_and_bad_dates():
    with pytest.raises(RubricError, match="appears twice"):
        rubric_from_mapping({"title": "t", "specs": [{"id": "a", "points": 1, "tests": ["x"]}] * 2})
    with pytest.raises(RubricError, match="not an ISO-8601 time"):
        rubric_from_mapping({**BASE, "due": "next tuesday"})
    with pytest.raises(RubricError, match="before `due`"):
        rubric_from_mapping({**BASE, "due": "2026-09-15T00:00:00Z", "final": "2026-09-01T00:00:00Z"})
    with pytest.raises(RubricError, match="unknown policy keys"):
        rubric_from_mapping({**BASE, "policy": {"tokenz": 3}})


def test_bad_yaml_names_the_line(tmp_path):
    path = tmp_path / "rubric.yml"
    path.write_text("title: x\nspecs:\n  - id: [unclosed\n")
    with pytest.raises(RubricError, match="not valid YAML at line"):
        load_rubric(path)


def test_yaml_round_trip_and_draft(tmp_path):
    rubric = rubric_from_mapping({**BASE, "due": "2026-09-15T23:59:00-04:00"})
    path = tmp_path / "rubric.yml"
    path.write_text(rubric_to_yaml(rubric))
    again = load_rubric(path)
    assert again.specs == rubric.specs and again.due == rubric.due
    draft = draft_rubric(CELLS, title="d")
    assert [(s.id, s.kind) for s in draft.specs] == [("t1", "auto"), ("t2", "auto"), ("answer", "manual")]
    validate_against(draft, CELLS)
