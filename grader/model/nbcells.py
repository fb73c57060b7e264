"""Reading notebooks and their nbgrader cells, with one-line errors for broken files."""
from __future__ import annotations

import json
import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader.model.errors import SubmissionError

KEY_SEPARATOR = ":"


@dataclass(frozen=True)
class GradedCell:
    """An nbgrader cell that a rubric can refer to."""

    notebook: str
    """File name of the notebook that holds the cell."""
    grade_id: str
    """nbgrader's id for the cell."""
    cell_type: str
    """``code`` or ``markdown``."""
    grade: bool
    """nbgrader marks the cell as graded."""
    solution: bool
    """The student writes into the cell."""
    locked: bool
    """The student may not change the cell."""
    task: bool
    """An nbgrader task: a markdown cell describing work a person grades."""
    points: float
    """nbgrader's points for the cell (the rubric's points are what count)."""
    title: str
    """A short human title taken from the cell's first line."""
    key: str = ""
    """How rubrics and results name the cell: its grade_id, or ``notebook:grade_id`` (see `CellKeys`)."""

    @property
    def is_test(self) -> bool:
        """An autograded test cell: graded code the student does not write."""
        return self.grade and not self.solution and self.cell_type == "code"

    @property
    def is_manual_answer(self) -> bool:
        """An answer a person grades (graded solution cell or task)."""
        return (self.grade and self.solution) or self.task


@dataclass(frozen=True)
class CellKeys:
    """How results and rubrics name a graded cell across the notebooks of one assignment.

    nbgrader needs a grade_id to be unique only within its notebook. A cell is named by its bare grade_id
    (``squares``) unless that id appears in more than one notebook of the assignment; then it is named
    ``p1.ipynb:squares``, the notebook's file name, a colon and the grade_id.
    """

    repeated: frozenset[str] = frozenset()
    """grade_ids that appear in more than one notebook."""

    def __call__(self, notebook: str, gid: str) -> str:
        """The key of cell ``gid`` in ``notebook``."""
        return f"{notebook}{KEY_SEPARATOR}{gid}" if gid in self.repeated else gid

    @staticmethod
    def local(key: str) -> str:
        """The grade_id inside a key (the part after the notebook's name, if any)."""
        name, sep, gid = key.partition(KEY_SEPARATOR)
        return gid if sep and name.endswith(".ipynb") else key

    @classmethod
    def of(cls, ids_by_notebook: dict[str, Iterable[str]]) -> "CellKeys":
        """Keys for an assignment whose notebooks hold these grade_ids (notebook name -> ids)."""
        seen: dict[str, set[str]] = {}
        for name, ids in ids_by_notebook.items():
            for gid in ids:
                seen.setdefault(gid, set()).add(name)
        return cls(frozenset(g for g, names in seen.items() if len(names) > 1))

    @classmethod
    def read(cls, master_dir: Path, notebooks: Iterable[str]) -> "CellKeys":
        """Keys for a released assignment, from its master notebooks in ``master_dir``."""
        return cls.of({name: [g for c in read_notebook(Path(master_dir) / name).cells if (g := grade_id(c))]
                       for name in notebooks})


def with_keys(cells: list[GradedCell]) -> list[GradedCell]:
    """The cells of one assignment with their keys filled in (see `CellKeys`)."""
    names: dict[str, list[str]] = {}
    for c in cells:
        names.setdefault(c.notebook, []).append(c.grade_id)
    keys = CellKeys.of(names)
    return [dataclasses.replace(c, key=keys(c.notebook, c.grade_id)) for c in cells]


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The cell's nbgrader metadata, or an empty dict."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: NotebookNode) -> str | None:
    """The cell's nbgrader grade_id, if any."""
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_test_cell(cell: NotebookNode) -> bool:
    """Whether the cell is an autograded test cell."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def _title(cell: NotebookNode) -> str:
    for line in cell.source.splitlines():
        text = line.strip().lstrip("#").strip()
        if text and not text.startswith("BEGIN") and not text.startswith("YOUR"):
            return text[:100]
    return grade_id(cell) or "cell"


def graded_cells(nb: NotebookNode, notebook_name: str) -> list[GradedCell]:
    """List the nbgrader cells of a notebook in order."""
    out = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = grade_id(cell)
        if not gid or not (meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task")):
            continue
        out.append(GradedCell(
            notebook=notebook_name,
            grade_id=gid,
            cell_type=cell.cell_type,
            grade=bool(meta.get("grade")),
            solution=bool(meta.get("solution")),
            locked=bool(meta.get("locked")),
            task=bool(meta.get("task")),
            points=float(meta.get("points") or 0),
            title=_title(cell),
            key=gid,
        ))
    return out


def read_notebook(path: Path, *, student: str | None = None) -> NotebookNode:
    """Read a notebook, turning every way it can be broken into one clear SubmissionError."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        what = f"notebook {name} was not submitted" if student is not None else f"{name}: no such file ({path})"
        raise SubmissionError(what, student=student) from None
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot be read ({exc.strerror})", student=student) from None
    if not raw.strip():
        raise SubmissionError(f"{name}: the file is empty; submit the saved notebook", student=student)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"{name}: not UTF-8 text (bad byte at offset {exc.start}); save it again from Jupyter",
            student=student,
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"{name}: not valid notebook JSON (line {exc.lineno}, column {exc.colno}); "
            "open it in Jupyter, save, and submit again",
            student=student,
        ) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise SubmissionError(f"{name}: JSON but not a notebook (no cells)", student=student)
    major = data.get("nbformat")
    if major != 4:
        raise SubmissionError(
            f"{name}: nbformat version {major} is not supported (need 4); save it with Jupyter 4 or later",
            student=student,
        )
    if isinstance(data.get("cells"), list) and give_cell_ids(data, raw):
        text = json.dumps(data)
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed documents
        raise SubmissionError(f"{name}: malformed notebook ({type(exc).__name__})", student=student) from None
    for cell in nb.cells:
        if "source" not in cell or "cell_type" not in cell:
            raise SubmissionError(f"{name}: a cell has no source or type", student=student)
    return nb


def give_cell_ids(data: dict, seed: bytes) -> bool:
    """Bring an nbformat 4 notebook to 4.5, where every cell has an id, before nbformat validates it.

    Notebooks saved by older tools (nbgrader's own test files among them) lack ids; nbformat would add random ones
    and warn every time such a notebook, or one built from its cells, is validated. The ids given here are
    stable: a digest of ``seed`` (the file's bytes) and the cell's position, so a notebook reads the same way
    every time and cells taken from two different files (a restored submission) do not share ids. Returns
    whether anything changed.
    """
    minor = data.get("nbformat_minor")
    cells = data["cells"]
    if isinstance(minor, int) and minor >= 5 and all(isinstance(c, dict) and c.get("id") for c in cells):
        return False
    data["nbformat_minor"] = max(minor, 5) if isinstance(minor, int) else 5
    stem = hashlib.sha1(seed).hexdigest()[:12]
    taken = {c.get("id") for c in cells if isinstance(c, dict)}
    for i, cell in enumerate(cells):
        if isinstance(cell, dict) and not cell.get("id"):
            new = f"{stem}-{i}"
            while new in taken:
                new += "x"
            cell["id"] = new
            taken.add(new)
    return True


def strip_outputs(nb: NotebookNode) -> NotebookNode:
    """Remove outputs and execution counts in place and return the notebook."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb
