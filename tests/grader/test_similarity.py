"""mlip similarity finds planted copies among honest solutions, shows them side by side, and changes no grade."""
import importlib.util
import re

import pytest

from grader.cli import main
from grader.intake.submit import submit
from grader.outputs.similarity import similarity
from grader.records.ledger import Ledger
from grader.records.standing import assignment_status, format_table

from ..conftest import FIXTURES, make_toy_course, toy_submission

_spec = importlib.util.spec_from_file_location("answers", FIXTURES / "similarity" / "answers.py")
answers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answers)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("similar")
    c = make_toy_course(tmp / "course")
    led = Ledger(c.default_db_url)
    people = {**answers.HONEST, **answers.PLANTED, "ivy": {}, "jon": {}}  # two hand in the starter code only
    for sid, filled in people.items():
        # a first attempt that differs, so that the latest attempt is the one compared
        submit(c, led, "toy", [toy_submission(c, tmp / sid / "1", {"square_answer": f"x_{sid} = 1"})],
               student=sid, at="2026-09-10T10:00:00Z")
        submit(c, led, "toy", [toy_submission(c, tmp / sid / "2", filled)], student=sid, at="2026-09-11T10:00:00Z")
    led.close()
    return c


def test_every_planted_pair_is_found_and_no_honest_pair(course, capsys):
    before = assignment_status(course, "toy").doc
    assert main(["similarity", "toy", "--course", str(course.root), "--no-progress"]) == 0
    out = capsys.readouterr()
    found = {tuple(sorted(line.split()[:2])) for line in out.out.splitlines() if "a person should look" in line}
    assert found == answers.PLANTED_PAIRS
    assert "3 of 36 pair(s) at or above 50%" in out.out
    assert re.search(r"^\[9/9\] jon: compared with 8 before$", out.err, re.M)  # plain progress lines, stderr

    # status points at the pairs for a person; verdicts, points and tokens stay as they were
    after = assignment_status(course, "toy").doc
    s = {x["student"]: x for x in after["students"]}
    assert [x["student"] for x in s["eve"]["similar"]] == ["ann"] and s["ben"]["similar"] == []
    strip = lambda doc: [{k: v for k, v in x.items() if k != "similar"} for x in doc["students"]]
    assert strip(before) == strip(after)
    assert "similar to ann" in format_table(assignment_status(course, "toy"))
    assert all(not x["flagged"] for x in after["students"])  # not a tamper flag: students are not told


def test_the_page_is_self_contained_and_marks_the_matching_code(course):
    result = similarity(course, "toy", threshold=0.5)
    page = result.page.read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert page.count("<section class=pair>") == 3
    eve = page.split("ann and eve")[1].split("</section>")[0]
    assert "<mark>" in eve and "sum everything up" in eve and "add the values one by one" in eve
    assert "acc += item" in re.sub(r"</?mark>", "", eve)


def test_a_lower_threshold_lists_more_and_a_higher_one_fewer(course):
    assert len(similarity(course, "toy", threshold=1.0).flagged) < 3
    assert {(p.a, p.b) for p in similarity(course, "toy", threshold=0.5).flagged} == answers.PLANTED_PAIRS


def test_the_report_lists_the_pairs(course):
    from grader.outputs.report import write_report

    similarity(course, "toy", threshold=0.5)
    page = write_report(course, "toy").read_text()
    part = page.split("Similar answers")[1].split("</table>")[0]
    assert part.count("<tr>") == 4 and "eve" in part and "gus" in part and "100%" in part
