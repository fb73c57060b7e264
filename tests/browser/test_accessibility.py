"""Feedback pages of every kind and both course reports: axe-core finds nothing serious or critical, on a desktop
and on a phone, and every control on them works from the keyboard."""
from __future__ import annotations

import pytest

from grader.outputs.feedback import write_feedback
from grader.outputs.report import write_report

from ..scripted_course import scripted_course
from .a11y import axe_violations, tab_through

pytestmark = pytest.mark.slow

# one student of the scripted course per kind of feedback page
KINDS = {"all pass": "alice", "failed specs": "dave", "late": "carol", "flagged": "mallory", "redo refused": "grace"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    course = scripted_course(tmp_path_factory.mktemp("a11y") / "course", second=True)
    feedback = {p.stem: p for p in write_feedback(course, "toy")}
    return {**{kind: feedback[student] for kind, student in KINDS.items()},
            "assignment report": write_report(course, "toy"), "course report": write_report(course)}


def _open(watched, path):
    page = watched.page
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def test_the_scripted_course_has_each_kind_of_page(pages):
    text = {kind: pages[kind].read_text(encoding="utf-8") for kind in KINDS}
    assert "3 of 3 specifications pass" in text["all pass"]
    assert "not yet" in text["failed specs"]
    assert "late" in text["late"].lower()
    assert "flagged" in text["flagged"]
    assert "does not count" in text["redo refused"]


@pytest.mark.parametrize("kind", [*KINDS, "assignment report", "course report"])
def test_page_has_no_serious_or_critical_violation(pages, watched, phone, kind):
    for w in (watched, phone):
        page = _open(w, pages[kind])
        assert axe_violations(page) == [], f"{kind} at {page.viewport_size['width']} px"


@pytest.mark.parametrize("kind", ["redo refused", "course report"])
def test_every_control_is_reached_by_tab_and_shows_focus(pages, phone, kind):
    page = _open(phone, pages[kind])
    seen, tabbable = tab_through(page)
    assert set(tabbable) <= {s["id"] for s in seen}, "some controls cannot be reached with Tab"
    assert [s for s in seen if not s["visible"]] == [], "focus is not visible on these"
    if kind == "course report":
        boxes = page.locator(".scroll[tabindex='0']")
        assert boxes.count() >= 1 and len(seen) >= boxes.count()
        # a table box too wide for the phone scrolls with the arrow keys once it has focus
        wide = next(i for i in range(boxes.count())
                    if boxes.nth(i).evaluate("b => b.scrollWidth > b.clientWidth"))
        box = boxes.nth(wide)
        box.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle(), timeout=5000)  # scrolls smoothly
        summary = page.locator("details summary").first
        summary.focus()
        page.keyboard.press("Enter")
        assert summary.evaluate("s => s.parentElement.open") is True
    assert phone.problems() == []
