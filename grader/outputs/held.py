"""The feedback page while feedback is held: received, graded, tokens; nothing about the specifications.

It is built from a handful of fields of the status document on purpose (attempt numbers, times, whether each
was graded, tokens), never from verdicts, messages, points or spec titles, so nothing held can leak through it.
"""
from __future__ import annotations

from html import escape

from grader.outputs.pages import badge, course_tz, html_page, plural, tz_name, when

STATE = {"graded": ("pass", "received and graded"), "late": ("pass", "received and graded"),
         "error": ("pass", "received and graded"), "pending": ("wait", "received, waiting to be graded"),
         "rejected": ("fail", "received, not counted")}
"""What a held page says about an attempt of each status: whether it was graded, never how it did."""


def _release_words(doc: dict, student: dict) -> str:
    mode = doc.get("feedback", {}).get("mode", "manual")
    if mode == "after_due" and student.get("due"):
        tz = course_tz(doc)
        return f"Feedback on the specifications appears here after your due date, {when(student['due'], tz, deadline=True)}."
    return "Feedback on the specifications appears here when the course staff release it."


def render_held_page(doc: dict, student: dict) -> str:
    """The page a student gets before feedback is released."""
    tz = course_tz(doc)
    items = []
    for a in reversed(student["attempts"]):
        css, words = STATE.get(a["status"], ("wait", "received"))
        spent = f" \u00b7 {plural(a['tokens_spent'], 'token')} used" if a.get("tokens_spent") else ""
        items.append(f"<li><b>#{a['attempt']}</b> {badge(css, words)} "
                     f"<span>{escape(when(a['submitted_at'], tz))}{escape(spent)}</span></li>")
    graded = sum(a["status"] in ("graded", "late", "error") for a in student["attempts"])
    total = student.get("tokens_total")
    of = f"<small>of {total}</small>" if total is not None else ""
    body = (
        f"<header><p class=kicker>{escape(doc['assignment'])} \u00b7 feedback for {escape(student['student'])}</p>"
        f"<h1>{escape(doc['title'])}</h1>"
        f"<p class=lead>We received {plural(len(student['attempts']), 'attempt')}; {graded} graded.</p>"
        f"<p class=notice>{escape(_release_words(doc, student))}</p></header>"
        f"<div class=summary><div class=box>tokens left<b>{student['tokens_left']}</b>{of}</div>"
        f"<div class=box>attempts<b>{len(student['attempts'])}</b></div></div>"
        f"<h2>Attempts</h2><ol class=history>{''.join(items)}</ol>"
        f"<footer>Times are in {tz_name(tz)}. Run <code>mlip validate</code> on your notebook to check the "
        f"visible tests yourself.</footer>")
    return html_page(f"{doc['title']}: feedback for {student['student']}", body,
                     css="ol.history{list-style:none;padding:0}ol.history li{padding:.35rem 0}")
