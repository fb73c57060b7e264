"""Every assignment's rubric tells right from wrong: the solution passes every automatic spec, the blank
release passes none, and each fixture of a plausible mistake gets exactly the verdicts it declares."""
from pathlib import Path

import pytest

from grader.records.course import init_course
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.model.nbcells import read_notebook
from grader.authoring.release import release
from grader.records.standing import assignment_status
from grader.authoring.submissions import load_answer_file, solution_answers, write_submission

KIT = Path(__file__).resolve().parents[2]
FIXTURES = KIT / "tests" / "fixtures"
# model-quality has its own, longer story in test_model_quality.py
ASSIGNMENTS = sorted(p.parent.name for p in (KIT / "assignments").glob("*/rubric.yml")
                     if p.parent.name != "model-quality")
AT = "2026-01-01T00:00:00+00:00"
ALT = "alt_"
"""Fixtures named alt_*.yml are other correct solutions (a different library call, a loop, NumPy scalars...)."""
# assignments with alternative correct solutions; those with a mutation report (assignments/A/mutants.json) need two
STRENGTHENED = [a for a in ASSIGNMENTS if (KIT / "assignments" / a / "mutants.json").is_file()
                or any((FIXTURES / a).glob("alt_*.yml"))]


def cases(assignment: str) -> dict[str, tuple[dict, dict | None]]:
    """student id -> (answers per notebook, expected auto verdicts or None for all-pass / all-fail)."""
    return {f.stem: load_answer_file(f) for f in sorted((FIXTURES / assignment).glob("*.yml"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if not ASSIGNMENTS:
        pytest.skip("no assignments besides model-quality yet")
    root = tmp_path_factory.mktemp("all")
    course = init_course(root / "course")
    ledger = Ledger(course.default_db_url)
    try:
        for name in ASSIGNMENTS:
            rel = release(course, name, assignments_dir=KIT / "assignments", due="2100-01-01T00:00:00+00:00",
                          final="2100-06-01T00:00:00+00:00")
            students = {"solution": None, "blank": None, **cases(name)}
            for student, fixture in students.items():
                folder = root / name / student
                for nb_name in rel.notebooks:
                    source = read_notebook(course.source_dir(name) / nb_name)
                    if student == "solution":
                        answers = solution_answers(source)
                    elif student == "blank":
                        answers = {}
                    else:
                        own = {c.grade_id for c in rel.cells if c.notebook == nb_name}
                        answers = {k: v for k, v in fixture["cells"].items() if k in own}
                    write_submission(course.release_dir(name) / nb_name, answers, folder / nb_name)
                submit(course, ledger, name, [folder], student=student, at=AT)
    finally:
        ledger.close()
    grade(course, jobs=2)
    return {name: assignment_status(course, name).doc for name in ASSIGNMENTS}


def _verdicts(doc, student):
    rows = [s for s in doc["students"] if s["student"] == student]
    assert rows, f"{student} was not graded"
    attempt = rows[0]["attempts"][-1]
    assert attempt["status"] == "graded", f"{student}: {attempt['status']} {attempt['reason']}"
    return attempt["specs"]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_passes_all_and_blank_none(graded, assignment):
    doc = graded[assignment]
    assert all(_verdicts(doc, "solution").values()), _verdicts(doc, "solution")
    assert not any(_verdicts(doc, "blank").values()), _verdicts(doc, "blank")
    assert doc["max_points"] == 100


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_mistake_fails_exactly_its_spec(graded, assignment):
    fixtures = {k: v for k, v in cases(assignment).items() if not k.startswith(ALT)}
    assert len(fixtures) >= 3, f"{assignment} needs at least three fixtures of plausible mistakes"
    for student, fixture in fixtures.items():
        expected = fixture["expect"]
        assert sum(not v for v in expected.values()) >= 1, f"{student} targets no spec"
        assert _verdicts(graded[assignment], student) == expected, student


@pytest.mark.slow
@pytest.mark.parametrize("assignment", STRENGTHENED)
def test_other_right_answers_pass_every_spec(graded, assignment):
    """Tests strong enough to kill every mutant must still accept a right answer written another way."""
    alternatives = {k: v for k, v in cases(assignment).items() if k.startswith(ALT)}
    assert len(alternatives) >= 2, f"{assignment} needs at least two alternative correct solutions ({ALT}*.yml)"
    for student, fixture in alternatives.items():
        assert all(fixture["expect"].values()), f"{student} is an alternative solution: expect every spec true"
        assert _verdicts(graded[assignment], student) == fixture["expect"], student
