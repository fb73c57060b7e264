"""Manual marks: a person decides a manual spec line; the mark is appended, never overwritten."""
from __future__ import annotations

from grader.records.course import Course
from grader.model.errors import RubricError, UsageError
from grader.records.ledger import Ledger, Mark, now_utc
from grader.records.course import released_rubric


def mark(course: Course, assignment: str, *, student: str, spec: str, passed: bool, comment: str = "",
         db_url: str | None = None) -> Mark:
    """Record a pass or fail for a manual spec of one student's latest attempt."""
    rubric = released_rubric(course, assignment)
    line = rubric.spec(spec)
    if line.is_auto:
        raise RubricError(
            f"spec {spec!r} is automatic; its verdict comes from the tests (manual specs: "
            f"{', '.join(s.id for s in rubric.manual_specs) or 'none'})", spec=spec)
    ledger = Ledger(db_url or course.default_db_url)
    try:
        mine = ledger.attempts(assignment, student)
        if not mine:
            raise UsageError(f"{student!r} has no attempt of {assignment}; check the id with `mlip status {assignment}`")
        m = Mark(assignment, student, spec, passed, comment, mine[-1].number, now_utc())
        ledger.add_mark(m)
    finally:
        ledger.close()
    return m
