"""Adopting nbgrader's own example course, and agreeing with `nbgrader autograde` on every test cell."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow
STAMP = "2026-09-14 10:00:00.000000 UTC"


def run(*cmd, cwd):
    out = subprocess.run(list(map(str, cmd)), cwd=cwd, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


def mlip(*args, cwd):
    return run(sys.executable, "-m", "grader.cli", *args, cwd=cwd)


def _submit_as(course: Path, student: str, files: dict[str, Path | nbformat.NotebookNode]):
    dest = course / "submitted" / student / "ps1"
    dest.mkdir(parents=True)
    for name, src in files.items():
        if isinstance(src, Path):
            shutil.copy(src, dest / name)
        else:
            nbformat.write(src, dest / name)
    (dest / "timestamp.txt").write_text(STAMP)


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qs")
    run("nbgrader", "quickstart", "course101", cwd=tmp)
    course = tmp / "course101"
    run("nbgrader", "generate_assignment", "ps1", "--force", cwd=course)
    src, rel = course / "source" / "ps1", course / "release" / "ps1"
    _submit_as(course, "solution", {"problem1.ipynb": src / "problem1.ipynb", "problem2.ipynb": src / "problem2.ipynb"})
    _submit_as(course, "blank", {"problem1.ipynb": rel / "problem1.ipynb", "problem2.ipynb": rel / "problem2.ipynb"})
    # partly done: the squares function written, everything else left blank
    partial = nbformat.read(rel / "problem1.ipynb", as_version=4)
    solved = nbformat.read(src / "problem1.ipynb", as_version=4)
    answer = next(c for c in solved.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "squares")
    for cell in partial.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "squares":
            cell.source = "\n".join(line for line in answer.source.splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    _submit_as(course, "partial", {"problem1.ipynb": partial, "problem2.ipynb": rel / "problem2.ipynb"})
    adopted = mlip("course", "adopt", course, cwd=tmp)
    mlip("grade", "ps1", "--course", course, "--jobs", "2", cwd=tmp)
    status = json.loads(mlip("status", "ps1", "--json", "--course", course, cwd=tmp))
    run("nbgrader", "autograde", "ps1", "--create", cwd=course)
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("solution", "blank", "partial"):
            for notebook in ("problem1", "problem2"):
                for cell in gb.find_notebook(notebook, "ps1").grade_cells:
                    grade = gb.find_grade(cell.name, notebook, "ps1", student)
                    if grade.auto_score is not None and cell.cell_type == "code":
                        rows.append((student, cell.name, grade.auto_score, grade.max_score))
    nbgrader = {(s, cell): (score, top) for s, cell, score, top in rows}
    return course, adopted, status, nbgrader


def test_adopt_says_what_it_did_and_keeps_nbgrader_files(quickstart):
    course, adopted, _, _ = quickstart
    assert "wrote mlip.yml (course course101" in adopted
    assert "ps1: 2 notebook(s)" in adopted and "derived from the graded cells" in adopted
    assert "kept from nbgrader's release/" in adopted
    assert "took in 3 submission(s)" in adopted
    assert (course / "gradebook.db").exists() and (course / "nbgrader_config.py").exists()
    assert (course / "release" / "ps1" / "jupyter.png").exists()


def test_every_automatic_spec_agrees_with_nbgrader_autograde(quickstart):
    _, _, status, nbgrader = quickstart
    assert status["rubric"].startswith("derived")
    students = {s["student"]: s for s in status["students"]}
    assert set(students) == {"solution", "blank", "partial"}
    compared = 0
    for sid, s in students.items():
        for spec, verdict in s["specs"].items():
            if verdict["kind"] != "auto":
                continue
            score, top = nbgrader[(sid, spec)]
            assert verdict["passed"] == (score == top), f"{sid}/{spec}: mlip {verdict['passed']}, nbgrader {score}/{top}"
            compared += 1
    assert compared == 3 * 4
    assert all(students["solution"]["specs"][k]["passed"] for k in students["solution"]["specs"]
               if students["solution"]["specs"][k]["kind"] == "auto")
    assert students["partial"]["specs"]["correct_squares"]["passed"] is True
    assert students["partial"]["specs"]["correct_sum_of_squares"]["passed"] is False


def test_manual_specs_wait_for_a_person(quickstart, tmp_path):
    course, _, status, _ = quickstart
    manual = [k for k, v in status["students"][0]["specs"].items() if v["kind"] == "manual"]
    assert set(manual) >= {"sum_of_squares_equation", "sum_of_squares_application", "part-a", "part-b"}
    assert len(manual) == 5  # the four answers and the task
    assert all(v["passed"] is None for s in status["students"] for k, v in s["specs"].items() if k in manual)
    mlip("mark", "ps1", "--student", "solution", "--spec", "part-a", "--pass", "--course", course, cwd=tmp_path)
    after = json.loads(mlip("status", "ps1", "--json", "--student", "solution", "--course", course, cwd=tmp_path))
    assert after["students"][0]["specs"]["part-a"]["passed"] is True
    mlip("feedback", "ps1", "--course", course, cwd=tmp_path)
    mlip("export", "--format", "csv", "-o", tmp_path / "g.csv", "--course", course, cwd=tmp_path)
    assert "solution,ps1" in (tmp_path / "g.csv").read_text()
