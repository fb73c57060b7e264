"""nbgrader's own test notebooks, graded by mlip and by `nbgrader autograde`: every test-cell verdict must agree.

nbgrader's side is deterministic for a pinned nbgrader, so it is recorded once into
tests/fixtures/nbgrader/nbgrader_verdicts.json. Re-record it when the nbgrader pin moves (about two minutes):

    python -m tests.grader.test_nbgrader_fidelity --record

mlip's side runs every time: the course below is built from the vendored notebooks, adopted with
`mlip course adopt` (which releases it through nbgrader's preprocessors), graded with `mlip grade --jobs 2` in one
batch, and every test cell's verdict is compared with nbgrader's score for it (full points = passed). The only
differences allowed are the deliberate ones in DELIBERATE, each explained in tests/fixtures/nbgrader/README.md.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "nbgrader"
FILES = FIXTURE / "files"
RECORD = FIXTURE / "nbgrader_verdicts.json"
RELEASED = "<the student version>"
"""Stands for the released student version, made by the grader under test (nbgrader's own, or mlip's)."""
STAMP = "2026-09-14 10:00:00.000000 UTC"
CONFIG = '''\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "fidelity"
# timeout.ipynb sleeps 5 s in its test cell: both graders must time it out (nbgrader's default is 30 s)
c.Execute.timeout = 3
# as nbgrader's own tests of hidden autotests set it
c.ClearSolutions.code_stub = dict(python="# YOUR CODE HERE")
'''


@dataclass(frozen=True)
class Assignment:
    """One assignment of the course: its source notebooks, extra files, and what each student submits."""

    source: dict[str, str]
    students: dict[str, dict[str, str]]
    files: dict[str, str] = field(default_factory=dict)


ASSIGNMENTS = {
    # nbgrader's test_grade and test_showtraceback_exploit: an answer, edited read-only cells, two kernel tampers
    "basic": Assignment({"p1.ipynb": "submitted-unchanged.ipynb"}, {
        "unchanged": {"p1.ipynb": "submitted-unchanged.ipynb"},
        "changed": {"p1.ipynb": "submitted-changed.ipynb"},
        "cheat": {"p1.ipynb": "submitted-cheat-attempt.ipynb"},
        "cheat-alternative": {"p1.ipynb": "submitted-cheat-attempt-alternative.ipynb"},
        "grade-cell-changed": {"p1.ipynb": "submitted-grade-cell-changed.ipynb"},
        "locked-cell-changed": {"p1.ipynb": "submitted-locked-cell-changed.ipynb"},
    }),
    # test_grade_autotest, test_grade_hashed_autotest, test_grade_complex_autotest: autotests.yml in the course root
    "autotest_simple": Assignment({"p1.ipynb": "autotest-simple.ipynb"}, {
        "unchanged": {"p1.ipynb": "autotest-simple-unchanged.ipynb"},
        "changed": {"p1.ipynb": "autotest-simple-changed.ipynb"},
    }),
    "autotest_hashed": Assignment({"p1.ipynb": "autotest-hashed.ipynb"}, {
        "unchanged": {"p1.ipynb": "autotest-hashed-unchanged.ipynb"},
        "changed": {"p1.ipynb": "autotest-hashed-changed.ipynb"},
    }),
    "autotest_multi": Assignment({"p1.ipynb": "autotest-multi.ipynb"}, {
        "unchanged": {"p1.ipynb": "autotest-multi-unchanged.ipynb"},
        "changed": {"p1.ipynb": "autotest-multi-changed.ipynb"},
    }),
    # test_hidden_tests_autotest, with autotests.yml in the assignment's own folder
    "autotest_hidden": Assignment({"p1.ipynb": "autotest-hidden.ipynb"}, {
        "unchanged": {"p1.ipynb": "autotest-hidden-unchanged.ipynb"},
        "changed-wrong": {"p1.ipynb": "autotest-hidden-changed-wrong.ipynb"},
        "changed-right": {"p1.ipynb": "autotest-hidden-changed-right.ipynb"},
    }, files={"autotests.yml": "autotests.yml"}),
    # test_hidden_tests_single_notebook: answers that pass the visible tests and fail the hidden ones
    "hidden_tests": Assignment({"p1.ipynb": "test-hidden-tests.ipynb"}, {
        "released": {"p1.ipynb": RELEASED},
        "source": {"p1.ipynb": "test-hidden-tests.ipynb"},
    }),
    # test_force_single_notebook and test_grade_missing_notebook: two notebooks with the same grade ids
    "two_notebooks": Assignment({"p1.ipynb": "test.ipynb", "p2.ipynb": "test.ipynb"}, {
        "both-solved": {"p1.ipynb": "test.ipynb", "p2.ipynb": "test.ipynb"},
        "p1-solved": {"p1.ipynb": "test.ipynb", "p2.ipynb": RELEASED},
        "p2-missing": {"p1.ipynb": RELEASED},
    }),
    # test_autograde_timeout, test_grade_with_validating_envvar, open_relative_file (a data file beside it)
    "timeout": Assignment({"p1.ipynb": "timeout.ipynb"}, {"slow": {"p1.ipynb": "timeout.ipynb"}}),
    "environment": Assignment({"p1.ipynb": "validating-environment-variable.ipynb"},
                              {"any": {"p1.ipynb": "validating-environment-variable.ipynb"}}),
    "relative_file": Assignment({"p1.ipynb": "open_relative_file.ipynb"},
                                {"reader": {"p1.ipynb": "open_relative_file.ipynb"}}, files={"data.txt": "data.txt"}),
}

DELIBERATE = {
    "basic/cheat/p1.ipynb:foo": "the answer cell disabled the kernel's error reporting; mlip fails every test "
                                "cell after a kernel tamper, nbgrader credits the earlier one",
    "basic/cheat-alternative/p1.ipynb:foo": "the same, with the other way of disabling error reporting",
}
"""Verdicts where mlip differs from nbgrader on purpose (README.md in the fixture folder says why)."""


def build_course(root: Path, release_version=None) -> Path:
    """Lay out an nbgrader course at ``root``; ``release_version(assignment, name)`` gives RELEASED files."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG)
    shutil.copy(FILES / "autotests.yml", root / "autotests.yml")
    for name, a in ASSIGNMENTS.items():
        src = root / "source" / name
        src.mkdir(parents=True)
        for dest, fixture in {**a.source, **a.files}.items():
            shutil.copy(FILES / fixture, src / dest)
    for name, a in ASSIGNMENTS.items():
        for student, files in a.students.items():
            sub = root / "submitted" / student / name
            sub.mkdir(parents=True)
            for dest, fixture in files.items():
                if fixture == RELEASED:
                    (sub / dest).write_text(release_version(name, dest), encoding="utf-8")
                else:
                    shutil.copy(FILES / fixture, sub / dest)
            (sub / "timestamp.txt").write_text(STAMP)
    return root


def _cells(nb) -> list:
    """What a release must reproduce: each cell's type, source and nbgrader metadata."""
    return [[c.cell_type, c.source, c.metadata.get("nbgrader", {})] for c in nb.cells]


def _run(*cmd, cwd) -> str:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{cmd} failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}"
    return out.stdout


def record() -> dict:
    """Grade the course with nbgrader itself (generate_assignment, autograde) and return what it decided."""
    import nbgrader
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        releases = {}

        def release_version(assignment, name):
            return releases[assignment, name]

        staging = build_course(Path(tmp) / "staging", release_version=lambda a, n: "{}")
        for name in ASSIGNMENTS:
            _run("nbgrader", "generate_assignment", name, "--force", cwd=staging)
            for p in sorted((staging / "release" / name).glob("*.ipynb")):
                releases[name, p.name] = p.read_text(encoding="utf-8")
        build_course(root, release_version=release_version)
        shutil.copytree(staging / "release", root / "release")
        shutil.copy(staging / "gradebook.db", root / "gradebook.db")
        for name in ASSIGNMENTS:
            _run("nbgrader", "autograde", name, "--create", "--force", cwd=root)
        verdicts, masters = {}, {}
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            for name, a in ASSIGNMENTS.items():
                for nb_name in a.source:
                    notebook = gb.find_notebook(Path(nb_name).stem, name)
                    for cell in notebook.grade_cells:
                        if cell.cell_type != "code" or _has_solution(gb, cell.name, notebook.name, name):
                            continue
                        source = gb.find_source_cell(cell.name, notebook.name, name)
                        masters[f"{name}/{nb_name}:{cell.name}"] = source.source
                        for student in a.students:
                            grade = gb.find_grade(cell.name, notebook.name, name, student)
                            verdicts[f"{name}/{student}/{nb_name}:{cell.name}"] = [grade.auto_score, grade.max_score]
        release = {f"{a}/{n}": _cells(nbformat.reads(text, as_version=4)) for (a, n), text in releases.items()}
    return {"nbgrader": nbgrader.__version__, "verdicts": verdicts, "masters": masters, "release": release}


