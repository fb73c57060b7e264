"""Hostile and odd submissions, graded in one sandboxed batch beside honest students.

Each fixture in tests/fixtures/hostile/ is one behaviour; each gets a recorded status and a one-line reason,
the batch goes on, and the honest students' verdicts are untouched.
"""
import json
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest

from grader.grading.batch import Limits, grade
from grader.intake.submit import submit
from grader.records.ledger import Ledger
from grader.execution.sandbox import bwrap_works
from grader.records.standing import assignment_status

from ..conftest import FIXTURES, make_toy_course, toy_submission

HOSTILE = FIXTURES / "hostile"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not bwrap_works(), reason="needs bubblewrap")]
PORT = 47631
T, F = True, False
# behaviour -> (square, mean, status, flagged?) when test cells run in the student's kernel (`judge: kernel`)
KERNEL = {
    "edited_test_cell": (F, T, "graded", True),
    "deleted_test_cells": (F, T, "graded", True),
    "reordered_test_cells": (T, T, "graded", True),
    "stripped_metadata": (T, T, "graded", True),
    "input_transformer": (F, F, "graded", True),
    "ast_transformer": (F, F, "graded", True),
    "traceback_suppression": (F, F, "graded", True),
    "redirected_stderr": (F, F, "graded", True),
    "monkeypatched_checker": (F, F, "graded", True),
    "read_outside": (T, T, "graded", False),
    "write_outside": (T, T, "graded", False),
    "os_exit": (T, F, "error", False),
    "sys_exit": (T, T, "graded", False),
    "segfault": (T, F, "error", False),
    "infinite_loop": (F, T, "graded", False),
    "memory_growth": (T, T, "graded", False),
    # the storm leaves the kernel at its process limit, so the next test may find the harness unable to
    # check the kernel (a failed spec, never a passed one by accident); either verdict is acceptable there
    "fork_storm": (None, T, "graded", None),
    "huge_output": (T, T, "graded", False),
    "network_access": (T, T, "graded", False),
    # attacks by a student who has read grader/: the probe now watches the compiler and the report's path
    "compiler_hook": (F, F, "graded", True),
    "compiler_class_hook": (F, F, "graded", True),
    "report_json_hook": (F, F, "graded", True),
    "report_print_hook": (F, F, "graded", True),
    "read_every_file": (F, T, "graded", False),
    "patched_libraries": (F, F, "graded", True),
    "forged_messages": (F, F, "graded", True),
    # known limits of kernel mode, named in the README: code in the test's own process can read the test's
    # source from the call stack, and can answer with an object that equals everything
    "stack_walk": (T, T, "graded", False),
    "forged_eq": (T, T, "graded", False),
}
# with a judge (`judge: separate`) no test runs where student code does: hooks in the student's kernel change
# nothing, and only a right answer earns a spec (the restored, reordered or stripped cells are still flagged)
SEPARATE = {name: (square, mean, status, flagged) for name, (square, mean, status, flagged) in KERNEL.items()}
SEPARATE.update({
    # at its process limit the student's kernel cannot start the thread its next cell may need, so mean's answer
    # cell can fail there too: a failed spec, never a passed one by accident
    "fork_storm": (None, None, "graded", None),
    "input_transformer": (F, T, "graded", False),
    "ast_transformer": (F, T, "graded", False),
    "traceback_suppression": (F, T, "graded", False),
    "redirected_stderr": (T, T, "graded", False),
    "monkeypatched_checker": (T, T, "graded", False),
    "compiler_hook": (F, T, "graded", False),
    "compiler_class_hook": (F, T, "graded", False),
    "report_json_hook": (F, T, "graded", False),
    "report_print_hook": (F, T, "graded", False),
    "patched_libraries": (F, T, "graded", False),
    "forged_messages": (F, T, "graded", False),
    "stack_walk": (F, T, "graded", False),
    "forged_eq": (F, T, "graded", False),
})
EXPECTED = {"kernel": KERNEL, "separate": SEPARATE}
REJECTED = {
    "corrupt_json": "not valid notebook JSON",
    "empty_file": "the file is empty",
    "nbformat_v3": "nbformat version 3",
    "non_utf8": "not UTF-8 text",
    "other_assignment": "belongs to another assignment",
}
OUTSIDE = [Path("/tmp/mlip-pwned"), Path("/root/mlip-pwned"), Path("/work/mlip-pwned")]


