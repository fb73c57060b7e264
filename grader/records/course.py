"""The course folder: nbgrader's layout plus a private `.mlip/` for the ledger and attempt store."""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.model.errors import AssignmentNotFound, CourseError, CourseLocked, MlipError
from grader.model.rubric import RUBRIC_FILE, Policy, Rubric, load_rubric

CONFIG_FILE = "mlip.yml"
PRIVATE = ".mlip"
NBGRADER_CONFIG = """\
# nbgrader configuration written by `mlip course init`; nbgrader's own commands work on this folder too.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
"""


@dataclass(frozen=True)
class Course:
    """A course folder on disk."""

    root: Path
    """The folder that holds source/, release/, feedback/ and .mlip/."""

    @property
    def private(self) -> Path:
        """Where the ledger, restored masters and submitted copies live (never shown to student code)."""
        return self.root / PRIVATE

    @property
    def config(self) -> dict:
        """The course's mlip.yml as a mapping."""
        path = self.root / CONFIG_FILE
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    @property
    def course_id(self) -> str:
        """The course's id, as nbgrader knows it."""
        return str(self.config.get("course_id") or self.root.name)

    @property
    def policy(self) -> Policy:
        """Course-wide policy; each rubric may override it for its assignment."""
        return Policy.from_mapping(self.config.get("policy"))

    @property
    def nbgrader_config(self):
        """The course's nbgrader_config.py as a traitlets Config (empty when there is none)."""
        return nbgrader_settings(self.root)

    @property
    def cell_timeout(self) -> float | None:
        """Seconds a cell may run: mlip.yml's ``cell_timeout``, else nbgrader's ``Execute.timeout``, else None.

        nbgrader's ``Execute.timeout = None`` (no limit per cell) gives ``float("inf")``: only the notebook's
        limit then applies.
        """
        if self.config.get("cell_timeout") is not None:
            return _seconds(self.config["cell_timeout"], f"{self.root / CONFIG_FILE}: cell_timeout")
        execute = self.nbgrader_config.get("Execute", {})
        if "timeout" not in execute:
            return None
        if not execute["timeout"] or execute["timeout"] < 0:  # nbclient: None, 0 or below 0 mean no limit
            return float("inf")
        return _seconds(execute["timeout"], f"{self.root / 'nbgrader_config.py'}: c.Execute.timeout")

    @property
    def default_db_url(self) -> str:
        """$MLIP_DB_URL, else mlip.yml's db_url, else a SQLite ledger in the private folder."""
        return str(os.environ.get("MLIP_DB_URL") or self.config.get("db_url")
                   or f"sqlite:///{self.private / 'ledger.sqlite'}")

    def source_dir(self, assignment: str) -> Path:
        """The instructor's assignment folder (with solutions and hidden tests)."""
        return self.root / "source" / assignment

    def release_dir(self, assignment: str) -> Path:
        """The student version."""
        return self.root / "release" / assignment

    def master_dir(self, assignment: str) -> Path:
        """Private copy of the test cells (hidden tests included) used to restore submissions."""
        return self.private / "master" / assignment

    def store_dir(self, assignment: str, student: str) -> Path:
        """Where the immutable copies of a student's attempts live."""
        return self.private / "attempts" / assignment / student

    def feedback_dir(self, assignment: str) -> Path:
        """Where the feedback pages are written."""
        return self.root / "feedback" / assignment

    def similarity_file(self, assignment: str) -> Path:
        """Pairs of students `mlip similarity` found last (kept private: a person judges them)."""
        return self.private / "similarity" / f"{assignment}.json"

    def released(self) -> list[str]:
        """Assignments that have been released, by name."""
        rel = self.root / "release"
        return sorted(p.name for p in rel.iterdir() if p.is_dir()) if rel.is_dir() else []

    def require_released(self, assignment: str) -> None:
        """Raise a clear error if ``assignment`` has not been released in this course."""
        if not (self.master_dir(assignment) / RUBRIC_FILE).is_file():
            known = ", ".join(self.released()) or "none yet"
            raise AssignmentNotFound(assignment, [f"{self.root}/release (released: {known})"])

    @contextlib.contextmanager
    def lock(self, what: str = "grade"):
        """Hold the course's lock for a run that writes results; a second run gets CourseLocked."""
        self.private.mkdir(parents=True, exist_ok=True)
        path = self.private / f"{what}.lock"
        with open(path, "a+", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                raise CourseLocked(fh.read().strip() or "unknown holder") from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
            fh.flush()
            try:
                yield
            finally:
                fh.seek(0)
                fh.truncate()
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _seconds(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise CourseError(f"{what} is {value!r}; give a number of seconds above zero")
    return float(value)


def nbgrader_settings(root: Path):
    """The nbgrader_config.py in ``root`` as a traitlets Config (empty when there is none)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    try:
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except Exception as exc:  # a config that does not run is the instructor's to fix
        raise MlipError(f"{path} cannot be read ({type(exc).__name__}: {exc}); fix it and run again") from None


def init_course(root: Path, *, course_id: str | None = None) -> Course:
    """Create a new course folder (or leave an existing mlip course as it is) and return it."""
    root = Path(root).resolve()
    if (root / CONFIG_FILE).exists():
        return Course(root)
    if root.exists() and any(root.iterdir()) and not (root / "nbgrader_config.py").exists():
        raise CourseError(f"{root} exists and is not empty; choose a new folder or use `mlip course adopt`")
    for sub in ("source", "release", "feedback", PRIVATE):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cid = course_id or root.name
    (root / CONFIG_FILE).write_text(
        yaml.safe_dump({"course_id": cid, "policy": Policy().__dict__}, sort_keys=False), encoding="utf-8"
    )
    if not (root / "nbgrader_config.py").exists():
        (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(root), course_id=cid))
    return Course(root)


def open_course(root: str | os.PathLike | None = None) -> Course:
    """Find the course: the argument, else $MLIP_COURSE, else the current folder or one above it."""
    candidates = []
    if root:
        candidates = [Path(root)]
    elif os.environ.get("MLIP_COURSE"):
        candidates = [Path(os.environ["MLIP_COURSE"])]
    else:
        here = Path.cwd().resolve()
        candidates = [here, *here.parents]
    for cand in candidates:
        if (cand / CONFIG_FILE).is_file():
            return Course(cand.resolve())
    where = candidates[0] if len(candidates) == 1 else Path.cwd()
    raise CourseError(
        f"no mlip course at {where}; create one with `mlip course init DIR` or pass --course DIR"
    )


def find_assignment_source(course: Course | None, name: str, assignments_dir: Path | None = None) -> Path:
    """Locate an assignment: the course's source/ first, else the kit's assignments/ folder."""
    looked = []
    if course is not None:
        looked.append(str(course.root / "source"))
        if course.source_dir(name).is_dir():
            return course.source_dir(name)
    roots = [assignments_dir] if assignments_dir else []
    here = Path.cwd().resolve()
    roots += [p / "assignments" for p in (here, *here.parents)]
    roots.append(Path(__file__).resolve().parents[2] / "assignments")
    for base in roots:
        if base and (base / name).is_dir():
            return (base / name).resolve()
        if base and base.is_dir():
            looked.append(str(base))
    raise AssignmentNotFound(name, list(dict.fromkeys(looked)))


def released_rubric(course: Course, assignment: str) -> Rubric:
    """The rubric frozen at release (with date overrides applied)."""
    course.require_released(assignment)
    rubric = load_rubric(course.master_dir(assignment) / RUBRIC_FILE)
    derived = (course.master_dir(assignment) / "derived").read_text().strip() == "yes"
    return dataclasses.replace(rubric, derived=derived)


def released_notebooks(course: Course, assignment: str) -> list[str]:
    """Notebook names of a released assignment, in order."""
    cells = json.loads((course.master_dir(assignment) / "cells.json").read_text())
    names = list(dict.fromkeys(c["notebook"] for c in cells))
    extra = sorted(p.name[len("release-"):] for p in course.master_dir(assignment).glob("release-*.ipynb"))
    return names + [n for n in extra if n not in names]


def opened_at(course: Course, assignment: str, rubric: Rubric):
    """When students got the assignment: the rubric's ``opens``, else the first release's time (else unknown)."""
    import datetime as dt

    if rubric.opens is not None:
        return rubric.opens
    path = course.master_dir(assignment) / "released_at"
    return dt.datetime.fromisoformat(path.read_text().strip()) if path.is_file() else None
