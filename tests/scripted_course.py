"""A course with a scripted history written straight into the ledger: no kernels, about 3 s.

Reports and feedback pages are computed from the ledger, so a history of attempts and results with known
verdicts (late work, redos, a redo without tokens, an error, a rejected file, a flagged attempt, a pending one,
manual marks) tests them exactly without grading anything.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

from grader.records.ledger import Ledger, Mark, Result

from .conftest import FIXTURES, make_toy_course

DUE = dt.datetime(2026, 9, 15, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
FLAG = "toy.ipynb: test cell mean_test was edited (restored from the release)"

# student, days after the due date, {spec: passed} (None: no result yet), status, flags
HISTORY = [
    ("alice", -3.0, {"square": True, "mean": True}, "graded", ()),
    ("bob", -4.0, {"square": True, "mean": False}, "graded", ()),
    ("bob", -1.0, {"square": True, "mean": True}, "graded", ()),
    ("carol", 1.5, {"square": True, "mean": True}, "graded", ()),
    ("dave", -0.1, {"square": False, "mean": False}, "graded", ()),
    ("erin", -5.0, {"square": False, "mean": True}, "graded", ()),
    ("erin", -2.0, {"square": False, "mean": True}, "graded", ()),
    ("erin", 3.0, {"square": True, "mean": True}, "graded", ()),
    ("frank", -1.0, {"square": False, "mean": False}, "error", ()),
    ("grace", -2.0, {"square": True, "mean": False}, "graded", ()),
    ("grace", 2.0, {"square": True, "mean": False}, "graded", ()),
    ("grace", 6.0, {"square": True, "mean": True}, "graded", ()),
    ("grace", 9.0, {"square": True, "mean": True}, "graded", ()),
    ("heidi", 3.5, {"square": True, "mean": False}, "graded", ()),
    ("judy", -2.0, None, "pending", ()),
    ("mallory", -1.0, {"square": True, "mean": False}, "graded", (FLAG,)),
    ("oscar", -0.5, {"square": True, "mean": True}, "graded", ()),
]
MARKS = [("alice", True, "Clear: one outlier moves the mean, not the median."), ("bob", True, ""),
         ("carol", False, "The answer restates the definition of the mean; say why an outlier moves it."),
         ("erin", True, "")]


def scripted_course(root: Path, *, second: bool = False):
    """A toy course at ``root`` with the scripted history; ``second`` also releases a copy as ``toy-two``."""
    course = make_toy_course(root)
    if second:
        from grader.authoring.release import release

        src = root.parent / f"{root.name}-assignments"
        shutil.copytree(FIXTURES / "toy", src / "toy-two")
        rubric = src / "toy-two" / "rubric.yml"
        rubric.write_text(rubric.read_text().replace("title: Toy assignment", "title: Toy assignment, part two"))
        release(course, "toy-two", assignments_dir=src)
    ledger = Ledger(course.default_db_url)
    try:
        for i, (student, days, specs, status, flags) in enumerate(HISTORY):
            _attempt(ledger, "toy", student, i, days, specs, status, flags)
        ledger.add_attempt(assignment="toy", student="ivan", sha256=_sha("ivan"), origin="scripted", files=[],
                           submitted_at=DUE + dt.timedelta(days=90), intake_status="rejected",
                           reason="submitted after the final deadline (2026-12-10T23:59:00-05:00)")
        for student, passed, comment in MARKS:
            ledger.add_mark(Mark("toy", student, "explain", passed, comment, 1, DUE))
        if second:
            for i, (student, days, square, mean) in enumerate([("alice", -1, True, True), ("bob", -1, True, False),
                                                               ("dave", 2, False, False)]):
                _attempt(ledger, "toy-two", student, 100 + i, days, {"square": square, "mean": mean},
                         "graded", ())
    finally:
        ledger.close()
    return course


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _attempt(ledger, assignment, student, i, days, specs, status, flags):
    attempt, _ = ledger.add_attempt(assignment=assignment, student=student, sha256=_sha(f"{assignment}{i}"),
                                    submitted_at=DUE + dt.timedelta(days=days), origin="scripted", files=[])
    if specs is None:
        return
    reason = "toy.ipynb: notebook time limit of 300 s reached" if status == "error" else ""
    ledger.add_result(Result(attempt.id, attempt.submitted_at + dt.timedelta(minutes=5), status, reason, specs,
                             {}, tuple(flags), "bwrap", 2.0, judge="separate"))
