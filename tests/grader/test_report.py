"""The course report: exact numbers from a scripted ledger, one self-contained page, the CLI contract."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from grader.cli import main
from grader.outputs.report import assignment_reports, render_report, write_report

from ..conftest import FIXTURES, make_toy_course
from ..scripted_course import scripted_course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return scripted_course(tmp_path_factory.mktemp("report") / "course", second=True)


@pytest.fixture(scope="module")
def toy(course):
    return assignment_reports(course, "toy")[0]


def test_standing_per_spec_failed_most_first(toy):
    s = toy.spec_standing
    assert list(s.index) == ["mean", "square", "explain"]
    assert s.loc["mean", ["passed", "failed", "undecided"]].tolist() == pytest.approx([6 / 12, 4 / 12, 2 / 12])
    assert s.loc["explain", ["passed", "failed"]].tolist() == pytest.approx([3 / 12, 1 / 12])
    assert s.loc["square", "message"].startswith("square() is wrong")


def test_pass_over_time_ends_at_the_standing_and_never_counts_rejected_work(toy):
    over = toy.pass_over_time
    assert over.iloc[-1].tolist() == pytest.approx([8 / 12, 6 / 12])
    # the last change is grace's third attempt; her fourth does not count
    assert over.index.max().isoformat() == "2026-09-22T03:59:00+00:00"
    assert over["square"].is_monotonic_increasing
    assert over.iloc[0].tolist() == pytest.approx([0, 1 / 12])  # erin's first attempt passes mean only


def test_pass_by_attempt_number(toy):
    by = toy.pass_by_attempt
    assert by["attempts"].to_dict() == {1: 10, 2: 3, 3: 2}
    assert by.loc[1, "square"] == pytest.approx(0.7) and by.loc[1, "mean"] == pytest.approx(0.4)
    assert by.loc[3].tolist()[1:] == [1.0, 1.0]


def test_attempts_tokens_late_flags_and_attention(toy):
    per = toy.per_student
    assert per["attempts"].to_dict()["grace"] == 4 and per["attempts"].sum() == 18
    assert per["tokens_spent"][per["tokens_spent"] > 0].to_dict() == {"carol": 2, "erin": 3, "grace": 6, "heidi": 4}
    late = toy.late
    assert [(r.student, r.attempt, r.kind, r.tokens_spent) for r in late.itertuples()] == [
        ("carol", 1, "late", 2), ("grace", 2, "redo", 3), ("erin", 3, "redo", 3), ("heidi", 1, "late", 4),
        ("grace", 3, "redo", 3), ("grace", 4, "redo", 0)]
    assert toy.flagged["student"].tolist() == ["mallory"]
    assert sorted(zip(toy.attention["student"], toy.attention["status"])) == [
        ("frank", "error"), ("grace", "rejected"), ("ivan", "rejected"), ("judy", "pending")]
    assert toy.summary() == {"students": 12, "attempts": 18, "mean_points": pytest.approx(620 / 12),
                             "max_points": 100.0, "all_passed": 3, "tokens_spent": 15, "late": 2, "redos": 3,
                             "flagged": 1, "attention": 4}


class _Assets(HTMLParser):
    """Every URL a page would load or link to, and its tags."""

    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def test_assignment_report_is_one_self_contained_page(course):
    html = write_report(course, "toy").read_text(encoding="utf-8")
    assets = _Assets()
    assets.feed(html)
    assert "script" not in assets.tags and "link" not in assets.tags
    assert [u for u in assets.urls if not u.startswith(("data:image/svg+xml;base64,", "#"))] == []
    assert sum(u.startswith("data:") for u in assets.urls) == 4
    for heading in ("Which lines students fail", "Passing over time", "Passing by attempt number",
                    "Attempts and tokens", "Late work and redos", "Flagged attempts", "Attempts that need a look"):
        assert f">{heading}</h2>" in html
    assert "test cell mean_test was edited" in html and "notebook time limit of 300 s reached" in html
    source = nbformat.read(FIXTURES / "toy" / "toy.ipynb", as_version=4)
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"].get("solution"):
            for line in cell.source.splitlines():
                if line.strip() and not line.startswith("###"):
                    assert line.strip() not in html


def test_whole_course_report_has_an_overview_and_every_assignment(course):
    html = render_report(assignment_reports(course), course_id="mlip-f26", whole_course=True)
    assert "<h1>mlip-f26</h1>" in html and "2 assignments released" in html
    assert html.count("<section class=assignment") == 2
    assert "id='a-toy'" in html and "id='a-toy-two'" in html and "Toy assignment, part two" in html
    assert ">Tokens left</h2>" in html and ">Points</h2>" in html
    assert len(re.findall(r"src=\"data:image/svg\+xml", html)) == 2 + 4 + 4


def test_a_released_assignment_without_attempts_and_a_course_without_any(tmp_path):
    course = make_toy_course(tmp_path / "c")
    html = write_report(course, "toy").read_text(encoding="utf-8")
    assert "No attempts yet." in html and "<img" not in html
    empty = render_report([], course_id="empty", whole_course=True)
    assert "No assignment has been released yet." in empty and "<nav" not in empty


def test_cli_writes_the_page_and_names_a_wrong_assignment(course, tmp_path, capsys):
    assert main(["report", "toy", "--course", str(course.root), "-o", str(tmp_path / "toy.html")]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'toy.html'}"
    assert (tmp_path / "toy.html").stat().st_size > 10_000
    assert main(["report", "--course", str(course.root)]) == 0
    assert (course.root / "reports" / "course.html").is_file()
    assert main(["report", "toyy", "--course", str(course.root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "toyy" in err
    assert main(["report", "toy", "extra", "--course", str(course.root)]) == 2
