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

from .course import CONFIG_FILE, PRIVATE, Course
from .errors import CourseError, MlipError
from .intake import _timestamp, submit
from .ledger import Ledger
from .release import nbgrader_settings, release
from .rubric import Policy


@dataclass(frozen=True)
class AdoptReport:
    """What adopting did, one line per action, for the instructor to read."""

    lines: tuple[str, ...]
    assignments: tuple[str, ...]
    imported: int


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
    names = sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    imported = 0
    ledger = Ledger(db_url or course.default_db_url)
    try:
        for name in names:
            kept = course.release_dir(name).is_dir()
            try:
                rel = release(course, name, write_release=not kept)
            except MlipError as exc:
                lines.append(f"{name}: NOT registered: {exc}")
                continue
            rubric = "rubric.yml" if not rel.rubric.derived else (
                "a rubric derived from the graded cells (write source/%s/rubric.yml to change it)" % name)
            lines.append(f"{name}: {len(rel.notebooks)} notebook(s), {len(rel.rubric.auto_specs)} automatic and "
                         f"{len(rel.rubric.manual_specs)} manual spec(s) from {rubric}; student version "
                         + ("kept from nbgrader's release/" if kept else "generated in release/"))
            count = 0
            for folder in sorted((root / "submitted").glob(f"*/{name}")):
                if not folder.is_dir():
                    continue
                stamp = folder / "timestamp.txt"
                fallback = dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.timezone.utc)
                when = _timestamp(stamp, fallback) if stamp.is_file() else fallback
                files = [p for p in folder.iterdir() if p.name != "timestamp.txt"]
                if not files:
                    continue
                intake = submit(course, ledger, name, [folder], student=folder.parent.name, at=when.isoformat())
                count += intake.new
            if count:
                lines.append(f"{name}: took in {count} submission(s) from submitted/ as attempts")
            imported += count
    finally:
        ledger.close()
    lines.append("kept nbgrader's config, gradebook and folders as they were; next: mlip grade --course "
                 f"{root}")
    return AdoptReport(tuple(lines), tuple(names), imported)
