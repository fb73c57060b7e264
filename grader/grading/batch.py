"""Grading: each pending attempt runs in a worker; the coordinator alone records the verdicts."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import determine_grade

from grader.records.course import Course
from grader.execution.engine import map_unordered
from grader.execution.execute import run_notebook
from grader.records.ledger import Attempt, Ledger, Result, now_utc
from grader.model.nbcells import CellKeys, grade_id, is_test_cell, read_notebook
from grader.records.course import released_notebooks, released_rubric
from grader.grading.restore import is_fixed, restore
from grader.grading.judge import build as build_judge
from grader.grading.tamper import Verification, clean, instrument, verify
from grader.model.errors import SubmissionError
from grader.execution.execute import RunOutcome
from grader.execution.sandbox import SandboxSpec, give_to, require
from grader.execution.warm import discard, learn_imports, prepare_judge, take_judge, take_slot


@dataclass(frozen=True)
class Limits:
    """Time limits for one attempt."""

    cell_timeout: float = 30
    """Seconds one cell may run."""
    notebook_timeout: float = 300
    """Seconds all of one notebook's cells may run together."""


@dataclass(frozen=True)
class GradeJob:
    """Everything a worker needs to grade one attempt, and nothing else (no database, no other students)."""

    attempt_id: int
    student: str
    files_dir: str
    release_dir: str
    master_dir: str
    notebooks: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    sandbox: SandboxSpec = field(default_factory=SandboxSpec)
    judge: str = "separate"
    """``separate``: test cells run in a judge kernel outside the sandbox; ``kernel``: in the student's kernel."""


@dataclass(frozen=True)
class GradeOutcome:
    """What a worker sends back: per-cell verdicts, an overall status, and the graded notebooks."""

    attempt_id: int
    status: str
    reason: str
    cells: dict
    flags: tuple[str, ...]
    seconds: float
    graded: dict
    """notebook name -> executed notebook JSON (for the course staff only)."""


def _cell_verdict(cell, run) -> str:
    if run is None:
        return "failed: not run"
    if run.status == "not run":
        return f"failed: not run ({run.error})"
    if run.status == "timeout":
        return f"failed: {run.error}"
    if run.status == "died":
        return "failed: the kernel died in this cell"
    if run.error:
        return f"failed: {run.error}"
    if run.stderr:
        return "failed: wrote to stderr (a warning or error message)"
    score, max_points = determine_grade(cell)
    if max_points and (score is None or score < max_points):
        return "failed: the cell's last value gave partial credit"
    return "passed"


def _stage(job: GradeJob) -> Path:
    """A private copy of the attempt's files with the release's data files laid over them."""
    stage = Path(tempfile.mkdtemp(prefix=f"mlip-{job.attempt_id}-"))
    shutil.copytree(job.files_dir, stage, dirs_exist_ok=True)
    _copy_data(Path(job.release_dir), stage)
    return stage


def _run_in_slot(job: GradeJob, stage: Path, nb) -> "RunOutcome":
    """Copy the attempt into a warm kernel's working folder and run ``nb`` there (with a judge, if separate).

    Only the student's own files and the release's data files go into the sandbox's folder: never the notebook
    being run, whose test cells (hidden ones included) the student's code must not read.
    """
    separate = job.judge == "separate"
    learn_imports(_release_imports(nb))
    if separate:
        prepare_judge(job.sandbox)  # boots beside the student's kernel the first time
    slot = take_slot(job.sandbox)
    try:
        shutil.copytree(stage, slot.work, dirs_exist_ok=True)
        for p in slot.work.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        if job.sandbox.kind == "bwrap":
            give_to(slot.uid, slot.work)
        judge = None
        if separate:
            judge_kernel = take_judge(job.sandbox)
            _copy_data(Path(job.release_dir), judge_kernel.work)
            judge = build_judge(nb, slot.km, judge_kernel.km, judge_kernel.work)
        outcome = run_notebook(nb, cwd=slot.work, cell_timeout=job.limits.cell_timeout,
                               notebook_timeout=job.limits.notebook_timeout, km=slot.km, judge=judge)
        if separate and (outcome.status != "ok" or any(r.status == "timeout" for r in outcome.cells)):
            judge_kernel.suspect = True
        return outcome
    finally:
        discard(slot)