def _has_solution(gb, cell, notebook, assignment) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_solution_cell(cell, notebook, assignment)
    except MissingEntry:
        return False
    return True


def mlip(*args, cwd, ok=True) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], cwd=cwd, capture_output=True,
                         text=True, timeout=900)
    assert not ok or out.returncode == 0, f"mlip {args} failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}"
    return out


def _mlip_release(root: Path):
    from grader.authoring.release import prepare

    def release_version(assignment, name):
        *_, students, _ = prepare(root / "source" / assignment, assignment, course_root=root)
        return nbformat.writes(students[name])
    return release_version


def _qualified(assignment: str, key: str) -> str:
    """``notebook:grade_id`` for a result key: mlip's keys are bare grade_ids unless an id repeats."""
    from grader.model.nbcells import grade_id, read_notebook

    if ":" in key:
        return key
    holders = [name for name, fixture in ASSIGNMENTS[assignment].source.items()
               if key in {grade_id(c) for c in read_notebook(FILES / fixture).cells}]
    return f"{holders[0]}:{key}" if len(holders) == 1 else key


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course adopted and graded by mlip: (course, adopt's output, grade's output, verdicts by key)."""
    from grader.records.ledger import Ledger

    tmp = tmp_path_factory.mktemp("fidelity")
    root = tmp / "course"
    staging = build_course(tmp / "staging", release_version=lambda a, n: "{}")
    root = build_course(root, release_version=_mlip_release(staging))
    adopted = mlip("course", "adopt", root, cwd=tmp)
    graded = mlip("grade", "--course", root, "--jobs", "2", cwd=tmp, ok=False)
    ledger = Ledger(f"sqlite:///{root / '.mlip' / 'ledger.sqlite'}")
    try:
        results = ledger.results()
        attempts = {a.id: a for a in ledger.attempts()}
    finally:
        ledger.close()
    verdicts, flags = {}, {}
    for aid, res in results.items():
        a = attempts[aid]
        for key, verdict in res.cells.items():
            verdicts[f"{a.assignment}/{a.student}/{_qualified(a.assignment, key)}"] = verdict
        flags[f"{a.assignment}/{a.student}"] = res.flags
    return root, adopted, graded, verdicts, flags


@pytest.fixture(scope="module")
def recorded():
    import nbgrader

    again = "record it with `python -m tests.grader.test_nbgrader_fidelity --record`"
    if not RECORD.is_file():
        pytest.fail(f"{RECORD} is missing; {again}")
    data = json.loads(RECORD.read_text(encoding="utf-8"))
    if data["nbgrader"] != nbgrader.__version__:
        pytest.fail(f"{RECORD.name} holds nbgrader {data['nbgrader']}'s verdicts, nbgrader {nbgrader.__version__} "
                    f"is installed; {again}")
    return data


def _differences(recorded, verdicts) -> tuple[list[str], list[str]]:
    """(unexpected differences, deliberate ones) between nbgrader's verdicts and mlip's."""
    unexpected, deliberate = [], []
    for key, (score, top) in sorted(recorded["verdicts"].items()):
        ours = verdicts.get(key, "missing")
        if (ours == "passed") != (score == top):
            (deliberate if key in DELIBERATE else unexpected).append(
                f"{key}: mlip {ours!r}, nbgrader {score:g}/{top:g}")
    return unexpected, deliberate


@pytest.mark.slow
def test_every_test_cell_verdict_agrees_with_nbgrader_autograde(graded, recorded):
    _, adopted, _, verdicts, _ = graded
    assert adopted.returncode == 0, adopted.stderr
    unexpected, deliberate = _differences(recorded, verdicts)
    total = len(recorded["verdicts"])
    assert not unexpected, f"{len(unexpected)} of {total} verdicts differ:\n" + "\n".join(unexpected)
    assert len(deliberate) == len(DELIBERATE), "a deliberate difference no longer differs; take it off the list"
    assert len(recorded["verdicts"]) == 62
    assert sum(k.startswith("two_notebooks/") for k in recorded["verdicts"]) == 24  # grade ids shared by p1 and p2


@pytest.mark.slow
def test_the_release_is_what_generate_assignment_makes(graded, recorded):
    root = graded[0]
    for key, cells in recorded["release"].items():
        assignment, name = key.split("/")
        ours = _cells(nbformat.read(root / "release" / assignment / name, as_version=4))
        assert ours == cells, f"release/{key} differs from nbgrader generate_assignment's"
    assert (root / "release" / "autotest_hidden" / "autotests.yml").is_file()


@pytest.mark.slow
def test_graded_test_cells_are_the_ones_nbgrader_keeps_in_its_gradebook(graded, recorded):
    root = graded[0]
    for key, source in recorded["masters"].items():
        where, gid = key.split(":")
        assignment, name = where.split("/")
        master = nbformat.read(root / ".mlip" / "master" / assignment / name, as_version=4)
        ours = [c.source for c in master.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid]
        assert ours == [source], f"{key}: the master's test cell differs from nbgrader's gradebook"


@pytest.mark.slow
def test_adopt_and_grade_say_only_what_matters(graded):
    _, adopted, grade_out, verdicts, flags = graded
    assert adopted.stderr == ""
    assert "grading follows nbgrader_config.py: a cell may run 3 s (Execute.timeout)" in adopted.stdout
    assert "autotest_multi: 1 notebook(s), 4 automatic" in adopted.stdout
    assert "Warning" not in grade_out.stderr, grade_out.stderr[-2000:]
    assert verdicts["timeout/slow/p1.ipynb:correct_squares"] == "failed: cell took longer than 3 s"
    assert "notebook p2.ipynb was not submitted" in grade_out.stdout
    assert flags["basic/grade-cell-changed"] == ("p1.ipynb: test cell bar was edited (restored from the release)",)
    assert not flags["autotest_multi/changed"], "expanded autotests must match the release, not look edited"


@pytest.mark.slow
def test_validate_sets_what_nbgrader_validate_sets(tmp_path):
    shutil.copy(FILES / "validating-environment-variable.ipynb", tmp_path / "p1.ipynb")
    out = mlip("validate", tmp_path / "p1.ipynb", cwd=tmp_path, ok=False)
    assert out.returncode == 1, "the test cell fails where NBGRADER_EXECUTION is set, as under nbgrader validate"
    assert "[  FAIL  ] cell-bfbdf1784663b6b6: failed: AssertionError" in out.stdout


def test_deliberate_differences_are_explained_in_the_readme():
    readme = (FIXTURE / "README.md").read_text(encoding="utf-8")
    for key in DELIBERATE:
        assert f"`{key}`" in readme


def test_nbgrader_test_notebooks_read_without_warnings_and_with_stable_ids():
    from grader.model.nbcells import read_notebook

    for path in sorted(FILES.glob("*.ipynb")):
        first, again = read_notebook(path), read_notebook(path)
        assert first.nbformat_minor == 5 and all(c.id for c in first.cells)
        assert [c.id for c in first.cells] == [c.id for c in again.cells]
        nbformat.validate(first)


def test_a_missing_notebook_is_reported_as_not_submitted(tmp_path):
    from grader.model.errors import SubmissionError
    from grader.model.nbcells import read_notebook

    with pytest.raises(SubmissionError, match=r"^notebook p2.ipynb was not submitted$"):
        read_notebook(tmp_path / "p2.ipynb", student="amy")


if __name__ == "__main__" and "--record" in sys.argv:
    RECORD.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RECORD}")
