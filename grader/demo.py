"""`mlip demo`: a course, an assignment released, four students submit and resubmit, grading, standing."""
from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

from grader.records.course import CONFIG_FILE, init_course
from grader.outputs.export import export
from grader.outputs.feedback import write_feedback
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.records.marking import mark
from grader.model.nbcells import read_notebook
from grader.authoring.release import release
from grader.execution.sandbox import bwrap_works
from grader.records.standing import assignment_status, format_table
from grader.authoring.submissions import load_answer_file, solution_answers, write_submission

KIT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "model-quality"
DUE = dt.datetime(2026, 9, 15, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-4)))


def _answers(name: str, source) -> dict[str, str]:
    if name == "solution":
        return solution_answers(source)
    if name == "blank":
        return {}
    return load_answer_file(KIT / "tests" / "fixtures" / ASSIGNMENT / f"{name}.yml")["cells"]


# (student, answers, submitted relative to the due date)
SCRIPT = [
    ("alice", "solution", dt.timedelta(days=-2)),
    ("bob", "partial", dt.timedelta(days=-3)),
    ("dave", "blank", dt.timedelta(hours=-1)),
    ("carol", "solution", dt.timedelta(days=1, hours=12)),
    ("bob", "fixed", dt.timedelta(days=5)),
]


def demo(directory: str | Path = "build/demo-course", *, jobs: int = 2, echo=print) -> dict:
    """Run the whole path on embedded defaults and return the status document."""
    start = time.monotonic()
    root = Path(directory).resolve()
    if root.exists():
        if not (root / CONFIG_FILE).exists() or not (root / ".mlip-demo").exists():
            from grader.model.errors import CourseError

            raise CourseError(f"{root} exists and is not a demo course; pick another --dir")
        shutil.rmtree(root)
    course = init_course(root, course_id="mlip-demo")
    (root / ".mlip-demo").write_text("made by mlip demo; safe to delete\n")
    rel = release(course, ASSIGNMENT, assignments_dir=KIT / "assignments")
    echo(f"released {ASSIGNMENT}: {len(rel.rubric.specs)} specs, {rel.rubric.max_points:g} points, "
         f"due {rel.rubric.due.isoformat()}")
    source = read_notebook(course.source_dir(ASSIGNMENT) / rel.notebooks[0])
    ledger = Ledger(course.default_db_url)
    try:
        for n, (student, answers, offset) in enumerate(SCRIPT):
            folder = root.parent / f".demo-work-{root.name}" / f"{student}-{n}"
            write_submission(course.release_dir(ASSIGNMENT) / rel.notebooks[0], _answers(answers, source),
                             folder / rel.notebooks[0])
            at = (rel.rubric.due + offset).isoformat()
            intake = submit(course, ledger, ASSIGNMENT, [folder], student=student, at=at)
            echo(f"  {student} submits ({answers}) at {at}: attempt {intake.attempt.number}")
    finally:
        ledger.close()
        shutil.rmtree(root.parent / f".demo-work-{root.name}", ignore_errors=True)
    sandbox = "bwrap" if bwrap_works() else "none"
    if sandbox == "none":
        echo("note: bubblewrap is not available, so the demo grades its own (trusted) notebooks without a sandbox")
    report = grade(course, ASSIGNMENT, jobs=jobs, sandbox=sandbox,
                   progress=lambda a, o: echo(f"  graded {a.student} #{a.number}: {o.status} in {o.seconds:.1f} s"))
    echo(f"graded {report.graded} attempts with {jobs} workers in {report.seconds:.1f} s")
    for spec in rel.rubric.manual_specs:
        for student, ok in (("alice", True), ("bob", True), ("carol", True), ("dave", False)):
            mark(course, ASSIGNMENT, student=student, spec=spec.id, passed=ok,
                 comment="" if ok else "No justification was written.")
    status = assignment_status(course, ASSIGNMENT)
    echo("")
    echo(format_table(status))
    pages = write_feedback(course, ASSIGNMENT)
    (root / "grades.csv").write_text(export(course), encoding="utf-8")
    echo("")
    echo(f"feedback pages: {pages[0].parent}")
    echo(f"Canvas CSV: {root / 'grades.csv'}")
    echo(f"demo finished in {time.monotonic() - start:.1f} s; explore with `mlip status {ASSIGNMENT} --course {root}`")
    return status.doc
