"""`mlip course adopt`: an existing nbgrader course becomes an mlip course in place, losing nothing.

nbgrader's config, gradebook, source/, release/, submitted/ and autograded/ stay exactly as they were. The
harness adds mlip.yml and its private .mlip/ folder, registers every assignment in source/ (with its rubric.yml,
or a rubric derived from the notebooks' graded cells), and takes in what is in submitted/ as first attempts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.records.course import CONFIG_FILE, PRIVATE, Course
from grader.model.errors import CourseError, MlipError
from grader.intake.submit import submit
from grader.intake.collect import _timestamp
from grader.records.ledger import Ledger
from grader.records.course import nbgrader_settings
from grader.authoring.release import release
from grader.model.rubric import Policy


@dataclass(frozen=True)
class AdoptReport:
    """What adopting did, one line per action, for the instructor to read."""

    lines: tuple[str, ...]
    """What was done, in order."""
    assignments: tuple[str, ...]
    """Assignments found in source/."""
    imported: int
    """Submissions taken in as attempts."""
    failed: tuple[str, ...] = ()
    """What could not be registered or taken in, one line each (adopt then exits 1)."""


def adopt(root: Path, *, db_url: str | None = None) -> AdoptReport:
    """Make the nbgrader course at ``root`` an mlip course and take in its submissions."""
    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").is_file() or not (root / "source").is_dir():
        raise CourseError(f"{root} is not an nbgrader course (it needs nbgrader_config.py and source/); "
                          "for a new course use `mlip course init`")
    settings = nbgrader_settings(root)
    course_id = settings.get("CourseDirectory", {}).get("course_id") or root.name
    lines = []
    if (root / CONFIG_FILE).exists():
        lines.append(f"{root} is already an mlip course; registering its assignments again")
    else:
        config = {"course_id": course_id, "policy": Policy().__dict__}
        if db_url:
            config["db_url"] = db_url
        (root / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        lines.append(f"wrote {CONFIG_FILE} (course {course_id}, the course's default token policy)")
    (root / PRIVATE).mkdir(exist_ok=True)
    (root / "feedback").mkdir(exist_ok=True)
    course = Course(root)
    lines += _grading_settings(course, settings)
    names = sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    imported, failed = 0, []
    ledger = Ledger(db_url or course.default_db_url)
    try:
        for name in names:
            kept = course.release_dir(name).is_dir()
            try:
                rel = release(course, name, write_release=not kept)
            except MlipError as exc:
                lines.append(f"{name}: NOT registered: {exc}")
                failed.append(f"{name} not registered")
                continue
            rubric = "rubric.yml" if not rel.rubric.derived else (
                "a rubric derived from the graded cells (write source/%s/rubric.yml to change it)" % name)
            lines.append(f"{name}: {len(rel.notebooks)} notebook(s), {len(rel.rubric.auto_specs)} automatic and "
                         f"{len(rel.rubric.manual_specs)} manual spec(s) from {rubric}; student version "
                         + ("kept from nbgrader's release/" if kept else "generated in release/"))
            count = 0
            for folder in sorted((root / "submitted").glob(f"*/{name}")):
                try:
                    count += _take_in(course, ledger, name, folder)
                except MlipError as exc:
                    lines.append(f"{name}: submission of {folder.parent.name} NOT taken in: {exc}")
                    failed.append(f"{name} of {folder.parent.name} not taken in")
            if count:
                lines.append(f"{name}: took in {count} submission(s) from submitted/ as attempts")
            imported += count
    finally:
        ledger.close()
    lines.append("kept nbgrader's config, gradebook and folders as they were; next: mlip grade --course "
                 f"{root}")
    return AdoptReport(tuple(lines), tuple(names), imported, tuple(failed))


def _take_in(course: Course, ledger: Ledger, name: str, folder: Path) -> int:
    """Take in one student's folder of submitted/ with nbgrader's timestamp; return 1 if it is a new attempt."""
    if not folder.is_dir():
        return 0
    stamp = folder / "timestamp.txt"
    fallback = dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.timezone.utc)
    when = _timestamp(stamp, fallback) if stamp.is_file() else fallback
    if not [p for p in folder.iterdir() if p.name != "timestamp.txt"]:
        return 0
    return int(submit(course, ledger, name, [folder], student=folder.parent.name, at=when.isoformat()).new)


NOT_FOLLOWED = {
    ("IgnorePattern", "enabled"): (bool, "stderr that matches IgnorePattern.pattern still fails a test cell"),
    ("Execute", "interrupt_on_timeout"): (lambda v: not v, "a timed-out cell is interrupted and later cells run"),
    ("Execute", "execute_retries"): (bool, "a notebook is run once"),
    ("Autograde", "autograde_preprocessors"): (bool, "grading runs its own fixed steps"),
    ("Autograde", "sanitize_preprocessors"): (bool, "grading runs its own fixed steps"),
    ("GenerateAssignment", "preprocessors"): (bool, "release runs nbgrader's default steps"),
}
"""nbgrader settings that can change a verdict and that mlip does not follow: (when it matters, what mlip does)."""


def _grading_settings(course: Course, settings) -> list[str]:
    """Lines saying which of nbgrader_config.py's grading settings mlip follows, and which it does not."""
    lines = []
    timeout = course.cell_timeout
    if timeout is not None:
        limit = "no limit per cell (the notebook's limit applies)" if timeout == float("inf") else f"{timeout:g} s"
        lines.append(f"grading follows nbgrader_config.py: a cell may run {limit} (Execute.timeout)")
    for (section, key), (matters, instead) in NOT_FOLLOWED.items():
        if key in settings.get(section, {}) and matters(settings[section][key]):
            lines.append(f"note: nbgrader_config.py sets {section}.{key}, which mlip does not follow: {instead}")
    return lines
