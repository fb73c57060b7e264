"""The master and student versions of a notebook, made by nbgrader's own preprocessors in nbgrader's order.

`nbgrader generate_assignment` runs one pipeline; the gradebook keeps the notebook as it stands halfway (after
`ComputeChecksums`, where `SaveCells` runs) and students get the notebook at the end. mlip keeps the same two:

- the master: header and footer added, ``### AUTOTEST`` lines expanded into tests (`InstantiateTests`, which runs
  the solution in a kernel), cells locked, solutions replaced by stubs, outputs cleared, checksums computed;
  hidden tests still in. Grading restores test cells from it.
- the student version: the master without hidden tests and mark schemes, checksums computed again.

Every preprocessor is configured from the course's ``nbgrader_config.py`` (``ClearSolutions.code_stub``, the
delimiters, ``LockCells.lock_all_cells``, ``InstantiateTests`` settings, ``enabled`` flags and so on), as
nbgrader configures it.
"""
from __future__ import annotations

import contextlib
import copy
import os
import sys
import tempfile
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
    InstantiateTests,
    LockCells,
)
from traitlets.config import Config

from grader.records.course import nbgrader_settings
from grader.model.errors import RubricError
from grader.model.nbcells import give_cell_ids

MASTER_STEPS = (IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput, CheckCellMetadata,
                ComputeChecksums)
"""nbgrader's GenerateAssignment pipeline up to SaveCells: the version whose test cells are graded."""
STUDENT_STEPS = (ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata)
"""The rest of that pipeline, run on the master: the version students receive."""


def _header_footer(config: Config, root: Path | None) -> IncludeHeaderFooter:
    """IncludeHeaderFooter with the course's header and footer paths made absolute (nbgrader reads them from
    the course root, its working folder; mlip does not change folders)."""
    conf = config.get("IncludeHeaderFooter", {})
    absolute = {}
    for key in ("header", "footer"):
        value = conf.get(key) or ""
        absolute[key] = str(Path(root) / value) if value and root and not Path(value).is_absolute() else value
    return IncludeHeaderFooter(config=config, **absolute)


def _instantiate_tests(config: Config, root: Path | None, source_dir: Path | None) -> InstantiateTests:
    """InstantiateTests that finds autotests.yml in the assignment's folder, else in the course root."""
    step = InstantiateTests(config=config)
    name = step.autotest_filename
    if root and not Path(name).is_absolute() and not (source_dir and (source_dir / name).is_file()):
        step.autotest_filename = str(Path(root) / name)
    return step


def _steps(kinds, config: Config, root: Path | None, source_dir: Path | None) -> list:
    made = {IncludeHeaderFooter: lambda: _header_footer(config, root),
            InstantiateTests: lambda: _instantiate_tests(config, root, source_dir)}
    return [made[kind]() if kind in made else kind(config=config) for kind in kinds]


def _why(exc: BaseException, said: str) -> str:
    """One line saying what nbgrader objected to (``said``: what it logged meanwhile)."""
    if hasattr(exc, "ename"):  # a snippet of an AUTOTEST line failed when the solution ran
        return f"an AUTOTEST snippet raised {exc.ename}: {exc.evalue}"
    if isinstance(exc, FileNotFoundError) and "autotests" in str(exc.filename or ""):
        return (f"it has ### AUTOTEST lines but no {Path(exc.filename).name} was found in the assignment's "
                "folder or the course root")
    text = " ".join(str(exc).split())
    if text:
        return f"{type(exc).__name__}: {text}"
    logged = [line.strip() for line in said.splitlines() if line.strip() and "without encryption" not in line]
    return f"{type(exc).__name__}: {logged[-1] if logged else 'nbgrader gave no reason'}"


@contextlib.contextmanager
def _stderr_kept(into):
    """Send what is written to file descriptor 2 into the file ``into`` while the block runs.

    InstantiateTests starts a kernel whose warnings (and nbgrader's log) go to the terminal; they are kept
    aside and shown only if the step fails.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(into.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def build_versions(nb: nbformat.NotebookNode, name: str, assignment: str, *, course_root: Path | None = None,
                   source_dir: Path | None = None):
    """Return (master, student) for notebook ``name`` of ``assignment``, as `nbgrader generate_assignment` would.

    Parameters
    ----------
    nb
        The instructor's notebook (left unchanged).
    name
        Its file name in the assignment's folder.
    assignment
        The assignment's name.
    course_root
        The course folder: its ``nbgrader_config.py`` configures every step, and its ``autotests.yml`` is used
        when the assignment's folder has none. None: nbgrader's defaults.
    source_dir
        The assignment's folder: ``InstantiateTests`` runs the solution there and looks for ``autotests.yml``.
    """
    config = nbgrader_settings(course_root) if course_root else Config()
    stem = Path(name).stem
    folder = Path(source_dir) if source_dir else None
    resources = {"unique_key": stem, "nbgrader": {"notebook": stem, "assignment": assignment},
                 "metadata": {"name": stem, "path": str(folder or Path.cwd())}}
    with tempfile.TemporaryFile() as said:
        try:
            with _stderr_kept(said):
                master, resources = _run(_steps(MASTER_STEPS, config, course_root, folder), copy.deepcopy(nb),
                                         resources)
            student, _ = _run(_steps(STUDENT_STEPS, config, course_root, folder), copy.deepcopy(master), resources)
        except Exception as exc:  # nbgrader's steps raise many types; each becomes one line for the instructor
            said.seek(0)
            why = _why(exc, said.read().decode("utf-8", "replace"))
            raise RubricError(f"{name}: nbgrader cannot generate the student version: {why}") from None
    for version in (master, student):  # cells from a header or footer notebook may come without ids
        give_cell_ids(version, f"{assignment}/{name}".encode())
    return master, student


def _run(steps, nb, resources):
    for step in steps:
        nb, resources = step(nb, resources)  # calling a step honours its `enabled` setting, as nbconvert does
    return nb, resources
