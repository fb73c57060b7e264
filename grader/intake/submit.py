"""Taking in submissions: an immutable copy, its sha256 and time, one ledger row per distinct content."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.records.course import Course
from grader.model.errors import SubmissionError, UsageError
from grader.records.ledger import Attempt, Ledger, now_utc
from grader.model.nbcells import grade_id, read_notebook
from grader.records.course import opened_at, released_notebooks, released_rubric
from grader.records.extensions import Adjustments
from grader.model.rubric import parse_time

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
SKIP = {".ipynb_checkpoints", "__pycache__", ".DS_Store", "__MACOSX", "timestamp.txt"}
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Intake:
    """The outcome of taking in one student's files."""

    attempt: Attempt
    new: bool
    """False when the same content had been submitted before (it stays one attempt)."""


def check_student_id(student: str) -> str:
    """Return the id if it is safe to use as a folder name, else raise a usage error."""
    if not STUDENT_ID.match(student or ""):
        raise UsageError(
            f"student id {student!r} is not usable; use letters, digits, '.', '_', '@' or '-' (at most 100)"
        )
    return student


def digest(files: dict[str, bytes]) -> str:
    """sha256 over the sorted (name, content hash) pairs of a submission."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).hexdigest().encode() + b"\n")
    return h.hexdigest()


def _gather(paths: list[Path]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if len(paths) == 1 and paths[0].is_dir():
        base = paths[0]
        for p in sorted(base.rglob("*")):
            rel = p.relative_to(base)
            if any(part in SKIP for part in rel.parts):
                continue
            if p.is_symlink():
                raise SubmissionError(f"{rel}: symbolic links are not accepted; submit the file itself")
            if p.is_file():
                files[rel.as_posix()] = _read(p)
        return files
    for p in paths:
        if p.is_symlink():
            raise SubmissionError(f"{p.name}: symbolic links are not accepted; submit the file itself")
        if p.is_dir():
            raise UsageError(f"{p}: give notebooks, or exactly one folder")
        if not p.exists():
            raise UsageError(f"{p}: no such file")
        files[p.name] = _read(p)
    return files


def _read(p: Path) -> bytes:
    if p.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionError(f"{p.name}: larger than {MAX_FILE_BYTES // 2**20} MiB; remove outputs or data")
    return p.read_bytes()


def normalise(course: Course, assignment: str, files: dict[str, bytes], student: str) -> dict[str, bytes]:
    """Check the notebooks belong to this assignment; a lone renamed notebook gets the expected name."""
    expected = released_notebooks(course, assignment)
    master_ids = set()
    for name in expected:
        nb = read_notebook(course.master_dir(assignment) / name)
        master_ids |= {gid for c in nb.cells if (gid := grade_id(c))}
    notebooks = [n for n in files if n.endswith(".ipynb")]
    if not notebooks:
        raise SubmissionError("no notebook in the submission; submit the .ipynb file", student=student)
    if len(expected) == 1 and len(notebooks) == 1 and notebooks[0] != expected[0]:
        files = dict(files)
        files[expected[0]] = files.pop(notebooks[0])
        notebooks = [expected[0]]
    for name in notebooks:
        path = Path(tempfile.mkdtemp()) / PurePosixPath(name).name
        try:
            path.write_bytes(files[name])
            nb = read_notebook(path, student=student)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        ids = {gid for c in nb.cells if (gid := grade_id(c))}
        if ids and not ids & master_ids:
            raise SubmissionError(
                f"{name}: this notebook belongs to another assignment (none of its cells are in {assignment}); "
                "submit the notebook released for this assignment",
                student=student,
            )
    return files


def _store(course: Course, assignment: str, student: str, sha: str, files: dict[str, bytes]) -> None:
    dest = course.store_dir(assignment, student) / sha[:16]
    if dest.exists():
        return
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for name, data in files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(stat.S_IRUSR | stat.S_IRGRP)
    os.replace(tmp, dest)


def take_in(course: Course, ledger: Ledger, assignment: str, student: str, files: dict[str, bytes],
            submitted_at: dt.datetime, origin: str, unsafe: str = "") -> Intake:
    """Store files and append one attempt row; rejects are recorded too, with their reason."""
    check_student_id(student)
    rubric = released_rubric(course, assignment)
    status, reason = "pending", unsafe
    if not unsafe:
        try:
            files = normalise(course, assignment, files, student)
        except SubmissionError as exc:
            status, reason = "rejected", str(exc)
    else:
        status = "rejected"
    if status == "pending" and rubric.final and submitted_at > rubric.final:
        # the student's own final deadline (an extension may move it) decides
        rubric, _ = Adjustments.read(ledger).student_rubric(rubric, assignment, student,
                                                            opened_at(course, assignment, rubric))
    if status == "pending" and rubric.final and submitted_at > rubric.final:
        status, reason = "rejected", f"submitted after the final deadline ({rubric.final.isoformat()})"
    sha = digest(files)
    _store(course, assignment, student, sha, files)
    attempt, new = ledger.add_attempt(
        assignment=assignment, student=student, sha256=sha,
        submitted_at=submitted_at.astimezone(dt.timezone.utc), origin=origin, files=sorted(files),
        intake_status=status, reason=reason)
    return Intake(attempt, new)


def submit(course: Course, ledger: Ledger, assignment: str, paths: list[str | Path], *, student: str,
           at: str | None = None) -> Intake:
    """Take in one student's notebooks (or one folder) as an attempt."""
    course.require_released(assignment)
    check_student_id(student)
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"{p}: no such file or folder")
    submitted_at = parse_time(at, "--at") if at else now_utc()
    unsafe = ""
    try:
        files = _gather(paths)
    except SubmissionError as exc:
        files, unsafe = {p.name: b"" for p in paths}, str(exc)
    if not files:
        raise SubmissionError(f"nothing to submit in {', '.join(map(str, paths))}", student=student)
    return take_in(course, ledger, assignment, student, files, submitted_at, "submit", unsafe)
