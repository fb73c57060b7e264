"""Feedback pages and the course report in a real browser: they render, fit a phone, load nothing, log no errors."""
from __future__ import annotations

import nbformat
import pytest

from grader.outputs.feedback import write_feedback
from grader.outputs.report import write_report

from ..conftest import FIXTURES
from ..scripted_course import scripted_course
from .conftest import PHONE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """A scripted two-assignment course with its feedback pages and both kinds of report written."""
    course = scripted_course(tmp_path_factory.mktemp("pages") / "course", second=True)
    feedback = {p.stem: p for p in write_feedback(course, "toy")}
    return {"feedback": feedback, "report": write_report(course, "toy"), "course_report": write_report(course)}


def _test_source_lines() -> list[str]:
    nb = nbformat.read(FIXTURES / "toy" / "toy.ipynb", as_version=4)
    return [line.strip() for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution") for line in c.source.splitlines()
            if line.strip() and not line.startswith("###")]


def _open(watched, path):
    page = watched.page
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def _no_sideways_scroll(page, width):
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def _only_local(watched):
    remote = [u for u in watched.requests if not u.startswith(("file:", "data:"))]
    assert remote == [], f"the page fetched {remote}"


@pytest.mark.parametrize("student", ["bob", "grace", "mallory", "judy"])
def test_feedback_page_fits_a_phone_with_the_spec_table_first(pages, phone, screenshots, student):
    watched = phone
    page = _open(watched, pages["feedback"][student])
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Specifications", headings
    assert headings[1].startswith("What changed") and "Standing and tokens" in headings
    rows = page.locator("table.specs tr:has(td)")
    assert rows.count() == 3
    for i in range(3):
        box = rows.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, f"row {i} sticks out: {box}"
    assert page.locator("table.specs").bounding_box()["y"] < page.locator("h2", has_text="Standing").bounding_box()["y"]
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('table.specs td p')).fontSize)")
    assert size >= 14, f"spec titles are {size}px on a phone"
    _no_sideways_scroll(page, PHONE["width"])
    spilled = page.evaluate("[...document.querySelectorAll('.box, td, .badge')]"
                            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert spilled == [], f"text runs out of its box: {spilled}"
    text = page.inner_text("body")
    assert "tokens left" in text
    for line in _test_source_lines():
        assert line not in text, f"{student}'s page shows test code {line!r}"
    page.screenshot(path=screenshots / f"feedback-{student}-phone.png", full_page=True)
    assert watched.problems() == []
    _only_local(watched)


def test_feedback_says_what_changed_and_what_is_waiting(pages, phone):
    watched = phone
    page = _open(watched, pages["feedback"]["bob"])
    assert page.locator("tr.changed").count() == 1
    assert page.locator("tr.changed").inner_text().count("now passes") == 1
    assert "Points of the attempt: 60 \u2192 100" in page.inner_text("ul.changes")
    page = _open(watched, pages["feedback"]["grace"])
    assert "Attempt 4 was recorded but does not count" in page.inner_text(".notice")
    assert "do not have enough tokens left for one" in page.inner_text("body")
    page = _open(watched, pages["feedback"]["mallory"])
    assert "flagged" in page.inner_text(".notice") and "mean_test" not in page.inner_text("body")


def test_feedback_page_on_a_desktop(pages, watched, screenshots):
    page = _open(watched, pages["feedback"]["bob"])
    page.screenshot(path=screenshots / "feedback-bob-desktop.png", full_page=True)
    assert watched.problems() == []
    _only_local(watched)


def _images_decoded(page) -> list[str]:
    """Alt texts of the images the browser could not decode."""
    return page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)")


def test_assignment_report_renders_every_part(pages, watched, screenshots):
    page = _open(watched, pages["report"])
    assert page.locator("h1").inner_text() == "Toy assignment"
    for heading in ("Which lines students fail", "Passing over time", "Passing by attempt number",
                    "Attempts and tokens", "Late work and redos", "Flagged attempts", "Attempts that need a look"):
        assert page.locator("h2", has_text=heading).is_visible(), heading
    images = page.locator("img.plot")
    assert images.count() == 4
    assert _images_decoded(page) == []
    for i in range(images.count()):
        assert images.nth(i).bounding_box()["width"] > 300
    assert "mallory" in page.inner_text("h2:has-text('Flagged attempts') + div")
    page.locator("details summary").click()
    assert page.locator("details table tr:has(td)").count() == 12
    page.screenshot(path=screenshots / "report-toy-desktop.png", full_page=True)
    assert watched.problems() == []
    _only_local(watched)


def test_course_report_renders_offline_on_a_phone_too(pages, watched, phone, screenshots):
    page = _open(watched, pages["course_report"])
    assert page.locator("section.assignment").count() == 2
    assert page.locator("img.plot").count() == 2 + 4 + 4
    assert _images_decoded(page) == []
    page.click("nav.toc a:has-text('part two')")
    assert page.evaluate("location.hash") == "#a-toy-two"
    page.screenshot(path=screenshots / "report-course-desktop.png", full_page=True)
    assert watched.problems() == []
    _only_local(watched)
    page = _open(phone, pages["course_report"])
    _no_sideways_scroll(page, PHONE["width"])
    page.screenshot(path=screenshots / "report-course-phone.png")
    assert phone.problems() == []
    _only_local(phone)
