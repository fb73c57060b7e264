import json
import os
import zipfile

import pytest

from grader.model.errors import AssignmentNotFound, UsageError
from grader.intake.submit import submit
from grader.intake.collect import collect
from grader.records.ledger import Ledger

from ..conftest import toy_submission

AT = "2026-09-14T10:00:00Z"


@pytest.fixture
def ledger(toy_course):
    led = Ledger(toy_course.default_db_url)
    yield led
    led.close()


def test_same_file_twice_is_one_attempt_and_copy_is_immutable(toy_course, ledger, tmp_path):
    nb = toy_submission(toy_course, tmp_path / "s", solution=True)
    first = submit(toy_course, ledger, "toy", [nb], student="alice", at=AT)
    again = submit(toy_course, ledger, "toy", [nb], student="alice", at="2026-09-14T11:00:00Z")
    assert first.new and not again.new and again.attempt.id == first.attempt.id
    stored = toy_course.store_dir("toy", "alice") / first.attempt.sha256[:16] / "toy.ipynb"
    assert stored.read_bytes() == nb.read_bytes()
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0
    assert stored.stat().st_mode & 0o222 == 0
    assert len(ledger.attempts("toy", "alice")) == 1


def test_renamed_single_notebook_gets_the_expected_name(toy_course, ledger, tmp_path):
    nb = toy_submission(toy_course, tmp_path / "s", solution=True)
    renamed = nb.rename(tmp_path / "s" / "toy (1).ipynb")
    intake = submit(toy_course, ledger, "toy", [renamed], student="bob", at=AT)
    assert intake.attempt.files == ("toy.ipynb",) and intake.attempt.intake_status == "pending"


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b"{not json", "not valid notebook JSON"),
    (b"\xff\xfe\x00bad", "not UTF-8 text"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(), "nbformat version 3"),
    (json.dumps({"a": 1}).encode(), "not a notebook"),
])
def test_broken_notebooks_are_recorded_as_rejected_with_reason(toy_course, ledger, tmp_path, content, reason):
    bad = tmp_path / "toy.ipynb"
    bad.write_bytes(content)
    intake = submit(toy_course, ledger, "toy", [bad], student="eve", at=AT)
    assert intake.attempt.intake_status == "rejected"
    assert reason in intake.attempt.reason and "\n" not in intake.attempt.reason
    stored = toy_course.store_dir("toy", "eve") / intake.attempt.sha256[:16] / "toy.ipynb"
    assert stored.read_bytes() == content  # nothing lost
    assert ledger.pending("toy") == []


def test_notebook_of_another_assignment_is_rejected(toy_course, ledger, tmp_path):
    import nbformat

    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = 1", metadata={"nbgrader": {"grade_id": "elsewhere", "grade": False, "solution": True,
                                        "locked": False, "schema_version": 3}})])
    path = tmp_path / "toy.ipynb"
    nbformat.write(other, path)
    intake = submit(toy_course, ledger, "toy", [path], student="eve", at=AT)
    assert intake.attempt.intake_status == "rejected" and "another assignment" in intake.attempt.reason


def test_after_final_deadline_is_rejected(toy_course, ledger, tmp_path):
    nb = toy_submission(toy_course, tmp_path / "s", solution=True)
    intake = submit(toy_course, ledger, "toy", [nb], student="zed", at="2027-01-01T00:00:00Z")
    assert intake.attempt.intake_status == "rejected" and "final deadline" in intake.attempt.reason


def test_wrong_assignment_and_bad_student_id(toy_course, ledger, tmp_path):
    nb = toy_submission(toy_course, tmp_path / "s", solution=True)
    with pytest.raises(AssignmentNotFound, match="no assignment named 'tyo'"):
        submit(toy_course, ledger, "tyo", [nb], student="a", at=AT)
    with pytest.raises(UsageError, match="student id '../x' is not usable"):
        submit(toy_course, ledger, "toy", [nb], student="../x", at=AT)


def test_collect_zip_rejects_traversal_and_symlinks_but_takes_the_rest(toy_course, ledger, tmp_path):
    good = toy_submission(toy_course, tmp_path / "g", solution=True).read_bytes()
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice/toy.ipynb", good)
        zf.writestr("bob/../../escape.ipynb", good)
        link = zipfile.ZipInfo("carol/toy.ipynb")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("dave_1234_5678_toy.ipynb", good)
    intakes, problems = collect(toy_course, ledger, "toy", archive)
    status = {i.attempt.student: i.attempt.intake_status for i in intakes}
    assert status["alice"] == "pending" and status["dave"] == "pending"
    assert status["carol"] == "rejected"
    assert any("symbolic link" in p for p in problems) and any("leaves the archive" in p for p in problems)
    assert not (tmp_path / "escape.ipynb").exists() and not (toy_course.root / "escape.ipynb").exists()


def test_collect_nbgrader_layout_with_timestamps(toy_course, ledger, tmp_path):
    sub = tmp_path / "submitted" / "frank" / "toy"
    toy_submission(toy_course, sub, solution=True)
    (sub / "timestamp.txt").write_text("2026-09-16 10:00:00.000000 UTC")
    intakes, problems = collect(toy_course, ledger, "toy", tmp_path / "submitted")
    assert problems == [] and len(intakes) == 1
    assert intakes[0].attempt.submitted_at.isoformat() == "2026-09-16T10:00:00+00:00"
