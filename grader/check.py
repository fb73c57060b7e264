"""`mlip check`: the solution passes every automatic spec and the blank release passes none."""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course import find_assignment_source, init_course
from .grading import Limits, grade
from .intake import submit
from .ledger import Ledger
from .nbcells import read_notebook
from .release import release
from .standing import assignment_status
from .submissions import solution_answers, write_submission


@dataclass(frozen=True)
class CheckReport:
    """Verdicts of the solution and of the blank release, per automatic spec."""

    assignment: str
    solution: dict
    blank: dict
    problems: tuple[str, ...]
    details: tuple[str, ...] = ()
    """Why the solution failed: the failing test cells and their errors (for the author, never students)."""
    derived: bool = False
    """True when the assignment has no rubric.yml and one spec per test cell was derived."""

    @property
    def ok(self) -> bool:
        """True when the solution passes everything and the blank release nothing."""
        return not self.problems


def check(assignment: str, *, assignments_dir: str | Path | None = None, jobs: int = 2,
          limits: Limits | None = None, sandbox: str = "bwrap") -> CheckReport:
    """Release ``assignment`` into a scratch course and grade its solution and its blank student version."""
    src = find_assignment_source(None, assignment, Path(assignments_dir) if assignments_dir else None)
    with tempfile.TemporaryDirectory(prefix="mlip-check-") as tmp:
        course = init_course(Path(tmp) / "course")
        rel = release(course, assignment, assignments_dir=src.parent, due="2100-01-01T00:00:00+00:00",
                      final="2100-01-02T00:00:00+00:00")
        when = dt.datetime.now(dt.timezone.utc).isoformat()
        ledger = Ledger(course.default_db_url)
        try:
            for who, fill in (("solution", True), ("blank", False)):
                folder = Path(tmp) / who
                for name in rel.notebooks:
                    answers = solution_answers(read_notebook(src / name)) if fill else {}
                    write_submission(course.release_dir(assignment) / name, answers, folder / name)
                submit(course, ledger, assignment, [folder], student=who, at=when)
        finally:
            ledger.close()
        grade(course, assignment, jobs=jobs, limits=limits, sandbox=sandbox)
        doc = assignment_status(course, assignment).doc
        ledger = Ledger(course.default_db_url)
        try:
            by_student = {a.student: a.id for a in ledger.attempts(assignment)}
            results = ledger.results(assignment)
        finally:
            ledger.close()
        solution_cells = results[by_student["solution"]].cells
        details = tuple(f"solution: test cell {gid}: {verdict}" for gid, verdict in solution_cells.items()
                        if verdict != "passed")
        blank_cells = results[by_student["blank"]].cells
        details += tuple(f"blank release: test cell {gid} passes" for gid, v in blank_cells.items() if v == "passed")
    verdicts = {s["student"]: {k: v["passed"] for k, v in s["specs"].items() if v["kind"] == "auto"}
                for s in doc["students"]}
    problems = [f"solution fails spec {k!r}" for k, v in verdicts["solution"].items() if not v]
    problems += [f"blank release passes spec {k!r} (a student who wrote nothing would earn it)"
                 for k, v in verdicts["blank"].items() if v]
    derived = doc["rubric"] != "rubric.yml"
    if derived:
        problems.append("no rubric.yml: one spec per test cell was derived; write a rubric (`mlip rubric draft`)")
    return CheckReport(assignment, verdicts["solution"], verdicts["blank"], tuple(problems), details, derived)
