"""Building submissions from a released notebook and a set of answers (for `check`, `demo` and tests)."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import yaml

from grader.model.nbcells import grade_id, nbgrader_meta, read_notebook


def fill_answers(release_nb, answers: dict[str, str]):
    """Return a copy of the student version with the named answer cells replaced by ``answers``."""
    nb = copy.deepcopy(release_nb)
    unknown = set(answers)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            if not nbgrader_meta(cell).get("solution"):
                raise ValueError(f"{gid!r} is not an answer cell; only answer cells can be filled")
            cell.source = answers[gid]
            unknown.discard(gid)
    if unknown:
        raise ValueError(f"answers name cells the notebook lacks: {sorted(unknown)}")
    return nb


def solution_answers(source_nb) -> dict[str, str]:
    """The source notebook's own answers (solution markers dropped), keyed by grade_id."""
    out = {}
    for cell in source_nb.cells:
        gid = grade_id(cell)
        if gid and nbgrader_meta(cell).get("solution"):
            lines = [ln for ln in cell.source.splitlines()
                     if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            out[gid] = "\n".join(lines)
    return out


def load_answer_file(path: Path) -> dict:
    """Read an answer fixture: ``description``, ``expect`` (spec -> bool) and ``cells`` (grade_id -> code)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {"description": data.get("description", ""), "expect": data.get("expect", {}),
            "cells": data.get("cells", {})}


def write_submission(release_path: Path, answers: dict[str, str], dest: Path) -> Path:
    """Write a filled-in copy of the released notebook to ``dest``."""
    nb = fill_answers(read_notebook(release_path), answers)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest
