"""Adopting nbgrader courses: nbgrader's own example course, agreeing with `nbgrader autograde` on every test cell,
and small courses for what an adopted course may hold (manual-only assignments, repeated grade ids, its config)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

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


@pytest.mark.slow
def test_adopt_says_what_it_did_and_keeps_nbgrader_files(quickstart):
    course, adopted, _, _ = quickstart
    assert "wrote mlip.yml (course course101" in adopted
    assert "ps1: 2 notebook(s)" in adopted and "derived from the graded cells" in adopted
    assert "kept from nbgrader's release/" in adopted
    assert "took in 3 submission(s)" in adopted
    assert (course / "gradebook.db").exists() and (course / "nbgrader_config.py").exists()
    assert (course / "release" / "ps1" / "jupyter.png").exists()


@pytest.mark.slow
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


@pytest.mark.slow
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


def _cell(kind: str, source: str, gid: str, **meta):
    """A cell with nbgrader metadata: kind code or markdown; meta like grade=True, solution=True, points=1."""
    nbmeta = {"grade": False, "solution": False, "locked": False, "grade_id": gid, "schema_version": 3, **meta}
    new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    return new(source, metadata={"nbgrader": nbmeta})


def _notebook(*cells):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    return nb


def _answer_and_test(gid: str):
    return [_cell("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", f"{gid}_answer", solution=True),
            _cell("code", "assert x == 1", gid, grade=True, locked=True, points=1)]


def _course(root: Path, config: str = "", **assignments) -> Path:
    """An nbgrader course folder: assignments given as name={notebook name: notebook}."""
    (root / "source").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n" + config)
    for name, notebooks in assignments.items():
        (root / "source" / name).mkdir()
        for nb_name, nb in notebooks.items():
            nbformat.write(nb, root / "source" / name / nb_name)
    return root


def test_adopt_registers_manual_only_assignments_and_exits_1_for_what_it_cannot(tmp_path):
    essay = _notebook(_cell("markdown", "Why?", "why", grade=True, solution=True, points=5),
                      _cell("markdown", "Draw the pipeline.", "task1", locked=True, task=True, points=3))
    broken = _notebook(*_answer_and_test("check"), *_answer_and_test("check"))
    course = _course(tmp_path / "c", essay={"essay.ipynb": essay}, broken={"b.ipynb": broken},
                     good={"g.ipynb": _notebook(*_answer_and_test("check"))})
    (course / "submitted" / "amy" / "essay").mkdir(parents=True)
    nbformat.write(essay, course / "submitted" / "amy" / "essay" / "essay.ipynb")
    out = subprocess.run([sys.executable, "-m", "grader.cli", "course", "adopt", course], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("mlip: ") and "broken not registered" in out.stderr
    assert "essay: 1 notebook(s), 0 automatic and 2 manual spec(s)" in out.stdout
    assert "essay: took in 1 submission(s)" in out.stdout
    assert "good: 1 notebook(s), 1 automatic" in out.stdout
    assert "broken: NOT registered: b.ipynb: grade_id(s) ['check', 'check_answer'] appear more than once" in out.stdout
    status = subprocess.run([sys.executable, "-m", "grader.cli", "status", "essay", "--json", "--course", course],
                            capture_output=True, text=True, timeout=300)
    assert status.returncode == 0, status.stderr
    assert set(json.loads(status.stdout)["students"][0]["specs"]) == {"why", "task1"}


def test_grade_ids_need_to_be_unique_only_within_a_notebook(tmp_path):
    from grader.records.course import Course
    from grader.model.errors import RubricError
    from grader.authoring.release import prepare, release

    course = _course(tmp_path / "c", ps={"p1.ipynb": _notebook(*_answer_and_test("check")),
                                         "p2.ipynb": _notebook(*_answer_and_test("check"), *_answer_and_test("own"))})
    (course / "mlip.yml").write_text("course_id: c\n")
    rel = release(Course(course), "ps")
    assert [s.id for s in rel.rubric.auto_specs] == ["p1.ipynb:check", "p2.ipynb:check", "own"]
    assert rel.rubric.spec("p2.ipynb:check").tests == ("p2.ipynb:check",)
    preview = nbformat.read(rel.release_dir / "p2.ipynb", as_version=4).metadata["mlip"]["specs"]
    assert {s["id"]: s["tests"] for s in preview} == {"p1.ipynb:check": [], "p2.ipynb:check": ["check"],
                                                      "own": ["own"]}
    (course / "source" / "ps" / "rubric.yml").write_text(
        "title: ps\nspecs:\n- {id: all, points: 3, tests: [check, own]}\n")
    with pytest.raises(RubricError, match=r"grade_id 'check' is in more than one notebook: name it as "
                                          r"p1.ipynb:check or p2.ipynb:check"):
        prepare(course / "source" / "ps", "ps", course_root=course)


def test_release_and_grading_follow_the_course_nbgrader_config(tmp_path):
    from grader.authoring.adopt import adopt
    from grader.records.course import Course
    from grader.authoring.release import prepare

    config = ('c.ClearSolutions.code_stub = {"python": "pass  # write it here"}\n'
              'c.ClearSolutions.begin_solution_delimeter = "BEGIN ANSWER"\n'
              'c.ClearSolutions.end_solution_delimeter = "END ANSWER"\n'
              "c.Execute.timeout = 7\nc.IgnorePattern.enabled = True\n")
    nb = _notebook(_cell("code", "### BEGIN ANSWER\nx = 1\n### END ANSWER", "a", solution=True),
                   _cell("code", "assert x == 1", "t", grade=True, locked=True, points=1))
    course = _course(tmp_path / "c", config, ps={"p.ipynb": nb})
    *_, students, _ = prepare(course / "source" / "ps", "ps", course_root=course)
    assert students["p.ipynb"].cells[0].source == "pass  # write it here"
    report = adopt(course)
    assert Course(course).cell_timeout == 7
    assert "grading follows nbgrader_config.py: a cell may run 7 s (Execute.timeout)" in report.lines
    assert any(line.startswith("note: nbgrader_config.py sets IgnorePattern.enabled") for line in report.lines)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\nc.Execute.timeout = None\n")
    assert Course(course).cell_timeout == float("inf")
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    assert Course(course).cell_timeout is None


def test_autotests_without_a_templates_file_are_one_clear_error(tmp_path):
    from grader.model.errors import RubricError
    from grader.authoring.release import prepare

    nb = _notebook(_cell("code", "### BEGIN SOLUTION\na = 5\n### END SOLUTION", "a", solution=True),
                   _cell("code", "### AUTOTEST a", "t", grade=True, locked=True, points=1))
    course = _course(tmp_path / "c", ps={"p.ipynb": nb})
    with pytest.raises(RubricError, match=r"^p.ipynb: nbgrader cannot generate the student version: it has ### "
                                          r"AUTOTEST lines but no autotests.yml was found in the assignment's "
                                          r"folder or the course root$"):
        prepare(course / "source" / "ps", "ps", course_root=course)
