"""Progress: a bar with counts, rate and time left on a terminal, one plain line per item anywhere else."""
import io
import os
import pty
import re
import select
import subprocess
import sys

import pytest

from grader.execution.progress import Progress
from grader.intake.submit import submit
from grader.records.ledger import Ledger

from ..conftest import make_toy_course, toy_submission


def test_plain_lines_when_not_a_terminal():
    out, err = io.StringIO(), io.StringIO()
    with Progress("mlip grade", "attempt", stream=err, out=out) as bar:
        bar.start(3)
        for who in ("ann", "ben", "cat"):
            bar.done(f"toy/{who} #1: graded 1.0 s")
    assert out.getvalue().splitlines() == ["[1/3] toy/ann #1: graded 1.0 s", "[2/3] toy/ben #1: graded 1.0 s",
                                           "[3/3] toy/cat #1: graded 1.0 s"]
    assert err.getvalue() == ""


def test_a_bar_on_a_pseudo_terminal():
    leader, follower = pty.openpty()
    stream = os.fdopen(follower, "w")
    out = io.StringIO()
    with Progress("mlip grade", "attempt", stream=stream, out=out) as bar:
        bar.start(4)
        for i in range(4):
            bar.done(f"toy/s{i} #1: graded", problem=i == 2)
    stream.flush()
    text = os.read(leader, 65536).decode()
    stream.close()
    os.close(leader)
    assert out.getvalue() == ""  # no plain lines: the bar says it
    assert "\r" in text and "4/4" in text and "attempt/s" in text and "mlip grade" in text
    assert "toy/s2 #1: graded" in text  # a problem is written above the bar


def _run_on_pty(argv):
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the other side closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait()
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_mlip_grade_shows_a_bar_on_a_terminal_and_lines_in_a_pipe(tmp_path):
    course = make_toy_course(tmp_path / "course")
    led = Ledger(course.default_db_url)
    submit(course, led, "toy", [toy_submission(course, tmp_path / "a")], student="ann", at="2026-09-10T10:00:00Z")
    led.close()
    mlip = [sys.executable, "-m", "grader.cli", "grade", "toy", "--course", str(course.root)]
    code, text = _run_on_pty(mlip)
    assert code == 0 and re.search(r"mlip grade: 100%.*1/1", text) and "\r" in text, text
    assert "graded 1 attempt(s)" in text and "[1/1]" not in text
    submit_led = Ledger(course.default_db_url)
    submit(course, submit_led, "toy", [toy_submission(course, tmp_path / "b", solution=True)], student="ben",
           at="2026-09-10T10:00:00Z")
    submit_led.close()
    piped = subprocess.run(mlip, capture_output=True, text=True)
    assert piped.returncode == 0 and "\r" not in piped.stdout + piped.stderr
    assert re.match(r"\[1/1\] toy/ben #1: graded \d+\.\d s\ngraded 1 attempt\(s\)", piped.stdout), piped.stdout


@pytest.mark.slow
def test_ctrl_c_stops_grading_with_what_was_done_recorded(tmp_path):
    import signal
    import time

    course = make_toy_course(tmp_path / "course")
    led = Ledger(course.default_db_url)
    for i in range(4):
        submit(course, led, "toy", [toy_submission(course, tmp_path / str(i), {"square_answer": f"y = {i}"})],
               student=f"s{i}", at="2026-09-10T10:00:00Z")
    led.close()
    mlip = [sys.executable, "-m", "grader.cli", "grade", "toy", "--jobs", "1", "--course", str(course.root)]
    proc = subprocess.Popen(mlip, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    first = proc.stdout.readline()
    assert first.startswith("[1/4] toy/"), first
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    start = time.monotonic()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and time.monotonic() - start < 60
    done = int(re.search(r"interrupted after (\d) of 4 attempt\(s\); their results are recorded", err).group(1))
    assert "Traceback" not in err and 1 <= done < 4
    led = Ledger(course.default_db_url)
    assert len(led.results("toy")) == done and len(led.pending("toy")) == 4 - done
    led.close()
    again = subprocess.run(mlip, capture_output=True, text=True)
    assert again.returncode == 0 and f"graded {4 - done} attempt(s)" in again.stdout
