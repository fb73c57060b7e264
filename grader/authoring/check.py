"""`mlip check`: the solution passes every automatic spec, the blank release passes none, each fixture of a
plausible mistake gets the verdicts it declares, and both judge modes agree on all of them."""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.records.course import find_assignment_source, init_course
from grader.grading.batch import Limits, grade
from grader.intake.submit import submit
from grader.grading.judge import MODES
from grader.records.ledger import Ledger
from grader.model.nbcells import read_notebook
from grader.authoring.release import release
from grader.records.standing import assignment_status
from grader.authoring.submissions import load_answer_file, solution_answers, write_submission

KIT_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


@dataclass(frozen=True)
class CheckReport:
    """Verdicts of the solution, the blank release and the fixtures, per automatic spec and judge mode."""

    assignment: str
    solution: dict
    blank: dict
    problems: tuple[str, ...]
    details: tuple[str, ...] = ()
    """Why the solution failed: the failing test cells and their errors (for the author, never students)."""
    derived: bool = False
    """True when the assignment has no rubric.yml and one spec per test cell was derived."""
    fixtures: dict = field(default_factory=dict)
    """fixture name -> spec -> verdict (in the rubric's own mode)."""
    mode: str = "separate"
    """The rubric's judge mode; ``solution``, ``blank`` and ``fixtures`` are its verdicts."""
    differences: tuple[str, ...] = ()
    """Verdicts on which ``separate`` and ``kernel`` mode disagree."""

    @property
    def ok(self) -> bool:
        """True when the solution passes everything, the blank release nothing, and the modes agree."""
        return not self.problems


def _students(src: Path, assignment: str, fixtures_dir: Path | None) -> dict:
    """student -> (answers per notebook name or None for the solution/blank, expected verdicts)."""
    people: dict = {"solution": ("solution", {}), "blank": ("blank", {})}
    folder = fixtures_dir if fixtures_dir is not None else KIT_FIXTURES / assignment
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = load_answer_file(path)
        people[f"fixture-{path.stem}"] = (data["cells"], dict(data["expect"] or {}))
    return people


def _grade_all(src: Path, assignment: str, people: dict, tmp: Path, mode: str, jobs: int, limits, sandbox,
               progress=None):
    course = init_course(tmp / f"course-{mode}")
    rel = release(course, assignment, assignments_dir=src.parent, due="2100-01-01T00:00:00+00:00",
                  final="2100-01-02T00:00:00+00:00")
    when = dt.datetime.now(dt.timezone.utc).isoformat()
    ledger = Ledger(course.default_db_url)
    try:
        for who, (answers, _) in people.items():
            folder = tmp / mode / who
            for name in rel.notebooks:
                if answers == "solution":
                    filled = solution_answers(read_notebook(src / name))
                elif answers == "blank":
                    filled = {}
                else:
                    own = {c.grade_id for c in rel.cells if c.notebook == name}
                    filled = {k: v for k, v in answers.items() if k in own}
                write_submission(course.release_dir(assignment) / name, filled, folder / name)
            submit(course, ledger, assignment, [folder], student=who, at=when)
    finally:
        ledger.close()
    tick = (lambda a, o: progress.done(f"{mode} judge: {a.student}: {o.status}", problem=o.status == "error")) \
        if progress is not None else None
    grade(course, assignment, jobs=jobs, limits=limits, sandbox=sandbox, judge=mode, progress=tick)
    doc = assignment_status(course, assignment).doc
    ledger = Ledger(course.default_db_url)
    try:
        by_student = {a.student: a.id for a in ledger.attempts(assignment)}
        cells = {who: r.cells for who, r in ((s, ledger.results(assignment)[i]) for s, i in by_student.items())}
    finally:
        ledger.close()
    verdicts = {s["student"]: {k: v["passed"] for k, v in s["specs"].items() if v["kind"] == "auto"}
                for s in doc["students"]}
    return verdicts, cells, doc, rel.rubric.judge


def check(assignment: str, *, assignments_dir: str | Path | None = None, jobs: int = 2,
          limits: Limits | None = None, sandbox: str = "bwrap", fixtures_dir: str | Path | None = None,
          modes: tuple[str, ...] = MODES, progress=None) -> CheckReport:
    """Release ``assignment`` into scratch courses and grade its solution, its blank student version and its
    fixtures (``tests/fixtures/<assignment>/*.yml`` in the kit, or ``fixtures_dir``) in each judge mode.

    ``progress`` (an `execution.progress.Progress`) counts the versions graded."""
    src = find_assignment_source(None, assignment, Path(assignments_dir) if assignments_dir else None)
    people = _students(src, assignment, Path(fixtures_dir) if fixtures_dir else None)
    if progress is not None:
        progress.start(len(people) * len(modes))
    runs = {}
    with tempfile.TemporaryDirectory(prefix="mlip-check-") as tmp:
        for mode in modes:
            runs[mode] = _grade_all(src, assignment, people, Path(tmp), mode, jobs, limits, sandbox, progress)
    own = next(iter(runs.values()))[3]
    verdicts, cells, doc, _ = runs.get(own) or next(iter(runs.values()))
    details = tuple(f"solution: test cell {gid}: {v}" for gid, v in cells["solution"].items() if v != "passed")
    details += tuple(f"blank release: test cell {gid} passes" for gid, v in cells["blank"].items() if v == "passed")
    problems = [f"solution fails spec {k!r}" for k, v in verdicts["solution"].items() if not v]
    problems += [f"blank release passes spec {k!r} (a student who wrote nothing would earn it)"
                 for k, v in verdicts["blank"].items() if v]
    for who, (_, expect) in people.items():
        wrong = {k: verdicts[who].get(k) for k, v in expect.items() if verdicts[who].get(k) != v}
        if wrong:
            problems.append(f"{who}: expected {expect}, got {verdicts[who]}")
    differences = []
    if len(runs) > 1:
        (m1, r1), (m2, r2) = list(runs.items())[:2]
        for who in people:
            for spec, v in r1[0][who].items():
                if r2[0][who].get(spec) != v:
                    differences.append(f"{who}: spec {spec!r} {'passes' if v else 'fails'} in {m1} mode but "
                                       f"{'passes' if r2[0][who].get(spec) else 'fails'} in {m2} mode")
    problems += [f"the judge modes disagree: {d}" for d in differences]
    derived = doc["rubric"] != "rubric.yml"
    if derived:
        problems.append("no rubric.yml: one spec per test cell was derived; write a rubric (`mlip rubric draft`)")
    fixtures = {who: v for who, v in verdicts.items() if who.startswith("fixture-")}
    return CheckReport(assignment, verdicts["solution"], verdicts["blank"], tuple(problems), details, derived,
                       fixtures, own, tuple(differences))
