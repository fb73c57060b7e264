"""Accessibility checks shared by the browser tests: axe-core's verdict and a walk through a page by keyboard.

axe-core comes bundled in the ``axe-playwright-python`` package and is injected into the page, so it runs offline
in the tests' own Chromium.
"""
from __future__ import annotations

BLOCKING = ("serious", "critical")
"""Impacts a page must not have; "minor" and "moderate" findings are reported by axe but do not fail a test."""


def axe_violations(page, *, impacts=BLOCKING) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now, one line each (rule, impact, where)."""
    from axe_playwright_python.sync_playwright import Axe

    # preload off: axe would fetch each stylesheet's @import relative to the page, not to the stylesheet (a 404)
    found = Axe().run(page, options={"resultTypes": ["violations"], "preload": False}).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}; {len(v['nodes'])} element(s), e.g. "
            f"{v['nodes'][0]['target']}: {v['nodes'][0]['failureSummary'][:200]}"
            for v in found if v["impact"] in impacts]


_TABBABLE = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, iframe, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && !e.closest('[inert]')
          && e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}))
  .map(e => e.dataset.kbdId || (e.dataset.kbdId = String(Math.random()).slice(2)))"""

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  const r = e.getBoundingClientRect();
  return {id: e.dataset.kbdId || '', tag: e.tagName.toLowerCase(),
          text: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 60),
          visible: outline || ring, onScreen: r.width > 0 && r.height > 0};
}"""


def tab_through(page, *, limit: int = 1500) -> tuple[list[dict], list[str]]:
    """Press Tab from the top of the page until focus leaves it; return what got focus, in order, and the ids of
    the elements a keyboard should reach (every link, button, field, summary or element with a tabindex that is
    rendered: not hidden, not inside a closed ``<details>``)."""
    tabbable = page.evaluate(_TABBABLE)
    page.evaluate("() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); }")
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or (seen and focused["id"] == seen[0]["id"] and len(seen) > 1):
            break
        seen.append(focused)
    return seen, tabbable
