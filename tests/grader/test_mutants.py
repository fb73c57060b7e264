"""Mutants of answer cells: each operator makes the change it names, ids are stable, the count is bounded, and a
real grading run kills a mutant that breaks a spec while letting one through that its tests cannot see."""
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from grader.authoring.mutants import cell_mutants
from grader.authoring.mutation import MutationReport, equivalents, mutation_check, plan, rubric_strength, source_key
from grader.authoring.release import release
from grader.records.course import init_course

KIT = Path(__file__).resolve().parents[2]
CELL = textwrap.dedent('''\
    def share_above(values, threshold=0.5, scale=1):
        """Share of values at or above threshold."""
        hits = 0
        for v in values:
            if v * scale >= threshold:
                hits += 1
        print(f"{hits} hits")
        model.fit(X_train, y_train)
        return hits / len(values)''')


def _by_op(mutants):
    out = {}
    for m in mutants:
        out.setdefault(m.operator, []).append(m)
    return out


def test_each_operator_makes_its_change():
    ops = _by_op(cell_mutants("share", CELL, {"X_test", "y_test"}, limit=100))
    assert any(">= threshold" not in m.source and "> threshold" in m.source for m in ops["boundary"])
    assert any("threshold=0.55" in m.source for m in ops["constant"])
    assert any("hits / len(values)" not in m.source and "hits * len(values)" in m.source for m in ops["arith"])
    assert any("v * 1 >= threshold" in m.source for m in ops["default"])  # scale never read
    assert any("v * scale >= 0.5" in m.source for m in ops["default"])  # threshold never read
    assert {m.source.count("model.fit(X_test, y_train)") + m.source.count("model.fit(X_train, y_test)")
            for m in ops["fitdata"]} == {1}
    assert any("model.fit(y_train, X_train)" in m.source for m in ops["swap"])
    assert any("    pass\n" in m.source and "model.fit" not in m.source for m in ops["remove"])
    assert any("return (hits / len(values)) * 1.01" in m.source for m in ops["return"])
    # what a cell prints is for the reader: never mutated or removed
    assert all('print(f"{hits} hits")' in m.source for ms in ops.values() for m in ms)


def test_every_mutant_compiles_and_differs_and_has_a_one_change_diff():
    for m in cell_mutants("share", CELL, {"X_test", "y_test"}, limit=100):
        compile(m.source, m.id, "exec")
        assert m.source != CELL
        assert m.diff.count("\n-") >= 1 and m.id.startswith("share:")


def test_ids_are_stable_under_edits_elsewhere_and_the_count_is_bounded():
    before = {m.id: m.source for m in cell_mutants("share", CELL, limit=100)}
    edited = CELL.replace('"""Share of values at or above threshold."""', '"""Share."""\n    extra = 0')
    after = {m.id for m in cell_mutants("share", edited, limit=100)}
    assert {i for i in before if ":boundary:" in i or ":arith:" in i} <= after
    assert [m.id for m in cell_mutants("share", CELL, limit=5)] == [m.id for m in cell_mutants("share", CELL, limit=5)]
    few = cell_mutants("share", CELL, limit=5)
    assert len(few) == 5 and len({m.operator for m in few}) == 5  # each operator gets its share


def test_plan_covers_only_answer_cells_an_automatic_spec_reads():
    src = KIT / "assignments" / "model-quality"
    planned = plan(src, yaml.safe_load((src / "rubric.yml").read_text()))
    cells = {m.cell for _, m, _ in planned}
    assert cells == {"precision_recall_f1", "baseline_accuracy", "slice_report", "flip_rate", "honest_cv_accuracy"}
    assert all(specs == ("leakage",) for _, m, specs in planned if m.cell == "honest_cv_accuracy")


def test_report_counts_equivalent_mutants_apart():
    rows = ({"id": "a", "specs": ["s"], "killed": True}, {"id": "b", "specs": ["s"], "killed": False},
            {"id": "c", "specs": ["s"], "killed": False})
    report = MutationReport("x", "k", rows, 1.0)
    assert report.by_spec({})["s"] == {"mutants": 3, "killed": 1, "equivalent": 0, "survivors": ["b", "c"],
                                       "score": pytest.approx(1 / 3)}
    assert report.by_spec({"b": "why", "c": "why"})["s"]["score"] == 1.0


def test_the_report_stays_in_source_and_never_reaches_students(tmp_path):
    """mutants.json shows the solution's code in its diffs; the course report reads it from source/."""
    course = init_course(tmp_path / "course")
    release(course, "model-quality", assignments_dir=KIT / "assignments")
    assert (course.source_dir("model-quality") / "mutants.json").is_file()
    assert not (course.release_dir("model-quality") / "mutants.json").exists()
    assert rubric_strength(course.source_dir("model-quality")).startswith("50/50 mutants killed, 3 equivalent")


def _meta(gid, **kw):
    return {"nbgrader": {"grade_id": gid, "schema_version": 3, "locked": False, **kw}}


def _tiny(tmp_path, hidden):
    """A one-function assignment whose hidden test is ``hidden``."""
    src = tmp_path / "assignments" / "tiny"
    src.mkdir(parents=True)
    cells = [
        {"cell_type": "code", "id": "c1", "metadata": _meta("at_least", solution=True, grade=False),
         "source": "def at_least(values, bound=3):\n    ### BEGIN SOLUTION\n"
                   "    return [v for v in values if v >= bound]\n    ### END SOLUTION", "outputs": [],
         "execution_count": None},
        {"cell_type": "code", "id": "c2", "metadata": _meta("at_least_test", solution=False, grade=True, points=1),
         "source": hidden, "outputs": [], "execution_count": None},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    (src / "tiny.ipynb").write_text(json.dumps(nb))
    (src / "rubric.yml").write_text(yaml.safe_dump({"title": "tiny", "notebooks": ["tiny.ipynb"], "specs": [
        {"id": "bound", "points": 100, "title": "at_least keeps values at or above bound",
         "tests": ["at_least_test"], "message": "no"}]}))
    return src


@pytest.mark.slow
def test_real_grading_kills_what_the_tests_see_and_reports_what_they_miss(tmp_path):
    weak = "assert at_least([1, 5, 9], bound=4) == [5, 9]"
    src = _tiny(tmp_path, weak)
    report = mutation_check("tiny", assignments_dir=src.parent, jobs=2, sandbox="none")
    rows = {m["id"]: m for m in report.mutants}
    survivors = set(report.by_spec({})["bound"]["survivors"])
    # no case sits on the bound, and the default is never used: both mistakes get through
    assert any(":boundary:" in i for i in survivors) and any(":constant:" in i for i in survivors)
    assert any(":return:" in i and rows[i]["killed"] for i in rows)  # a list times 1.01 fails to run: killed
    assert json.loads((src / "mutants.json").read_text())["key"] == source_key(src)
    strong = weak + "\nassert at_least([2, 3, 4]) == [3, 4]\nassert at_least([4, 5], bound=5) == [5]"
    src = _tiny(tmp_path / "again", strong)
    report = mutation_check("tiny", assignments_dir=src.parent, jobs=2, sandbox="none")
    assert report.by_spec(equivalents(src))["bound"]["score"] == 1.0, report.mutants
