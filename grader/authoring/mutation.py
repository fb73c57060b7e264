"""`mlip check --mutants`: grade mutants of the solution and report, per spec, the ones its tests let through.

Each mutant is the solution with one answer cell changed (:mod:`.mutants`); it is submitted to a scratch course
as one student and graded by the same ``grade()`` as real work. A mutant is killed when it fails any automatic
spec, cannot be graded (kernel died, time limit) or is not graded at all; it survives when it passes every
automatic spec. An author marks a survivor that does not change behaviour as equivalent in ``rubric.yml``
(``equivalent_mutants: {id: reason}``); it is counted apart.
"""
from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import yaml

from grader.authoring.mutants import MAX_PER_CELL, MUTANTS_VERSION, Mutant, cell_mutants, names_in
from grader.authoring.release import release
from grader.authoring.submissions import solution_answers, write_submission
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.model.errors import MlipError
from grader.model.nbcells import grade_id, read_notebook
from grader.records.course import find_assignment_source, init_course
from grader.records.ledger import Ledger

REPORT_FILE = "mutants.json"
EQUIVALENT_KEY = "equivalent_mutants"


def source_key(src: Path) -> str:
    """Hash of what a mutation report depends on: the source notebooks, the rubric (less its list of
    equivalent mutants, which is read afresh), the grader's version and the mutation operators' version."""
    h = hashlib.sha256(f"{version('mlip-course-kit')}|{MUTANTS_VERSION}".encode())
    rubric = yaml.safe_load((src / "rubric.yml").read_text(encoding="utf-8")) or {}
    rubric.pop(EQUIVALENT_KEY, None)
    h.update(json.dumps(rubric, sort_keys=True, default=str).encode())
    for nb in sorted(src.glob("*.ipynb")):
        h.update(nb.name.encode() + nb.read_bytes())
    return h.hexdigest()[:16]


