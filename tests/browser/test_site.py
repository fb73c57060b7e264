"""The course site in a real browser: a reader's visit stays on localhost, every page passes axe-core, a phone
gets no sideways scroll, and a lecture can be read and worked with the keyboard alone.

The site is the session's build of three lectures (tests/sitebuild.py), served on 127.0.0.1.
"""
from __future__ import annotations

import pytest

from .a11y import axe_violations, tab_through
from .conftest import PHONE

pytestmark = pytest.mark.slow


def _open(watched, url):
    page = watched.page
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def _only_localhost(watched, base):
    away = [u for u in watched.requests if not u.startswith((base, "data:", "blob:", "about:"))]
    assert away == [], f"requests left localhost: {away}"


def test_a_reader_visits_three_lectures_follows_links_and_searches_all_on_localhost(built_site, site_url, watched,
                                                                                      screenshots):
    page = _open(watched, site_url + "index.html")
    assert page.locator("h1").first.inner_text() == "Machine Learning in Production"
    lectures = page.locator("main h3 a.reference")
    assert lectures.count() == 3
    titles = lectures.all_inner_texts()
    page.screenshot(path=screenshots / "site-home-desktop.png")
    for i, title in enumerate(titles):
        page = _open(watched, site_url + "index.html")
        page.locator("main h3 a.reference").nth(i).click()
        page.wait_for_load_state("load")
        assert page.locator("main h1").first.inner_text().strip() == title
        plots = page.locator(".cell_output img")
        assert plots.count() >= 1, f"{title}: no plot on the page"
        broken = page.evaluate("[...document.querySelectorAll('.cell_output img')]"
                               ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        assert broken == [], f"{title}: images that did not load: {broken}"
        assert page.locator("details.hide > summary", has_text="Hide code").count() >= 1
        note = page.locator(".admonition", has_text="This lecture as a notebook")
        assert note.locator("a.download").count() == 1
        helper = note.locator("a.internal:not(.download)").first
        name = helper.inner_text()
        helper.click()
        page.wait_for_load_state("load")
        assert page.locator("main h1").first.inner_text().strip() == name
        assert page.locator("main a", has_text=title).count() >= 1, "the helper page does not link back"
    page.screenshot(path=screenshots / "site-lecture-desktop.png")
    page = _open(watched, site_url + "index.html")
    page.locator(".bd-sidebar-primary .search-button-field").first.click()
    page.keyboard.type("fairness")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=fairness*")
    page.wait_for_selector("#search-results li a")
    found = page.locator("#search-results li a").all_inner_texts()
    assert "Measuring fairness" in found and "mlip_helpers.fairness" in found, found
    page.screenshot(path=screenshots / "site-search-desktop.png")
    page.locator("#search-results li a", has_text="Measuring fairness").first.click()
    page.wait_for_load_state("load")
    assert "16-measuring-fairness" in page.url
    assert watched.problems() == []
    _only_localhost(watched, site_url)


def test_every_page_has_no_serious_or_critical_accessibility_violation(built_site, site_url, watched):
    pages = built_site.pages()
    assert len(pages) >= 10
    found = {}
    for path in pages:
        page = _open(watched, site_url + path)
        found[path] = axe_violations(page)
    assert {p: v for p, v in found.items() if v} == {}


def _wider_than_the_screen(page) -> list[str]:
    """Elements that stick out to the right, except inside boxes that scroll sideways (code, tables, outputs)."""
    return page.evaluate("""w => [...document.querySelectorAll('article.bd-article *')].filter(e => {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.right <= w + 1) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= w + 1)
                return false;
        }
        return true;
    }).map(e => e.tagName + '.' + e.className + ': ' + (e.innerText || '').slice(0, 60))""", PHONE["width"])


def test_the_site_fits_a_phone(built_site, site_url, phone, screenshots):
    for path in built_site.pages():
        page = _open(phone, site_url + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"
        assert _wider_than_the_screen(page) == [], path
    for path in ("index.html", "lectures/16-measuring-fairness.html", "helpers/fairness.html"):
        page = _open(phone, site_url + path)
        assert axe_violations(page) == [], path
        page.screenshot(path=screenshots / f"site-{path.replace('/', '-')[:-5]}-phone.png")
    assert phone.problems() == []
    _only_localhost(phone, site_url)


def test_plots_have_text_alternatives_that_say_what_they_show(built_site, site_url, watched):
    alts = []
    for path in built_site.pages():
        if path.startswith("lectures/"):
            page = _open(watched, site_url + path)
            alts += page.evaluate("[...document.querySelectorAll('main img')].map(i => i.alt)")
    assert len(alts) >= 3
    for alt in alts:
        assert len(alt.split()) >= 4 and not alt.endswith(".png"), f"not a description: {alt!r}"
    assert any("axis" in alt for alt in alts)


def test_a_lecture_works_with_the_keyboard_alone(site_url, watched):
    page = _open(watched, site_url + "lectures/16-measuring-fairness.html")
    seen, tabbable = tab_through(page)
    assert seen and seen[0]["text"] == "Skip to main content"
    reached = {s["id"] for s in seen}
    assert set(tabbable) <= reached, f"{len(set(tabbable) - reached)} controls cannot be reached with Tab"
    assert [s for s in seen if not s["visible"]] == [], "focus is not visible on these"
    # the skip link jumps past the navigation
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement.blur(); }")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    # a code cell folds and unfolds from the keyboard; a solution opens
    code = page.locator("details.hide", has=page.locator("summary", has_text="Hide code")).first
    code.locator("summary").focus()
    page.keyboard.press("Enter")
    assert code.evaluate("d => d.open") is False
    page.keyboard.press("Enter")
    assert code.evaluate("d => d.open") is True
    solution = page.locator("details.hide", has=page.locator("summary", has_text="Show the solution")).first
    assert solution.evaluate("d => d.open") is False
    solution.locator("summary").focus()
    page.keyboard.press(" ")
    assert solution.evaluate("d => d.open") is True
    assert watched.problems() == []
