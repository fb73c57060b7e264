"""The first assignment from release to resubmission, through the `mlip` command as a TA would use it."""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.model.nbcells import read_notebook
from grader.model.rubric import load_rubric
from grader.authoring.submissions import load_answer_file, solution_answers, write_submission

pytestmark = pytest.mark.slow
KIT = Path(__file__).resolve().parents[2]
SRC = KIT / "assignments" / "model-quality"
FIX = KIT / "tests" / "fixtures" / "model-quality"
NB = "model-quality.ipynb"


def mlip(*args, check=True):
    out = subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], capture_output=True, text=True,
                         timeout=900)
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("mq") / "course"
    mlip("course", "init", root)
    mlip("release", "model-quality", "--course", root, "--assignments", KIT / "assignments")
    release = root / "release" / "model-quality" / NB
    source = read_notebook(SRC / NB)
    work = root.parent / "work"

    def make(name, answers):
        return write_submission(release, answers, work / name / NB)

    plan = [
        ("alice", make("alice", solution_answers(source)), "2026-09-14T12:00:00-04:00"),
        ("bob", make("bob1", load_answer_file(FIX / "partial.yml")["cells"]), "2026-09-13T12:00:00-04:00"),
        ("bob", make("bob2", load_answer_file(FIX / "fixed.yml")["cells"]), "2026-09-15T20:00:00-04:00"),
        ("carol", make("carol", solution_answers(source)), "2026-09-17T09:00:00-04:00"),
        ("dave", make("dave", {}), "2026-09-15T23:00:00-04:00"),
    ]
    for student, path, at in plan:
        mlip("submit", "model-quality", path, "--student", student, "--at", at, "--course", root)
    # fixtures of plausible mistakes, each as its own student
    for fixture in sorted(FIX.glob("*.yml")):
        if fixture.stem in ("partial", "fixed"):
            continue
        path = make(fixture.stem, load_answer_file(fixture)["cells"])
        mlip("submit", "model-quality", path, "--student", f"fx-{fixture.stem}", "--at",
             "2026-09-14T12:00:00-04:00", "--course", root)
    mlip("grade", "model-quality", "--jobs", "2", "--course", root)
    return root


def status(root, *extra):
    return json.loads(mlip("status", "model-quality", "--json", "--course", root, *extra).stdout)


def secret_lines(source) -> set[str]:
    """Lines that appear only inside hidden-test blocks of the source notebook."""
    hidden, visible = set(), set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if "BEGIN HIDDEN TESTS" in text:
                inside = True
            elif "END HIDDEN TESTS" in text:
                inside = False
            elif len(text) > 12:
                (hidden if inside else visible).add(text)
    shown = "\n".join(visible)
    return {line for line in hidden if line not in shown}


def test_release_hides_hidden_tests_and_solutions(course):
    text = (course / "release" / "model-quality" / NB).read_text()
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert not (course / "release" / "model-quality" / "rubric.yml").exists()
    secrets = secret_lines(read_notebook(SRC / NB))
    assert len(secrets) >= 5, "the assignment has hidden tests"
    assert [ln for ln in secrets if ln in text] == []


def test_exact_verdicts_points_and_tokens(course):
    doc = status(course)
    rubric_auto = {k for k, v in doc["students"][0]["specs"].items() if v["kind"] == "auto"}
    s = {x["student"]: x for x in doc["students"]}
    auto = lambda who, n=-1: s[who]["attempts"][n]["specs"]
    assert auto("alice") == {k: True for k in rubric_auto}
    assert auto("dave") == {k: False for k in rubric_auto}
    assert auto("bob", 0) == load_answer_file(FIX / "partial.yml")["expect"]
    assert auto("bob", 1) == {k: True for k in rubric_auto}
    assert auto("carol") == {k: True for k in rubric_auto}
    rubric = load_rubric(SRC / "rubric.yml")
    auto_total = sum(spec.points for spec in rubric.auto_specs)
    partial_points = sum(spec.points for spec in rubric.auto_specs if auto("bob", 0)[spec.id])
    assert s["bob"]["attempts"][0]["points"] == partial_points < auto_total
    assert s["carol"]["attempts"][0]["status"] == "late" and s["carol"]["attempts"][0]["tokens_spent"] == 2
    assert s["carol"]["tokens_left"] == 6 and s["alice"]["tokens_left"] == 8 and s["bob"]["tokens_left"] == 8
    assert s["alice"]["points"] == s["bob"]["points"] == s["carol"]["points"] == auto_total
    assert s["dave"]["points"] == 0
    assert s["bob"]["attempts"][0]["messages"] and set(s["bob"]["attempts"][0]["messages"]) == {
        k for k, v in auto("bob", 0).items() if not v}


def test_each_mistake_fails_exactly_its_spec(course):
    doc = status(course)
    s = {x["student"]: x for x in doc["students"]}
    fixtures = [f for f in sorted(FIX.glob("*.yml")) if f.stem not in ("partial", "fixed")]
    assert len(fixtures) >= 2
    for fixture in fixtures:
        expect = load_answer_file(fixture)["expect"]
        assert s[f"fx-{fixture.stem}"]["attempts"][0]["specs"] == expect, fixture.stem


def test_manual_marks_feedback_and_export(course):
    doc = status(course)
    manual = [k for k, v in doc["students"][0]["specs"].items() if v["kind"] == "manual"]
    assert manual
    mlip("mark", "model-quality", "--student", "alice", "--spec", manual[0], "--pass", "--course", course)
    mlip("mark", "model-quality", "--student", "dave", "--spec", manual[0], "--fail", "--comment", "empty",
         "--course", course)
    after = {x["student"]: x for x in status(course)["students"]}
    assert after["alice"]["points"] > after["bob"]["points"]
    assert after["dave"]["specs"][manual[0]] == {"kind": "manual", "passed": False, "attempt": 1, "comment": "empty"}
    mlip("feedback", "model-quality", "--course", course)
    secrets = secret_lines(read_notebook(SRC / NB))
    pages = list((course / "feedback" / "model-quality").glob("*.html"))
    assert len(pages) == len(after)
    for page in pages:
        html = page.read_text()
        leaked = [ln for ln in secrets if ln in html]
        assert leaked == [], f"{page.name} shows hidden test lines {leaked[:2]}"
    out = course / "grades.csv"
    mlip("export", "--format", "canvas", "-o", out, "--course", course)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    points = {r[0]: float(r[5]) for r in rows[2:]}
    assert points["alice"] == after["alice"]["points"] and points["dave"] == 0


def test_mlip_check_passes():
    out = mlip("check", "model-quality", "--assignments", KIT / "assignments")
    assert "the solution passes every automatic spec, the blank release none, every fixture gets the verdicts it " \
        "declares, and both judge modes agree" in out.stdout
    assert out.stdout.startswith("judge: separate")
    # the fixtures' columns are printed beside the solution and the blank release
    assert "wrong_positive_label" in out.stdout.splitlines()[1]
