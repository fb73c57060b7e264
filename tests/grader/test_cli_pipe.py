"""Any `mlip` command whose reader leaves early (`mlip status --json | head`) stops quietly, without a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

NB = Path(__file__).resolve().parents[1] / "fixtures" / "papermill" / "notebooks" / "simple_execute.ipynb"


@pytest.mark.parametrize("args, code", [
    (["run", "--help"], 0),  # argparse itself swallows the error while printing help
    (["run", str(NB), "--prepare-only", "--no-progress", "--out"], 1),  # the command did its work, its report was lost
], ids=["help", "command"])
def test_a_closed_stdout_ends_quietly(args, code, tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before mlip writes a byte
    try:
        res = subprocess.run([sys.executable, "-m", "grader.cli", *args, str(tmp_path)], stdout=write,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert (res.returncode, res.stderr) == (code, "")
