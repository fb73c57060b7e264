"""`mlip validate`: the student's own check: run the notebook, report visible tests per spec."""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.execution.execute import run_notebook
from grader.model.nbcells import grade_id, is_test_cell, read_notebook
from grader.grading.batch import _cell_verdict


@dataclass(frozen=True)
class ValidateReport:
    """Per-spec preview of the visible tests."""

    ok: bool
    text: str
    specs: dict


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables for the kernels started inside the block, and put them back after it."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in before.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def validate(notebook: str | Path, *, cell_timeout: float = 60) -> ValidateReport:
    """Run a student's notebook as it is and say which specs' visible tests pass (hidden tests run later)."""
    path = Path(notebook).resolve()
    nb = read_notebook(path)
    info = nb.metadata.get("mlip", {})
    # the kernel sees what `nbgrader validate` sets, so notebooks that check for it behave as they would there
    with tempfile.TemporaryDirectory(), _environment(NBGRADER_VALIDATING="1", NBGRADER_EXECUTION="validate"):
        outcome = run_notebook(nb, cwd=path.parent, cell_timeout=cell_timeout, notebook_timeout=20 * cell_timeout)
    cells = {grade_id(c): _cell_verdict(c, outcome.by_index.get(i)) for i, c in enumerate(nb.cells)
             if is_test_cell(c)}
    lines, specs = [], {}
    for spec in info.get("specs", []):
        if spec["kind"] != "auto":
            lines.append(f"  [ manual ] {spec['title']} ({spec['points']:g} pts): graded by a person")
            continue
        verdicts = [cells.get(g, "failed: missing") for g in spec["tests"]]
        passed = all(v == "passed" for v in verdicts)
        specs[spec["id"]] = passed
        why = next((v for v in verdicts if v != "passed"), "")
        lines.append(f"  [{'  pass  ' if passed else '  FAIL  '}] {spec['title']} ({spec['points']:g} pts)"
                     + (f"\n             {why}" if why else ""))
    if not info:
        for gid, v in cells.items():
            specs[gid] = v == "passed"
            lines.append(f"  [{'  pass  ' if v == 'passed' else '  FAIL  '}] {gid}: {v}")
    head = f"{path.name}: visible tests only; hidden tests run when your submission is graded"
    if outcome.status != "ok":
        head += f"\n  the notebook did not run to the end: {outcome.reason}"
    return ValidateReport(outcome.status == "ok" and all(specs.values()), "\n".join([head, *lines]), specs)
