"""The judge (`judge: separate`): what test cells can do with student names they only see as data and proxies.

A small assignment is built here: each spec exercises one promise (exceptions keep their type, changed arguments
come back changed, the test's warning filters apply inside the call, a fitted model is reachable through a
handle, an instructor's function can be passed to student code, the student's output shows in the test, slow and
crashing calls fail the test) and is graded for a right and a wrong answer.
"""
import nbformat
import pytest
import yaml

from grader.records.course import init_course
from grader.grading.batch import Limits, grade
from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.authoring.release import release
from grader.execution.sandbox import bwrap_works
from grader.records.standing import assignment_status
from grader.authoring.submissions import write_submission

pytestmark = [pytest.mark.slow]
SANDBOX = "bwrap" if bwrap_works() else "none"


def _meta(gid, *, solution=False, grade=False, locked=False, points=0):
    return {"nbgrader": {"grade": grade, "grade_id": gid, "locked": locked, "points": points, "schema_version": 3,
                         "solution": solution, "task": False}}


SETUP = """import warnings
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
X = pd.DataFrame({"a": np.arange(40) % 7, "b": np.arange(40) % 3})
y = (X["a"] > 3).astype(int)
"""
# spec -> (answer cell, test cell, a wrong answer)
SPECS = {
    "raises": ("def halve(x):\n    if x < 0:\n        raise ValueError('x must not be negative')\n    return x / 2\n",
               "try:\n    halve(-1)\n    _ok = False\nexcept ValueError as _e:\n    _ok = 'negative' in str(_e)\n"
               "assert _ok and halve(3) == 1.5\n",
               "def halve(x):\n    return x / 2\n"),
    "keeps_input": ("def scaled(df):\n    return df / df.max()\n",
                    "_before = X.copy()\n_got = scaled(X)\nassert X.equals(_before), 'do not modify df'\n"
                    "assert float(_got['a'].max()) == 1.0\n",
                    "def scaled(df):\n    df['a'] = df['a'] / df['a'].max()\n    df['b'] = df['b'] / df['b'].max()\n"
                    "    return df\n"),
    "warnings": ("def noisy():\n    import warnings\n    warnings.warn('old API', DeprecationWarning)\n    return 7\n",
                 "with warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n    assert noisy() == 7\n",
                 "def noisy():\n    import warnings\n    warnings.warn('old API', DeprecationWarning)\n    return 8\n"),
    "model": ("def fit(X, y):\n    return LogisticRegression().fit(X, y)\n",
              "_m = fit(X, y)\nassert isinstance(_m, LogisticRegression)\n"
              "assert np.mean(_m.predict(X) == y) > 0.9 and _m.coef_.shape == (1, 2)\n",
              "def fit(X, y):\n    return LogisticRegression().fit(X[['b']], y)\n"),
    "callback": ("def apply_twice(f, x):\n    return f(f(x))\n",
                 "def _inc(v):\n    return v + 1\n\nassert apply_twice(_inc, 1) == 3\n",
                 "def apply_twice(f, x):\n    return f(x)\n"),
    "printed": ("def shout(word):\n    print('STUDENT SAYS', word)\n    return word.upper()\n",
                "assert shout('hi') == 'HI'\n",
                "def shout(word):\n    print('STUDENT SAYS', word)\n    return word\n"),
    "slow": ("def quick():\n    return 1\n",
             "assert quick() == 1\n",
             "def quick():\n    import time\n    time.sleep(60)\n    return 1\n"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("judge")
    src = tmp / "assignments" / "proxies"
    src.mkdir(parents=True)
    cells = [nbformat.v4.new_code_cell("seed = 0", metadata={**_meta("params", locked=True), "tags": ["parameters"]}),
             nbformat.v4.new_code_cell(SETUP, metadata=_meta("setup", locked=True))]
    for spec, (answer, test, _) in SPECS.items():
        solution = answer.replace("\n", "\n", 1)
        cells.append(nbformat.v4.new_code_cell(solution, metadata=_meta(f"{spec}_answer", solution=True)))
        cells.append(nbformat.v4.new_code_cell(test, metadata=_meta(f"{spec}_test", grade=True, locked=True,
                                                                     points=1)))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                         "display_name": "Python 3"}})
    nbformat.write(nb, src / "proxies.ipynb")
    rubric = {"title": "Proxies", "notebooks": ["proxies.ipynb"], "judge": "separate",
              "specs": [{"id": s, "points": 10, "title": s, "tests": [f"{s}_test"], "message": s} for s in SPECS]}
    (src / "rubric.yml").write_text(yaml.safe_dump(rubric))
    course = init_course(tmp / "course")
    release(course, "proxies", assignments_dir=src.parent)
    ledger = Ledger(course.default_db_url)
    students = {"right": {f"{s}_answer": a for s, (a, _, _) in SPECS.items()},
                "wrong": {f"{s}_answer": w for s, (_, _, w) in SPECS.items()}}
    for who, answers in students.items():
        path = write_submission(course.release_dir("proxies") / "proxies.ipynb", answers, tmp / who / "proxies.ipynb")
        submit(course, ledger, "proxies", [path], student=who, at="2026-09-14T10:00:00Z")
    ledger.close()
    grade(course, "proxies", jobs=2, sandbox=SANDBOX, limits=Limits(cell_timeout=6, notebook_timeout=120))
    doc = assignment_status(course, "proxies").doc
    return course, {s["student"]: s["attempts"][0] for s in doc["students"]}


def test_a_right_answer_passes_every_spec(graded):
    _, attempts = graded
    assert attempts["right"]["specs"] == {s: True for s in SPECS}, attempts["right"]
    assert attempts["right"]["judge"] == "separate" and attempts["right"]["status"] == "graded"


def test_each_wrong_answer_fails_its_spec(graded):
    _, attempts = graded
    assert attempts["wrong"]["specs"] == {s: False for s in SPECS}, attempts["wrong"]


def test_the_students_output_shows_in_the_test_cell(graded):
    course, _ = graded
    nb = nbformat.read(course.private / "graded" / "proxies" / "right" / "1" / "proxies.ipynb", as_version=4)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "printed_test")
    assert "STUDENT SAYS hi" in "".join(o.get("text", "") for o in test.outputs)
