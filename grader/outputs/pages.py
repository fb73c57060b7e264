"""Shared pieces of the HTML pages the kit writes (feedback, course report): stylesheet, dates, badges.

Every page is one self-contained file: inline CSS, images as ``data:`` URIs, no scripts, nothing fetched, so it
opens offline from disk, in an e-mail attachment or on a phone.
"""
from __future__ import annotations

import datetime as dt
from html import escape

BASE_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:56rem;
padding:1rem;color:#1d1d1f;line-height:1.45;font-size:16px;-webkit-text-size-adjust:100%;overflow-wrap:break-word}
h1{font-size:1.45rem;margin:.15rem 0 .4rem;line-height:1.25}
h2{font-size:1.12rem;margin:1.8rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid #e3e3ea}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
p{margin:.4rem 0}
.kicker{color:#5b5b66;font-size:.9rem;margin:0}
.lead{font-size:1.05rem}
.muted,.msg{color:#4a4a55;font-size:.92rem}
.summary{display:flex;flex-wrap:wrap;gap:.5rem;margin:.7rem 0}
.box{border:1px solid #d3d3dd;border-radius:.5rem;padding:.45rem .75rem;min-width:6.5rem;flex:1 1 6.5rem}
.box b{display:block;font-size:1.25rem;line-height:1.3;white-space:nowrap}
.box small{color:#5b5b66}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.scroll:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.45rem .4rem;border-bottom:1px solid #e3e3ea;vertical-align:top}
th{font-size:.85rem;color:#4a4a55;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}td.when{white-space:nowrap}
.badge{display:inline-block;border-radius:1rem;padding:.05rem .55rem;font-size:.85rem;font-weight:600;
white-space:nowrap}
.badge.pass{background:#dff3e6;color:#0d5c2f}.badge.fail{background:#fde3e1;color:#9b1c14}
.badge.wait{background:#ececf1;color:#4a4a55}.badge.flag{background:#fff0c2;color:#6b4b00}
.changed{background:#fff9e0}
.change{font-style:italic;color:#6b4b00;font-size:.9rem}
.notice{border-left:4px solid #c99a00;background:#fff9e0;padding:.5rem .8rem;margin:.8rem 0;border-radius:.2rem}
.notice.bad{border-color:#b3261e;background:#fdeceb}
footer{margin-top:2rem;color:#5b5b66;font-size:.85rem;border-top:1px solid #e3e3ea;padding-top:.6rem}
img.plot{width:100%;height:auto;max-width:44rem;display:block;margin:.4rem 0}
@media (max-width:600px){body{padding:.75rem;font-size:15px}.badge{white-space:normal;border-radius:.6rem}
.hide{display:none}th,td{padding:.4rem .25rem}.box{padding:.4rem .5rem;min-width:0}.box b{font-size:1.1rem}}
"""

VERDICT = {True: ("pass", "\u2713 passed"), False: ("fail", "\u2717 not yet"), None: ("wait", "to be marked")}
"""CSS class and words for a spec verdict (``None``: a manual line nobody has marked yet)."""


def badge(css: str, words: str) -> str:
    """A small coloured label; the words carry the meaning, the colour only helps."""
    return f"<span class='badge {css}'>{escape(words)}</span>"


def course_tz(doc: dict) -> dt.tzinfo:
    """The time zone people of this assignment read times in: the due date's offset, else UTC."""
    for key in ("due", "final"):
        if doc.get(key):
            return dt.datetime.fromisoformat(doc[key]).tzinfo or dt.timezone.utc
    return dt.timezone.utc


def when(iso: str | None, tz: dt.tzinfo, *, missing: str = "not set", deadline: bool = False) -> str:
    """An ISO time as ``2026-09-20 23:59`` in the course's time zone.

    A ``deadline`` keeps the offset it was written with (a due date in daylight saving time and a final date in
    winter time both read 23:59), and names that offset when it is not the course's.
    """
    if not iso:
        return missing
    stamp = dt.datetime.fromisoformat(iso)
    if deadline and stamp.tzinfo is not None:
        text = stamp.strftime("%Y-%m-%d %H:%M")
        return text if stamp.utcoffset() == _offset(tz) else f"{text} ({tz_name(stamp.tzinfo)})"
    return stamp.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _offset(tz: dt.tzinfo) -> dt.timedelta:
    return dt.datetime(2026, 1, 1, tzinfo=tz).utcoffset() or dt.timedelta(0)


def tz_name(tz: dt.tzinfo) -> str:
    """``UTC-04:00`` for a fixed offset, written with a minus sign (U+2212) so that no line breaks inside it."""
    offset = _offset(tz)
    sign = "\u2212" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def plural(n: float, word: str, many: str | None = None) -> str:
    """``1 token``, ``3 tokens``."""
    return f"{n:g} {word if n == 1 else (many or word + 's')}"


def notes(*parts: str) -> str:
    """Non-empty notes joined with ``; ``, each once (an intake reason is often the policy's note too)."""
    return "; ".join(dict.fromkeys(p for p in parts if p))


SCROLL_BOX = "<div class=scroll>"
KEYBOARD_SCROLL_BOX = "<div class=scroll tabindex=0 role=region aria-label=\"table {n}, scrolls sideways\">"
"""A box that scrolls sideways must take keyboard focus, or a keyboard user cannot scroll it (axe-core's
``scrollable-region-focusable``); focusable, it is a region, named with its number on the page."""


def html_page(title: str, body: str, *, css: str = "") -> str:
    """A whole page: the shared stylesheet plus ``css``, a phone-friendly viewport, no external assets; its content
    is the page's ``main`` landmark, and every scrolling table box can be scrolled from the keyboard."""
    parts = body.split(SCROLL_BOX)
    body = parts[0] + "".join(KEYBOARD_SCROLL_BOX.format(n=n) + part for n, part in enumerate(parts[1:], 1))
    return (f"<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
            f"<meta name=viewport content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{BASE_CSS}{css}</style></head>\n<body>\n<main>\n{body}\n</main>\n"
            "</body></html>\n")
