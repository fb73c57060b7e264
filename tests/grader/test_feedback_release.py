"""Held feedback: pages say received and graded, never a verdict, until the feedback is released."""
import csv
import io
import re
import shutil

import pytest

from grader.authoring.release import release
from grader.cli import main
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.outputs.export import export
from grader.records import ledger as L
from grader.records.course import init_course
from grader.records.standing import assignment_status
from grader.model.errors import RubricError
from grader.model.rubric import rubric_from_mapping

from ..conftest import FIXTURES, toy_submission

HALF = {"square_answer": "def square(x):\n    return x * x", "mean_answer": "def mean(xs):\n    return 0"}
TITLES = ["square() returns the square", "mean() returns the arithmetic mean", "explains why the mean"]
MESSAGE = "mean() does not return the arithmetic mean"


def test_the_rubric_names_a_feedback_mode():
    base = {"title": "t", "specs": [{"id": "s", "points": 1, "tests": ["t"]}]}
    assert rubric_from_mapping(base).feedback == "immediate"
    assert rubric_from_mapping({**base, "feedback": "after_due"}).feedback == "after_due"
    with pytest.raises(RubricError, match="immediate, after_due or manual"):
        rubric_from_mapping({**base, "feedback": "later"})


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("held")
    shutil.copytree(FIXTURES / "toy", tmp / "src" / "toy")
    rubric = tmp / "src" / "toy" / "rubric.yml"
    rubric.write_text(rubric.read_text() + "feedback: manual\n")
    course = init_course(tmp / "course")
    release(course, "toy", assignments_dir=tmp / "src")
    led = L.Ledger(course.default_db_url)
    submit(course, led, "toy", [toy_submission(course, tmp / "half", HALF)], student="ann",
           at="2026-09-10T10:00:00Z")
    submit(course, led, "toy", [toy_submission(course, tmp / "good", solution=True)], student="ben",
           at="2026-09-11T10:00:00Z")
    led.close()
    assert grade(course, "toy", jobs=2).graded == 2
    return course


def _feedback(course, *extra):
    assert main(["feedback", "toy", "--course", str(course.root), *extra]) == 0
    return {p.stem: p.read_text() for p in course.feedback_dir("toy").glob("*.html")}


def _text(page):
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))


def _says_nothing_about_specs(page):
    text = _text(page)
    assert "received and graded" in text and "tokens left" in text
    for words in TITLES + [MESSAGE, "passed", "not yet", "points", "/ 100", " 40", " 80", "pass", "fail"]:
        assert words not in text, words
    assert "square_hidden" not in page and "assert" not in page


@pytest.mark.slow
def test_held_pages_show_no_verdict_and_release_publishes_them(held, capsys):
    pages = _feedback(held)
    assert "2 held" in capsys.readouterr().out
    for page in pages.values():
        _says_nothing_about_specs(page)
        assert "when the course staff release it" in page
    rows = list(csv.reader(io.StringIO(export(held, fmt="canvas"))))
    assert [r[-1] for r in rows[2:]] == ["", ""]  # export follows the rule ...
    rows = list(csv.reader(io.StringIO(export(held, fmt="canvas", everything=True))))
    assert [r[-1] for r in rows[2:]] == ["40", "80"]  # ... unless --all
    doc = assignment_status(held, "toy").doc  # the staff's status shows everything, and the state
    assert doc["feedback"]["mode"] == "manual" and doc["feedback"]["released_at"] is None
    assert {s["student"]: s["points"] for s in doc["students"]} == {"ann": 40, "ben": 80}

    pages = _feedback(held, "--release")
    assert MESSAGE in pages["ann"] and "40 / 100" in pages["ann"]
    assert TITLES[0] in pages["ben"] and "received and graded" not in pages["ben"]
    doc = assignment_status(held, "toy").doc
    assert doc["feedback"]["released_at"] and doc["feedback"]["released_by"]
    rows = list(csv.reader(io.StringIO(export(held, fmt="canvas"))))
    assert [r[-1] for r in rows[2:]] == ["40", "80"]

    # holding again by command takes effect; after_due follows each student's own due date
    pages = _feedback(held, "--mode", "after_due")  # the toy's due date has passed: shown
    assert MESSAGE in pages["ann"]
    assert main(["extend", "toy", "--student", "ann", "--due", "2099-01-01T00:00:00Z",
                 "--course", str(held.root)]) == 0
    pages = _feedback(held)
    _says_nothing_about_specs(pages["ann"])
    assert "after your due date, 2099-01-01" in pages["ann"] and MESSAGE not in pages["ann"]
    assert TITLES[0] in pages["ben"]
    events = [r.event for r in L.Ledger(held.default_db_url).rows(L.feedback_events)]
    assert events == ["release", "mode:after_due"]
