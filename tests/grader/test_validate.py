"""`mlip validate`: the student's own check runs the visible tests and previews the specs."""
import subprocess
import sys

import pytest

from ..conftest import toy_submission

pytestmark = pytest.mark.slow


def validate(path):
    return subprocess.run([sys.executable, "-m", "grader.cli", "validate", str(path)], capture_output=True,
                          text=True, timeout=300)


def test_validate_passes_a_correct_notebook_and_names_manual_specs(toy_course, tmp_path):
    out = validate(toy_submission(toy_course, tmp_path / "good", solution=True))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "[  pass  ] square() returns the square of any number" in out.stdout
    assert "graded by a person" in out.stdout and "hidden tests run when your submission is graded" in out.stdout


def test_validate_explains_a_failing_visible_test(toy_course, tmp_path):
    path = toy_submission(toy_course, tmp_path / "wrong", {"square_answer": "def square(x):\n    return x + x"})
    out = validate(path)
    assert out.returncode == 1
    assert "[  FAIL  ] square() returns the square of any number" in out.stdout
    assert "square(3) should be 9" in out.stdout
    assert "[  FAIL  ] mean()" in out.stdout and "NotImplementedError" in out.stdout