def _release_imports(nb) -> list[str]:
    """Modules the release's fixed cells import, so the next spare kernel can import them while it waits."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_fixed(cell):
            found += re.findall(r"^\s*(?:import|from)\s+([A-Za-z_][\w.]*)", cell.source, re.M)
    return found


def _copy_data(release_dir: Path, dest: Path) -> None:
    for p in release_dir.rglob("*"):
        if p.is_file() and p.suffix != ".ipynb":
            target = dest / p.relative_to(release_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, target)


def grade_job(job: GradeJob) -> GradeOutcome:
    """Grade one attempt in a fresh working copy; runs inside a worker process."""
    start = time.monotonic()
    cells: dict[str, str] = {}
    flags: list[str] = []
    graded: dict[str, str] = {}
    status, reasons = "graded", []
    stage = _stage(job)
    try:
        # a grade_id need be unique only within its notebook; results name repeated ones by notebook too
        keys = CellKeys.read(job.master_dir, job.notebooks)
        for name in job.notebooks:
            master = read_notebook(Path(job.master_dir) / name)
            test_ids = [gid for c in master.cells if is_test_cell(c) and (gid := grade_id(c))]
            try:
                student = read_notebook(stage / name, student=job.student)
            except SubmissionError as exc:
                for gid in test_ids:
                    cells[keys(name, gid)] = f"failed: {exc}"
                status, reasons = "error", reasons + [str(exc)]
                continue
            release = read_notebook(Path(job.master_dir) / f"release-{name}")
            restored = restore(master, student, release)
            flags += [f"{name}: test cell {g} was edited (restored from the release)" for g in restored.edited
                      if g in test_ids]
            flags += [f"{name}: test cell {g} was missing or had lost its nbgrader metadata (restored from the "
                      "release)" for g in restored.missing if g in test_ids]
            if restored.reordered:
                flags.append(f"{name}: graded cells were moved out of order (the release's order was used)")
            if job.judge == "separate":
                outcome = _run_in_slot(job, stage, restored.nb)
                executed, checked = restored.nb, Verification({}, ())
            else:
                inst = instrument(restored.nb)
                outcome = _run_in_slot(job, stage, inst.nb)
                executed, checked = inst.nb, verify(inst.nb, inst)
            if outcome.status != "ok":
                status, reasons = "error", reasons + [f"{name}: {outcome.reason}"]
            elif outcome.reason:
                reasons.append(f"{name}: {outcome.reason}")
            flags += [f"{name}: {f}" for f in checked.flags]
            for i, cell in enumerate(executed.cells):
                if is_test_cell(cell):
                    gid = grade_id(cell)
                    verdict = _cell_verdict(cell, outcome.by_index.get(i))
                    if verdict == "passed" and gid in checked.tampered:
                        verdict = f"failed: {checked.tampered[gid]}"
                    cells[keys(name, gid)] = verdict
            graded[name] = nbformat.writes(executed if job.judge == "separate" else clean(inst.nb, inst))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return GradeOutcome(job.attempt_id, status, "; ".join(reasons), cells, tuple(flags),
                        time.monotonic() - start, graded)


def spec_verdicts(rubric, cells: dict) -> dict[str, bool]:
    """A spec passes if and only if every one of its test cells passed."""
    return {s.id: all(cells.get(g) == "passed" for g in s.tests) for s in rubric.auto_specs}


@dataclass(frozen=True)
class GradeReport:
    """What one `mlip grade` run did."""

    graded: int
    errors: int
    seconds: float
    failures: tuple[str, ...] = ()


def grade(course: Course, assignment: str | None = None, *, jobs: int = 1, scheduler: str | None = None,
          db_url: str | None = None, limits: Limits | None = None, sandbox: str = "bwrap",
          judge: str | None = None, progress=None) -> GradeReport:
    """Grade every pending attempt (of one assignment, or all); safe to re-run after a crash.

    ``judge`` overrides the rubric's mode (``separate`` or ``kernel``) for this run; `mlip check` uses it to
    grade the same work both ways.
    """
    limits = limits or Limits()
    require(sandbox)
    # kernels running side by side each get a share of the cores for their numeric libraries' threads
    threads = max(1, (os.cpu_count() or 1) // max(1, jobs)) if not scheduler else 1
    spec = SandboxSpec(kind=sandbox, cpu_seconds=int(limits.notebook_timeout) + 60, threads=threads)
    start = time.monotonic()
    if assignment:
        course.require_released(assignment)
    with course.lock("grade"):
        ledger = Ledger(db_url or course.default_db_url)
        try:
            pending = ledger.pending(assignment)
            by_id = {a.id: a for a in pending}
            rubrics = {a.assignment: released_rubric(course, a.assignment) for a in pending}
            job_list = [_job(course, a, limits, spec, judge or rubrics[a.assignment].judge) for a in pending]
            n_graded = n_err = 0
            failures = []
            if hasattr(progress, "start"):
                progress.start(len(job_list))
            for job, out, exc in map_unordered(grade_job, job_list, jobs=jobs, scheduler=scheduler):
                attempt = by_id[job.attempt_id]
                if exc is not None:
                    out = GradeOutcome(job.attempt_id, "error", f"grading failed: {type(exc).__name__}: {exc}",
                                       {}, (), 0.0, {})
                    failures.append(f"{attempt.student} attempt {attempt.number}: {out.reason}")
                _keep_graded(course, attempt, out)
                rubric = rubrics[attempt.assignment]
                ledger.add_result(Result(
                    attempt_id=attempt.id, graded_at=now_utc(), status=out.status, reason=out.reason,
                    specs=spec_verdicts(rubric, out.cells), cells=out.cells, flags=out.flags,
                    sandbox=spec.kind, judge=job.judge, seconds=round(out.seconds, 3)))
                n_graded += 1
                n_err += out.status == "error"
                if progress:
                    progress(attempt, out)
        finally:
            ledger.close()
    return GradeReport(n_graded, n_err, time.monotonic() - start, tuple(failures))


def _job(course: Course, attempt: Attempt, limits: Limits, spec: SandboxSpec, judge: str) -> GradeJob:
    return GradeJob(
        attempt_id=attempt.id, student=attempt.student,
        files_dir=str(course.store_dir(attempt.assignment, attempt.student) / attempt.sha256[:16]),
        release_dir=str(course.release_dir(attempt.assignment)),
        master_dir=str(course.master_dir(attempt.assignment)),
        notebooks=tuple(released_notebooks(course, attempt.assignment)), limits=limits, sandbox=spec, judge=judge)


def _keep_graded(course: Course, attempt: Attempt, out: GradeOutcome) -> None:
    dest = course.private / "graded" / attempt.assignment / attempt.student / str(attempt.number)
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in out.graded.items():
        (dest / name).write_text(text, encoding="utf-8")
