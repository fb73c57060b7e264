"""Release: nbgrader's preprocessors make the student version; the rubric is validated against it."""
from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    IncludeHeaderFooter,
    LockCells,
)

from .course import Course, find_assignment_source
from .errors import MlipError, RubricError
from .nbcells import GradedCell, graded_cells, read_notebook
from .rubric import RUBRIC_FILE, Rubric, draft_rubric, load_rubric, parse_time, rubric_to_yaml, validate_against

IGNORED = shutil.ignore_patterns(RUBRIC_FILE, ".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store")


@dataclass(frozen=True)
class ReleasedAssignment:
    """What `release` made."""

    name: str
    rubric: Rubric
    notebooks: tuple[str, ...]
    cells: tuple[GradedCell, ...]
    release_dir: Path


def _apply(preprocessors, nb, resources):
    for pre in preprocessors:
        nb, resources = pre.preprocess(nb, resources)
    return nb, resources


def nbgrader_settings(root: Path):
    """The course's nbgrader_config.py as a traitlets Config (empty when there is none)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    try:
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except Exception as exc:  # a config that does not run is the instructor's to fix
        raise MlipError(f"{path} cannot be read ({type(exc).__name__}: {exc}); fix it and run again") from None


def _header_footer(root: Path | None):
    """nbgrader's IncludeHeaderFooter, configured from the course (paths made absolute), or None."""
    if root is None:
        return None
    conf = nbgrader_settings(root).get("IncludeHeaderFooter", {})
    header, footer = conf.get("header") or "", conf.get("footer") or ""
    if not header and not footer:
        return None
    absolute = lambda p: str(Path(root) / p) if p and not Path(p).is_absolute() else p
    return IncludeHeaderFooter(header=absolute(header), footer=absolute(footer))


def build_versions(nb: nbformat.NotebookNode, name: str, assignment: str, *, course_root: Path | None = None):
    """Return (master, student): master keeps hidden tests and loses solutions; student loses both."""
    resources = {"unique_key": f"{assignment}-{name}", "nbgrader": {"notebook": name, "assignment": assignment}}
    first = [p for p in (_header_footer(course_root),) if p is not None]
    try:
        master, resources = _apply(
            [*first, LockCells(), ClearSolutions(), ClearOutput(), CheckCellMetadata(), ComputeChecksums()],
            copy.deepcopy(nb), resources,
        )
        student, _ = _apply(
            [ClearHiddenTests(), ClearMarkScheme(), ComputeChecksums(), CheckCellMetadata()],
            copy.deepcopy(master), resources,
        )
    except (RuntimeError, ValueError) as exc:
        raise RubricError(f"{name}: nbgrader cannot generate the student version: {exc}") from None
    return master, student


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


def prepare(src: Path, assignment: str, *, course_root: Path | None = None):
    """Read, convert and validate an assignment folder without writing anything."""
    rubric_path = src / RUBRIC_FILE
    pre_rubric = load_rubric(rubric_path) if rubric_path.is_file() else None
    names = notebook_names(src, pre_rubric)
    masters, students, cells = {}, {}, []
    for name in names:
        nb = read_notebook(src / name)
        masters[name], students[name] = build_versions(nb, name, assignment, course_root=course_root)
        cells.extend(graded_cells(masters[name], name))
    ids = [c.grade_id for c in cells]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RubricError(f"grade_id(s) {dupes} appear more than once; every nbgrader cell needs its own id")
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
        before = {c["grade_id"] for c in json.loads(old_cells.read_text()) if c["grade"]}
        now = {c.grade_id for c in cells if c.grade}
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
    return ReleasedAssignment(assignment, rubric, tuple(names), tuple(cells), rel)


def spec_preview(assignment: str, rubric: Rubric, name: str, cells) -> dict:
    """What a student's notebook carries about its specs: titles and test cell ids, no messages or tests."""
    here = {c.grade_id for c in cells if c.notebook == name}
    return {"assignment": assignment, "title": rubric.title, "specs": [
        {"id": s.id, "title": s.title, "points": s.points, "kind": s.kind,
         "tests": [g for g in s.tests if g in here]} for s in rubric.specs]}


def released_rubric(course: Course, assignment: str) -> Rubric:
    """The rubric frozen at release (with date overrides applied)."""
    course.require_released(assignment)
    import dataclasses

    rubric = load_rubric(course.master_dir(assignment) / RUBRIC_FILE)
    derived = (course.master_dir(assignment) / "derived").read_text().strip() == "yes"
    return dataclasses.replace(rubric, derived=derived)


def released_notebooks(course: Course, assignment: str) -> list[str]:
    """Notebook names of a released assignment, in order."""
    cells = json.loads((course.master_dir(assignment) / "cells.json").read_text())
    names = list(dict.fromkeys(c["notebook"] for c in cells))
    extra = sorted(p.name[len("release-"):] for p in course.master_dir(assignment).glob("release-*.ipynb"))
    return names + [n for n in extra if n not in names]
