"""Release: nbgrader's preprocessors make the student version; the rubric is validated against it."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.records.course import Course, find_assignment_source
from grader.model.errors import MlipError, RubricError
from grader.model.nbcells import GradedCell, graded_cells, read_notebook, with_keys
from grader.model.rubric import RUBRIC_FILE, Rubric, draft_rubric, load_rubric, parse_time, rubric_to_yaml, validate_against
from grader.authoring.versions import build_versions

# mutants.json (`mlip check --mutants`) holds diffs of the solution: it stays in source/, never reaches students
IGNORED = shutil.ignore_patterns(RUBRIC_FILE, "mutants.json", ".ipynb_checkpoints", "__pycache__", "*.pyc",
                                 ".DS_Store")


@dataclass(frozen=True)
class ReleasedAssignment:
    """What `release` made."""

    name: str
    rubric: Rubric
    notebooks: tuple[str, ...]
    cells: tuple[GradedCell, ...]
    release_dir: Path


def notebook_names(src: Path, rubric: Rubric | None) -> list[str]:
    """The assignment's notebooks: the rubric's list, else every notebook in the folder."""
    if rubric and rubric.notebooks:
        missing = [n for n in rubric.notebooks if not (src / n).is_file()]
        if missing:
            raise RubricError(f"rubric lists notebook(s) {missing} that {src} does not have")
        return list(rubric.notebooks)
    names = sorted(p.name for p in src.glob("*.ipynb"))
    if not names:
        raise RubricError(f"{src} has no notebooks; put the source notebook there")
    return names


def load_assignment_rubric(src: Path, cells: list[GradedCell]) -> Rubric:
    """The assignment's rubric.yml, or one derived from its graded cells if there is none."""
    path = src / RUBRIC_FILE
    if path.is_file():
        return load_rubric(path)
    return draft_rubric(cells, title=src.name)


def read_assignment(src: Path, assignment: str, names: list[str], *, course_root: Path | None = None):
    """Make the master and student version of each notebook and list their graded cells (with keys)."""
    masters, students, cells = {}, {}, []
    for name in names:
        nb = read_notebook(src / name)
        ids = [c.grade_id for c in graded_cells(nb, name)]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise RubricError(f"{name}: grade_id(s) {dupes} appear more than once in this notebook; "
                              "every nbgrader cell of a notebook needs its own id")
        masters[name], students[name] = build_versions(nb, name, assignment, course_root=course_root,
                                                       source_dir=src)
        cells.extend(graded_cells(masters[name], name))
    return masters, students, with_keys(cells)


def prepare(src: Path, assignment: str, *, course_root: Path | None = None):
    """Read, convert and validate an assignment folder without writing anything."""
    rubric_path = src / RUBRIC_FILE
    pre_rubric = load_rubric(rubric_path) if rubric_path.is_file() else None
    names = notebook_names(src, pre_rubric)
    masters, students, cells = read_assignment(src, assignment, names, course_root=course_root)
    rubric = pre_rubric or draft_rubric(cells, title=assignment)
    validate_against(rubric, cells)
    return rubric, names, masters, students, cells


def release(course: Course, assignment: str, *, due: str | None = None, final: str | None = None,
            assignments_dir: str | Path | None = None, write_release: bool = True) -> ReleasedAssignment:
    """Release ``assignment``: validate its rubric, write the student version and the private master.

    With ``write_release=False`` (adopting an nbgrader course whose release/ exists) only the private master
    is written and nbgrader's student version stays as it is.
    """
    src = find_assignment_source(course, assignment, Path(assignments_dir) if assignments_dir else None)
    rubric, names, masters, students, cells = prepare(src, assignment, course_root=course.root)
    rubric = rubric.with_dates(parse_time(due, "--due"), parse_time(final, "--final"))
    master_dir = course.master_dir(assignment)
    old_cells = master_dir / "cells.json"
    if old_cells.is_file() and any((course.private / "attempts" / assignment).glob("*/*")):
        before = {c.get("key") or c["grade_id"] for c in json.loads(old_cells.read_text()) if c["grade"]}
        now = {c.key for c in cells if c.grade}
        if before != now:
            raise MlipError(
                f"{assignment} already has submissions and its graded cells changed "
                f"(added {sorted(now - before)}, removed {sorted(before - now)}); keep grade ids frozen after release"
            )
    course_src = course.source_dir(assignment)
    if src.resolve() != course_src.resolve():
        if course_src.exists():
            shutil.rmtree(course_src)
        shutil.copytree(src, course_src, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    rel = course.release_dir(assignment)
    for name in names:
        students[name].metadata["mlip"] = spec_preview(assignment, rubric, name, cells)
    if write_release:
        if rel.exists():
            shutil.rmtree(rel)
        shutil.copytree(src, rel, ignore=IGNORED)
        for p in rel.glob("*.ipynb"):
            p.unlink()
        for name in names:
            nbformat.write(students[name], rel / name)
    master_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        nbformat.write(masters[name], master_dir / name)
        nbformat.write(students[name], master_dir / f"release-{name}")
    (master_dir / RUBRIC_FILE).write_text(rubric_to_yaml(rubric), encoding="utf-8")
    (master_dir / "cells.json").write_text(json.dumps([c.__dict__ for c in cells], indent=1))
    (master_dir / "derived").write_text("yes" if rubric.derived else "no")
    if not (master_dir / "released_at").is_file():  # the first release opens the assignment (time factors use it)
        (master_dir / "released_at").write_text(dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat())
    return ReleasedAssignment(assignment, rubric, tuple(names), tuple(cells), rel)


def spec_preview(assignment: str, rubric: Rubric, name: str, cells) -> dict:
    """What a student's notebook carries about its specs: titles and its own test cells' grade_ids, no messages
    or tests."""
    here = {c.key: c.grade_id for c in cells if c.notebook == name}
    return {"assignment": assignment, "title": rubric.title, "specs": [
        {"id": s.id, "title": s.title, "points": s.points, "kind": s.kind,
         "tests": [here[k] for k in s.tests if k in here]} for s in rubric.specs]}
