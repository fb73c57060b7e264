"""Taking in many students at once: a folder of student folders, or an LMS zip."""
from __future__ import annotations

import datetime as dt
import stat
import zipfile
from pathlib import Path, PurePosixPath

from grader.intake.submit import MAX_FILE_BYTES, SKIP, Intake, check_student_id, take_in
from grader.model.errors import UsageError
from grader.records.course import Course
from grader.records.ledger import Ledger


def _zip_entries(path: Path) -> dict[str, list[tuple[str, bytes | None, str, dt.datetime]]]:
    """Group a zip's entries by student: (name inside the student's folder, bytes, problem, time)."""
    out: dict[str, list] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or any(p in SKIP for p in parts):
                continue
            student, rest = _student_of(parts)
            problem = ""
            if info.filename.startswith("/") or ".." in parts:
                problem = f"{info.filename}: path leaves the archive ('..' or absolute); re-zip without it"
            elif stat.S_ISLNK(info.external_attr >> 16):
                problem = f"{info.filename}: symbolic link in the archive; re-zip without links"
            elif info.file_size > MAX_FILE_BYTES:
                problem = f"{info.filename}: larger than {MAX_FILE_BYTES // 2**20} MiB"
            when = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
            data = None if problem else zf.read(info)
            out.setdefault(student, []).append((rest, data, problem, when))
    return out


def _student_of(parts: tuple[str, ...]) -> tuple[str, str]:
    """A student's folder (``alice/…``) or an LMS file name (``alice_12345_model-quality.ipynb``)."""
    if len(parts) > 1:
        return parts[0], "/".join(parts[1:])
    name = parts[0]
    return name.split("_", 1)[0] if "_" in name else Path(name).stem, name.split("_")[-1] if "_" in name else name


def _timestamp(path: Path, fallback: dt.datetime) -> dt.datetime:
    """nbgrader's timestamp.txt, or the file time if it cannot be read."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(path.read_text().strip()).replace(tzinfo=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return fallback


def collect(course: Course, ledger: Ledger, assignment: str, source: str | Path) -> tuple[list[Intake], list[str]]:
    """Take in a folder of student folders or an LMS zip; returns intakes and per-student problems."""
    course.require_released(assignment)
    source = Path(source)
    groups: dict[str, list] = {}
    if source.is_file() and zipfile.is_zipfile(source):
        groups = _zip_entries(source)
    elif source.is_dir():
        for p in sorted(source.rglob("*")):
            rel = p.relative_to(source)
            if any(part in SKIP for part in rel.parts) or p.is_dir():
                continue
            student, rest = _student_of(rel.parts)
            parts = PurePosixPath(rest).parts
            if parts and parts[0] == assignment and len(parts) > 1:
                rest = "/".join(parts[1:])  # nbgrader's submitted/<student>/<assignment>/ layout
            problem = f"{rel}: symbolic link; submit the file itself" if p.is_symlink() else ""
            when = dt.datetime.fromtimestamp(p.lstat().st_mtime, dt.timezone.utc).replace(microsecond=0)
            stamp = p.parent / "timestamp.txt"  # nbgrader's record of the submission time wins over file times
            if stamp.is_file():
                when = _timestamp(stamp, when)
            data = None if problem else p.read_bytes()
            groups.setdefault(student, []).append((rest, data, problem, when))
    else:
        raise UsageError(f"{source}: not a folder or a zip file")
    intakes, problems = [], []
    for student, entries in sorted(groups.items()):
        try:
            check_student_id(student)
        except UsageError as exc:
            problems.append(str(exc))
            continue
        unsafe = "; ".join(e[2] for e in entries if e[2])
        files = {e[0]: (e[1] or b"") for e in entries}
        when = max(e[3] for e in entries)
        intake = take_in(course, ledger, assignment, student, files, when, "collect", unsafe)
        intakes.append(intake)
        if intake.attempt.intake_status == "rejected":
            problems.append(f"{student}: {intake.attempt.reason}")
    return intakes, problems
