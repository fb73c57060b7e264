"""Every committed notebook: no outputs, a parameters cell, and a clean run under `mlip run`."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2]
LECTURES = sorted((KIT / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted((KIT / "assignments").glob("*/*.ipynb"))
ALL = LECTURES + ASSIGNMENTS


def test_there_are_lecture_notebooks():
    assert len(LECTURES) >= 2


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert dirty == [], f"{path.name} has outputs in cells {dirty}; strip them before committing"


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_has_a_parameters_cell(path):
    nb = json.loads(path.read_text())
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0]["cell_type"] == "code"


@pytest.mark.notebook
@pytest.mark.slow
def test_lectures_run_clean_under_mlip_run(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", str(KIT / "notebooks"), "-p", "n_samples", "300",
         "--jobs", "2", "--out", str(tmp_path), "--no-progress"],
        capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    rows = [ln.split() for ln in out.stdout.splitlines() if ln.split() and ln.split()[0].endswith(".ipynb")]
    assert len(rows) == len(LECTURES)
    for row in rows:
        assert row[1] == "ok" and len(row) == 3, f"not clean: {' '.join(row)}"
    for path in LECTURES:
        executed = json.loads((tmp_path / path.name).read_text())
        images = sum("image/png" in o.get("data", {}) for c in executed["cells"] for o in c.get("outputs", []))
        assert images >= 1, f"{path.name} drew no plot"
        stderr = [o for c in executed["cells"] for o in c.get("outputs", [])
                  if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert stderr == [], f"{path.name} wrote to stderr: {stderr[:1]}"
