"""Killing `mlip grade` mid-batch loses and duplicates nothing; two runs at once are kept apart by a lock."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.records.standing import assignment_status

from ..conftest import make_toy_course, toy_submission

pytestmark = pytest.mark.slow
N = 8


@pytest.fixture
def course_with_pending(tmp_path):
    course = make_toy_course(tmp_path / "course")
    ledger = Ledger(course.default_db_url)
    good = toy_submission(course, tmp_path / "good", solution=True)
    for i in range(N):
        # each student's file differs by a comment so every one is its own attempt
        path = tmp_path / f"s{i}" / "toy.ipynb"
        path.parent.mkdir()
        path.write_text(good.read_text().replace("Toy assignment", f"Toy assignment {i}"))
        submit(course, ledger, "toy", [path], student=f"student{i}", at="2026-09-14T10:00:00Z")
    ledger.close()
    return course


def _grade_cmd(course, *extra):
    return [sys.executable, "-m", "grader.cli", "grade", "toy", "--course", str(course.root), "--jobs", "1", *extra]


def _results(course) -> list[int]:
    with sqlite3.connect(course.private / "ledger.sqlite") as con:
        return [r[0] for r in con.execute("select attempt_id from mlip_results")]


def test_sigkill_mid_batch_then_rerun_grades_the_rest_once(course_with_pending):
    course = course_with_pending
    proc = subprocess.Popen(_grade_cmd(course), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while len(_results(course)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "grading finished before it could be killed; make the batch larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(_results(course))
    assert 2 <= done_before < N
    rerun = subprocess.run(_grade_cmd(course), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"graded {N - done_before} attempt(s)" in rerun.stdout
    ids = _results(course)
    assert len(ids) == N and len(set(ids)) == N
    doc = assignment_status(course, "toy").doc
    assert all(s["attempts"][0]["specs"] == {"square": True, "mean": True} for s in doc["students"])
    assert all(len(s["attempts"]) == 1 for s in doc["students"])


def test_second_grade_run_is_refused_while_one_runs(course_with_pending):
    course = course_with_pending
    first = subprocess.Popen(_grade_cmd(course), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (course.private / "grade.lock").exists() or not (course.private / "grade.lock").read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.1)
    second = subprocess.run(_grade_cmd(course), capture_output=True, text=True, timeout=120)
    assert second.returncode == 1
    assert "another mlip grade is running on this course" in second.stderr
    assert second.stderr.count("\n") == 1
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    ids = _results(course)
    assert len(ids) == N == len(set(ids))
