"""The whole path on the small toy assignment: submit, grade in parallel, status, marks, feedback, export."""
import csv
import io
import json
import subprocess
import sys

import nbformat
import pytest

from grader.outputs.export import export
from grader.outputs.feedback import write_feedback
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.records.marking import mark
from grader.records.standing import assignment_status

from ..conftest import FIXTURES, make_toy_course, toy_submission

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("toy")
    c = make_toy_course(tmp_path / "course")
    led = Ledger(c.default_db_url)
    good = toy_submission(c, tmp_path / "good", solution=True)
    half = toy_submission(c, tmp_path / "half", {"square_answer": "def square(x):\n    return x * x",
                                                 "mean_answer": "def mean(xs):\n    return sum(xs) // len(xs)"})
    blank = toy_submission(c, tmp_path / "blank")
    # a student who edits the visible test to make it pass and deletes the hidden one
    nb = nbformat.read(half, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != "square_hidden"]
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "mean_test":
            cell.source = "pass"
    (tmp_path / "cheat").mkdir()
    nbformat.write(nb, tmp_path / "cheat" / "toy.ipynb")
    submit(c, led, "toy", [good], student="alice", at="2026-09-14T10:00:00Z")
    submit(c, led, "toy", [half], student="bob", at="2026-09-14T10:00:00Z")
    submit(c, led, "toy", [good], student="bob", at="2026-09-15T10:00:00Z")
    submit(c, led, "toy", [good], student="carol", at="2026-09-17T10:00:00Z")
    submit(c, led, "toy", [blank], student="dave", at="2026-09-14T10:00:00Z")
    submit(c, led, "toy", [tmp_path / "cheat" / "toy.ipynb"], student="mallory", at="2026-09-14T10:00:00Z")
    led.close()
    report = grade(c, "toy", jobs=2)
    assert report.graded == 6 and report.errors == 0
    return c


def test_status_has_exact_verdicts_points_and_tokens(graded):
    doc = assignment_status(graded, "toy").doc
    s = {x["student"]: x for x in doc["students"]}
    verdict = {k: {sid: v["passed"] for sid, v in x["specs"].items()} for k, x in s.items()}
    assert verdict["alice"] == {"square": True, "mean": True, "explain": None}
    assert verdict["bob"] == {"square": True, "mean": True, "explain": None}
    assert verdict["dave"] == {"square": False, "mean": False, "explain": None}
    assert verdict["mallory"] == {"square": True, "mean": False, "explain": None}
    assert [a["specs"] for a in s["bob"]["attempts"]] == [{"square": True, "mean": False},
                                                          {"square": True, "mean": True}]
    assert s["bob"]["attempts"][0]["messages"] == {"mean": "mean() does not return the arithmetic mean of its input."}
    assert s["carol"]["attempts"][0]["status"] == "late" and s["carol"]["tokens_left"] == 6
    assert (s["alice"]["points"], s["bob"]["points"], s["dave"]["points"]) == (80, 80, 0)
    assert s["mallory"]["flagged"] and "was edited" in " ".join(s["mallory"]["flagged"])
    assert "was missing" in " ".join(s["mallory"]["flagged"])
    assert doc["max_points"] == 100


def test_feedback_pages_hold_no_test_source(graded):
    pages = write_feedback(graded, "toy")
    assert len(pages) == 5
    source = nbformat.read(FIXTURES / "toy" / "toy.ipynb", as_version=4)
    tests = [c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and
             not c.metadata["nbgrader"].get("solution")]
    for page in pages:
        html = page.read_text()
        for src in tests:
            for line in src.splitlines():
                if line.strip() and not line.startswith("###"):
                    assert line.strip() not in html, f"{page.name} shows test code {line!r}"
        assert "square(-4)" not in html and "HIDDEN" not in html
    bob = (graded.feedback_dir("toy") / "bob.html").read_text()
    assert "now passes" in bob and "tokens left" in bob


def test_canvas_and_plain_exports(graded):
    rows = list(csv.reader(io.StringIO(export(graded, fmt="canvas"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1][5] == "100"
    points = {r[0]: r[5] for r in rows[2:]}
    assert points == {"alice": "80", "bob": "80", "carol": "80", "dave": "0", "mallory": "40"}
    plain = list(csv.DictReader(io.StringIO(export(graded, fmt="csv"))))
    assert {(r["student"], r["spec"], r["passed"]) for r in plain if r["student"] == "dave"} == {
        ("dave", "square", "False"), ("dave", "mean", "False"), ("dave", "explain", "")}


def test_cli_contract(graded, tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "grader.cli", *a], capture_output=True, text=True)
    out = run("status", "toy", "--course", str(graded.root), "--json")
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert set(doc) >= {"assignment", "max_points", "students"}
    student = doc["students"][0]
    assert set(student) >= {"student", "points", "tokens_left", "flagged", "specs", "attempts"}
    assert set(student["attempts"][0]) >= {"attempt", "submitted_at", "status", "specs", "manual", "messages"}
    wrong = run("status", "toyy", "--course", str(graded.root))
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1 and "no assignment named 'toyy'" in wrong.stderr
    spec = run("mark", "toy", "--student", "alice", "--spec", "square", "--pass", "--course", str(graded.root))
    assert spec.returncode == 1 and "is automatic" in spec.stderr
    usage = run("grade", "--jobs")
    assert usage.returncode == 2
    nocourse = run("status", "toy", "--course", str(tmp_path / "nowhere"))
    assert nocourse.returncode == 1 and "mlip course init" in nocourse.stderr


def test_regrade_after_completion_does_nothing_and_marks_count(graded):
    assert grade(graded, "toy", jobs=1).graded == 0
    mark(graded, "toy", student="alice", spec="explain", passed=True, comment="clear")
    mark(graded, "toy", student="dave", spec="explain", passed=False, comment="missing")
    doc = assignment_status(graded, "toy").doc
    s = {x["student"]: x for x in doc["students"]}
    assert s["alice"]["points"] == 100 and s["alice"]["specs"]["explain"]["passed"] is True
    assert s["dave"]["specs"]["explain"] == {"kind": "manual", "passed": False, "attempt": 1, "comment": "missing"}