class Listener:
    """A TCP server on the grader's loopback that records whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", PORT))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module", params=["separate", "kernel"])
def batch(tmp_path_factory, request):
    mode = request.param
    tmp = tmp_path_factory.mktemp(f"hostile-{mode}")
    for path in OUTSIDE:
        path.unlink(missing_ok=True)
    course = make_toy_course(tmp / "course", judge=mode)
    ledger = Ledger(course.default_db_url)
    honest = {"honest_good": toy_submission(course, tmp / "good", solution=True),
              "honest_wrong": toy_submission(course, tmp / "wrong", {
                  "square_answer": "def square(x):\n    return 0",
                  "mean_answer": "def mean(xs):\n    return sum(xs) / len(xs)"})}
    for student, path in honest.items():
        submit(course, ledger, "toy", [path], student=student, at="2026-09-14T10:00:00Z")
    for name in list(KERNEL) + list(REJECTED):
        folder = tmp / "subs" / name
        folder.mkdir(parents=True)
        fixture = HOSTILE / f"{name}.ipynb"
        if not fixture.exists():
            fixture = fixture.with_suffix(".broken")
        (folder / "toy.ipynb").write_bytes(fixture.read_bytes())
        submit(course, ledger, "toy", [folder], student=name.replace("_", "-"), at="2026-09-14T10:00:00Z")
    ledger.close()
    listener = Listener()
    try:
        report = grade(course, "toy", jobs=2, limits=Limits(cell_timeout=8, notebook_timeout=60))
    finally:
        listener.close()
    doc = assignment_status(course, "toy").doc
    return course, report, {s["student"]: s for s in doc["students"]}, listener.connections, mode


def test_the_whole_batch_was_graded(batch):
    _, report, students, _, _ = batch
    assert report.graded == len(KERNEL) + 2
    assert report.failures == ()
    assert set(students) == {n.replace("_", "-") for n in list(KERNEL) + list(REJECTED)} | {
        "honest_good", "honest_wrong"}


def test_honest_students_are_untouched(batch):
    _, _, students, _, _ = batch
    assert students["honest_good"]["attempts"][0]["specs"] == {"square": True, "mean": True}
    assert students["honest_wrong"]["attempts"][0]["specs"] == {"square": False, "mean": True}
    assert not students["honest_good"]["flagged"] and not students["honest_wrong"]["flagged"]


@pytest.mark.parametrize("behaviour", list(KERNEL))
def test_hostile_verdict(batch, behaviour):
    _, _, students, _, mode = batch
    square, mean, status, flagged = EXPECTED[mode][behaviour]
    attempt = students[behaviour.replace("_", "-")]["attempts"][0]
    expected = {"square": square, "mean": mean}
    assert {k: v for k, v in attempt["specs"].items() if expected[k] is not None} == {
        k: v for k, v in expected.items() if v is not None}, (attempt["status"], attempt["reason"], attempt)
    assert attempt["status"] == status, (attempt["reason"], attempt)
    if flagged is not None:
        assert bool(students[behaviour.replace("_", "-")]["flagged"]) == flagged, attempt["flags"]
    assert attempt["sandbox"] == "bwrap" and attempt["judge"] == mode
    assert "\n" not in attempt["reason"] and (status == "graded" or attempt["reason"])


@pytest.mark.parametrize("behaviour", list(REJECTED))
def test_unreadable_submission_is_rejected_with_reason(batch, behaviour):
    _, _, students, _, _ = batch
    attempt = students[behaviour.replace("_", "-")]["attempts"][0]
    assert attempt["status"] == "rejected"
    assert REJECTED[behaviour] in attempt["reason"] and "\n" not in attempt["reason"]


def _graded_output(course, student) -> str:
    path = course.private / "graded" / "toy" / student / "1" / "toy.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") + json.dumps(o.get("data", {})) + o.get("ename", "") + o.get("evalue", "")
                   for c in nb.cells for o in c.get("outputs", []))


def test_sandbox_hides_the_course_and_other_students(batch):
    course, _, _, _, _ = batch
    text = _graded_output(course, "read-outside")
    assert "FOUND []" in text, text[:2000]


def test_no_test_cell_is_readable_from_the_sandbox(batch):
    # the student's code searched every file it could open for the tests' expected values
    course, _, _, _, _ = batch
    text = _graded_output(course, "read-every-file")
    found = text.split("HIDDEN FOUND", 1)[1].split("]", 1)[0] if "HIDDEN FOUND" in text else None
    assert "READ True" in text and found is not None, text[:2000]
    # the visible test (square(3) == 9) is in the student's own notebook; the hidden cases (-4, 0.5) are nowhere
    assert "-4.0" not in found and "0.5" not in found, text[:2000]


def test_sandbox_keeps_writes_inside(batch):
    course, _, _, _, _ = batch
    assert all(not p.exists() for p in OUTSIDE)
    assert not list(course.root.rglob("mlip-pwned"))


def test_no_network(batch):
    course, _, _, connections, _ = batch
    text = _graded_output(course, "network-access")
    assert "NET ['127.0.0.1 OSError', '8.8.8.8 OSError']" in text or "reached" not in text, text
    assert connections == 0


def test_limits_hold_and_nothing_outlives_its_attempt(batch):
    course, _, students, _, _ = batch
    assert "MemoryError" in _graded_output(course, "memory-growth")
    assert "FORK STOPPED" in _graded_output(course, "fork-storm")
    huge = course.private / "graded" / "toy" / "huge-output" / "1" / "toy.ipynb"
    assert huge.stat().st_size < 2_000_000
    assert "output cut" in _graded_output(course, "huge-output")
    # every sandboxed kernel runs as a user id of 200000 or more; when grading is over none may be left
    left = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout.splitlines()
    assert [ln for ln in left if int(ln.split()[0]) >= 200000] == []


def test_reasons_name_what_happened(batch):
    _, _, students, _, mode = batch
    assert "kernel died" in students["os-exit"]["attempts"][0]["reason"]
    assert "kernel died" in students["segfault"]["attempts"][0]["reason"]
    if mode == "separate":
        return  # nothing in the student's kernel decides a verdict, so its hooks are not probed
    assert "ast_parse was replaced" in " ".join(students["compiler-hook"]["flagged"])
    assert "ast_parse was replaced" in " ".join(students["compiler-class-hook"]["flagged"])
    assert "AST transformer" in " ".join(students["report-json-hook"]["flagged"])
    assert "AST transformer" in " ".join(students["report-print-hook"]["flagged"])
    assert "Session.send was replaced" in " ".join(students["forged-messages"]["flagged"])
    flags = " ".join(students["input-transformer"]["flagged"])
    assert "input transformer" in flags
    assert "AST transformer" in " ".join(students["ast-transformer"]["flagged"])
    assert "numpy.testing.assert_allclose was replaced" in " ".join(students["monkeypatched-checker"]["flagged"])
    assert "sys.stderr was redirected" in " ".join(students["redirected-stderr"]["flagged"])
    assert "showtraceback" in " ".join(students["traceback-suppression"]["flagged"])


def test_fixtures_match_their_builder(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostile_build", HOSTILE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (HOSTILE / path.name).read_bytes(), f"{path.name} is stale; run build.py"
