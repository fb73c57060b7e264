"""Rebuild a submission around the master's cells: test and read-only cells come from the release.

nbgrader's OverwriteCells replaces test cells in place; here the master's order also wins, so deleting,
editing or moving a test cell changes nothing about what runs, and the student's own extra cells stay
after the graded cell they followed.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from grader.model.nbcells import grade_id, nbgrader_meta


@dataclass(frozen=True)
class Restored:
    """The notebook to grade and what restoring it found."""

    nb: NotebookNode
    edited: tuple[str, ...]
    """grade_ids of read-only cells the student changed (restored)."""
    missing: tuple[str, ...]
    """grade_ids the student's notebook lacked (restored from the master)."""
    reordered: bool
    """The student's graded cells were not in the master's order."""


def is_fixed(cell: NotebookNode) -> bool:
    """A cell the release fixes: locked, or a test cell (its text always comes from the release)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution"))


def restore(master: NotebookNode, student: NotebookNode, release: NotebookNode | None = None) -> Restored:
    """Return the notebook to run: master's fixed cells, student's answers, student's extra cells.

    ``release`` is the student version; a fixed cell whose text differs from it counts as edited.
    """
    released = {gid: c.source for c in (release or master).cells if (gid := grade_id(c))}
    answers: dict[str, NotebookNode] = {}
    extras: dict[str | None, list[NotebookNode]] = {}
    anchor: str | None = None
    order: list[str] = []
    master_ids = [gid for c in master.cells if (gid := grade_id(c))]
    known = set(master_ids)
    for cell in student.cells:
        gid = grade_id(cell)
        if gid in known and gid not in answers:
            answers[gid] = cell
            order.append(gid)
            anchor = gid
        elif gid in known:
            continue  # a duplicated graded cell: the first copy counts
        elif not _looks_fixed_copy(cell):
            extras.setdefault(anchor, []).append(_plain(cell))
    edited, missing = [], []
    cells = list(extras.get(None, []))
    for mcell in master.cells:
        gid = grade_id(mcell)
        if gid is None:
            continue
        theirs = answers.get(gid)
        if theirs is None:
            missing.append(gid)
            if is_fixed(mcell):
                cells.append(copy.deepcopy(mcell))
        elif is_fixed(mcell):
            if theirs.source != released.get(gid, mcell.source) or theirs.cell_type != mcell.cell_type:
                edited.append(gid)
            cells.append(copy.deepcopy(mcell))
        else:
            cell = copy.deepcopy(theirs)
            cell.metadata["nbgrader"] = copy.deepcopy(mcell.metadata["nbgrader"])
            if cell.cell_type != mcell.cell_type:
                cell = _as_type(cell, mcell.cell_type)
            cells.append(cell)
        cells.extend(extras.get(gid, []))
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(master.metadata))
    nb.cells = cells
    master_order = [g for g in master_ids if g in answers]
    return Restored(nb, tuple(edited), tuple(missing), order != master_order)


def _looks_fixed_copy(cell: NotebookNode) -> bool:
    """A cell that claims nbgrader metadata the master does not know (stripped ids or invented ones)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _plain(cell: NotebookNode) -> NotebookNode:
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    return cell


def _as_type(cell: NotebookNode, cell_type: str) -> NotebookNode:
    if cell_type == "code":
        new = nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)
    else:
        new = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    return new
