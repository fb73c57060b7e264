"""`mlip demo`, the README's first command, runs end to end and prints the spec table and each attempt's mode."""
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.slow]


def test_demo_grades_its_students(tmp_path):
    out = subprocess.run([sys.executable, "-m", "grader.cli", "demo", "--dir", str(tmp_path / "demo")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "alice" in out.stdout and "dave" in out.stdout and "tests: separate" in out.stdout
    assert (tmp_path / "demo" / "grades.csv").is_file()
