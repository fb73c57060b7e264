"""Feedback pages from a scripted ledger: goldens, the order a student reads in, and nothing of the tests."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.outputs.feedback import changes, render_page, write_feedback
from grader.records.course import released_rubric
from grader.records.standing import assignment_status

from ..conftest import FIXTURES
from ..scripted_course import scripted_course

GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return scripted_course(tmp_path_factory.mktemp("feedback") / "course")


@pytest.fixture(scope="module")
def pages(course):
    return {p.stem: p.read_text(encoding="utf-8") for p in write_feedback(course, "toy")}


@pytest.mark.parametrize("student", ["bob", "grace"])
def test_pages_match_their_goldens(pages, student, update_goldens):
    golden = GOLDENS / f"feedback-{student}.html"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(pages[student], encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert pages[student] == expected, f"regenerate with pytest --update-goldens if {golden.name} should change"


def test_spec_table_comes_first_then_changes_standing_and_history(pages):
    bob = pages["bob"]
    order = [bob.index(x) for x in ("<h2>Specifications</h2>", "<h2>What changed since attempt 1</h2>",
                                    "<h2>Standing and tokens</h2>", "<h2>Attempt history</h2>")]
    assert order == sorted(order)
    assert "<b>Now passes:</b> mean() returns the arithmetic mean" in bob
    assert "Points of the attempt: 60 \u2192 100" in bob and "tokens left" in bob
    assert "width=device-width" in bob


def test_what_each_student_is_told(pages):
    assert "Attempt 4 was recorded but does not count: a redo after the due date costs 3 tokens" in pages["grace"]
    assert "you do not have enough tokens left for one" in pages["grace"]
    assert "Attempt 1 is waiting to be graded" in pages["judy"] and "Nothing has been graded yet." in pages["judy"]
    assert "could not run to its end (toy.ipynb: notebook time limit of 300 s reached)" in pages["frank"]
    assert "flagged for a person on the course staff" in pages["mallory"]
    assert "mean_test" not in pages["mallory"]  # how the harness caught it stays with the staff
    assert "The answer restates the definition of the mean" in pages["carol"]  # the marker's comment
    assert "This is your first graded attempt" in pages["alice"] and "enough for 2 redos" in pages["alice"]
    assert "submitted after the final deadline (2026-12-10T23:59:00-05:00)." in pages["ivan"]


def test_no_test_source_on_any_page(pages):
    source = nbformat.read(FIXTURES / "toy" / "toy.ipynb", as_version=4)
    lines = [line.strip() for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution") for line in c.source.splitlines()
             if line.strip() and not line.startswith("###")]
    assert lines
    for student, html in pages.items():
        for line in lines:
            assert line not in html, f"{student}'s page shows test code {line!r}"


def test_changes_compare_the_last_two_counted_attempts(course):
    doc = assignment_status(course, "toy").doc
    grace = next(s for s in doc["students"] if s["student"] == "grace")
    assert changes(grace["attempts"]) == {"mean": "now passes"}  # attempt 3 against 2; 4 did not count
    went_back = [{"specs": {"a": True, "b": True}, "status": "graded"},
                 {"specs": {"a": False, "b": True}, "status": "late"}]
    assert changes(went_back) == {"a": "no longer passes"}


def test_a_page_renders_without_the_rubric(course):
    doc = assignment_status(course, "toy").doc
    bare = render_page(doc, doc["students"][0])
    assert "<h2>Specifications</h2>" in bare and "costs" not in bare and ">40</td>" not in bare
    full = render_page(doc, doc["students"][0], rubric=released_rubric(course, "toy"))
    assert "costs 3 tokens" in full and ">40</td>" in full
