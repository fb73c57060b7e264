"""The lecture notebooks: stored clean, shaped as the house style asks, and running clean."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

KIT = Path(__file__).resolve().parents[2]
LECTURES = ["01-model-correctness.ipynb", "02-model-testing.ipynb"]
SMALL = {"n_samples": 300, "n_reviews": 300}
EXERCISE = re.compile(r"^answer = \.\.\.", re.MULTILINE)


def read(name: str):
    return nbformat.read(KIT / "notebooks" / name, as_version=4)


@pytest.mark.parametrize("name", LECTURES)
def test_notebook_is_stored_without_outputs(name):
    notebook = read(name)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", LECTURES)
def test_notebook_has_title_goals_parameters_exercises_and_takeaways(name):
    cells = read(name).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert "Learning goals" in cells[0].source and "CC BY 4.0" in cells[0].source
    parameters = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert re.search(r"^n_samples = \d+", parameters[0].source, re.MULTILINE)
    assert re.search(r"^seed = \d+", parameters[0].source, re.MULTILINE)
    exercises = [c for c in cells if c.cell_type == "code" and EXERCISE.search(c.source)]
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2 and len(solutions) == len(exercises)
    assert all("check(" in c.source for c in exercises + solutions)
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    assert "take away" in cells[-1].source
    for before, cell in zip(cells, cells[1:]):
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []) \
                and not cell.source.startswith("import"):
            assert before.cell_type == "markdown", f"code cell without a sentence before it:\n{cell.source}"


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("name", LECTURES)
def test_notebook_runs_clean_with_small_parameters(name, tmp_path):
    import papermill

    source = read(name)
    declared = next(c for c in source.cells if "parameters" in c.metadata.get("tags", [])).source
    parameters = {key: value for key, value in SMALL.items() if re.search(rf"^{key} =", declared, re.M)}
    output = tmp_path / name
    papermill.execute_notebook(str(KIT / "notebooks" / name), str(output), parameters=parameters,
                               kernel_name="python3", progress_bar=False, cwd=str(KIT / "notebooks"))
    executed = nbformat.read(output, as_version=4)
    for cell in executed.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error"
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
    text = {c.id: "".join(o.get("text", "") for o in c.get("outputs", [])) for c in executed.cells}
    for cell in executed.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert "\u2714 correct" in text[cell.id], f"solution does not pass: {text[cell.id]}"
        elif cell.cell_type == "code" and EXERCISE.search(cell.source):
            assert "not answered yet" in text[cell.id]
    assert sum(1 for c in executed.cells for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})) >= 2