def equivalents(src: Path) -> dict[str, str]:
    """The rubric's ``equivalent_mutants``: mutant id -> the author's one-line reason."""
    rubric = yaml.safe_load((src / "rubric.yml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (rubric.get(EQUIVALENT_KEY) or {}).items()}


def _defined(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def plan(src: Path, rubric: dict, limit: int = MAX_PER_CELL) -> list[tuple[str, Mutant, tuple[str, ...]]]:
    """(notebook, mutant, specs whose tests read the cell's names) for every answer cell an automatic spec reads."""
    auto = [s for s in rubric.get("specs", []) if s.get("kind", "auto") == "auto"]
    spec_of = {t: s["id"] for s in auto for t in s.get("tests", [])}
    out = []
    for name in rubric.get("notebooks") or sorted(p.name for p in src.glob("*.ipynb")):
        nb = read_notebook(src / name)
        code = [c for c in nb.cells if c.cell_type == "code"]
        names = set().union(*(names_in(c.source) for c in code))
        tests = [(spec_of[grade_id(c)], names_in(c.source)) for c in code if grade_id(c) in spec_of]
        for cell, answer in solution_answers(nb).items():
            specs = tuple(sorted({s for s, used in tests if used & _defined(answer)}))
            if specs:
                out += [(name, m, specs) for m in cell_mutants(cell, answer, names, limit)]
    return out


@dataclass(frozen=True)
class MutationReport:
    """Mutants of one assignment's solution and what its tests made of them."""

    assignment: str
    key: str
    """:func:`source_key` of the sources it was made from."""
    mutants: tuple[dict, ...]
    """One dict per mutant: id, cell, operator, specs, killed, diff."""
    seconds: float
    source: str = ""
    """The assignment's folder (where ``mutants.json`` is written)."""

    def by_spec(self, equivalent: dict[str, str]) -> dict[str, dict]:
        """spec -> counts (mutants, killed, equivalent, survived), survivor ids and the score (killed share of
        the mutants not marked equivalent)."""
        out: dict[str, dict] = {}
        for m in self.mutants:
            for spec in m["specs"]:
                row = out.setdefault(spec, {"mutants": 0, "killed": 0, "equivalent": 0, "survivors": []})
                row["mutants"] += 1
                if m["killed"]:
                    row["killed"] += 1
                elif m["id"] in equivalent:
                    row["equivalent"] += 1
                else:
                    row["survivors"].append(m["id"])
        for row in out.values():
            counted = row["mutants"] - row["equivalent"]
            row["score"] = row["killed"] / counted if counted else 1.0
        return out

    def to_dict(self) -> dict:
        """The report as written to ``mutants.json``."""
        return {"assignment": self.assignment, "key": self.key, "seconds": round(self.seconds, 1),
                "mutants": list(self.mutants)}

    @classmethod
    def read(cls, path: Path) -> "MutationReport":
        """Read a ``mutants.json``."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["assignment"], d["key"], tuple(d["mutants"]), float(d.get("seconds", 0)), str(Path(path).parent))


def mutation_check(assignment: str, *, assignments_dir: str | Path | None = None, jobs: int = 2, limits=None,
                   sandbox: str = "bwrap", limit: int = MAX_PER_CELL, write: bool = True) -> MutationReport:
    """Grade every mutant of ``assignment``'s solution in a scratch course; write ``mutants.json`` beside the
    rubric when ``write``."""
    start = time.monotonic()
    src = find_assignment_source(None, assignment, Path(assignments_dir) if assignments_dir else None)
    rubric = yaml.safe_load((src / "rubric.yml").read_text(encoding="utf-8")) or {}
    planned = plan(src, rubric, limit)
    with tempfile.TemporaryDirectory(prefix="mlip-mutants-") as tmp:
        course = init_course(Path(tmp) / "course")
        rel = release(course, assignment, assignments_dir=src.parent, due="2100-01-01T00:00:00+00:00",
                      final="2100-01-02T00:00:00+00:00")
        base = {n: solution_answers(read_notebook(src / n)) for n in rel.notebooks}
        when = dt.datetime.now(dt.timezone.utc).isoformat()
        ledger = Ledger(course.default_db_url)
        try:
            folder = Path(tmp) / "solution"
            for n in rel.notebooks:
                write_submission(course.release_dir(assignment) / n, base[n], folder / n)
            submit(course, ledger, assignment, [folder], student="solution", at=when)
            for i, (nb_name, m, _) in enumerate(planned):
                folder = Path(tmp) / f"m{i:04d}"
                for n in rel.notebooks:
                    answers = dict(base[n], **({m.cell: m.source} if n == nb_name else {}))
                    write_submission(course.release_dir(assignment) / n, answers, folder / n)
                submit(course, ledger, assignment, [folder], student=f"m{i:04d}", at=when)
        finally:
            ledger.close()
        grade(course, assignment, jobs=jobs, limits=limits, sandbox=sandbox)
        verdicts = _verdicts(course, assignment)
    if not verdicts.get("solution"):
        raise MlipError(f"{assignment}: the solution itself fails a spec in the scratch course, so no mutant can be "
                        "judged; run `mlip check` without --mutants and fix that first")
    rows = tuple({"id": m.id, "cell": m.cell, "operator": m.operator, "specs": list(specs),
                  "killed": not verdicts.get(f"m{i:04d}", False), "diff": m.diff}
                 for i, (_, m, specs) in enumerate(planned))
    report = MutationReport(assignment, source_key(src), rows, time.monotonic() - start, str(src))
    if write:
        (src / REPORT_FILE).write_text(json.dumps(report.to_dict(), indent=1) + "\n", encoding="utf-8")
    return report


def _verdicts(course, assignment: str) -> dict[str, bool]:
    """student -> True when the attempt was graded and passed every automatic spec."""
    ledger = Ledger(course.default_db_url)
    try:
        results = ledger.results(assignment)
        out = {}
        for a in ledger.attempts(assignment):
            r = results.get(a.id)
            out[a.student] = bool(r and r.status == "graded" and r.specs and all(r.specs.values()))
        return out
    finally:
        ledger.close()


def rubric_strength(src: Path) -> str | None:
    """One line for the course report: the share of mutants the rubric's tests kill, or None without a report."""
    path = Path(src) / REPORT_FILE
    if not path.is_file():
        return None
    report = MutationReport.read(path)
    marked = equivalents(src)
    counted = [m for m in report.mutants if m["killed"] or m["id"] not in marked]
    killed = sum(m["killed"] for m in counted)
    line = f"{killed}/{len(counted)} mutants killed" + (f", {len(report.mutants) - len(counted)} equivalent"
                                                        if len(counted) < len(report.mutants) else "")
    return line + ("" if report.key == source_key(src) else " (report older than the notebook or rubric)")
