"""Feedback pages: one self-contained HTML page per student, built only from the rubric's words.

Nothing of the test cells (visible or hidden), their outputs or the graded notebook reaches the page: it is
rendered from the status document (verdicts, the rubric's titles and messages, the policy's numbers) alone.
The page reads top to bottom as a student asks: which lines pass, what changed since last time, where do I
stand and what can I still do, and the history of attempts.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from grader.outputs.held import render_held_page
from grader.records.course import Course
from grader.outputs.pages import VERDICT, badge, course_tz, html_page, notes, plural, tz_name, when
from grader.records.course import released_rubric
from grader.model.rubric import Rubric
from grader.records.standing import assignment_status

CSS = """
td.verdict{width:7.5rem}td.pts{width:3.5rem}
.spec-title{margin:0}
ol.history{list-style:none;padding:0;margin:0}
ol.history li{border-bottom:1px solid #e3e3ea;padding:.5rem 0}
ol.history .head{display:flex;flex-wrap:wrap;gap:.2rem .7rem;align-items:baseline}
@media (max-width:600px){td.verdict{width:6.2rem}}
"""

COUNTED = ("graded", "late", "error")
"""Attempt statuses whose verdicts count (``rejected`` ones are recorded, not counted; ``pending`` ones wait)."""


def _counted(attempts: list[dict]) -> list[dict]:
    return [a for a in attempts if a["specs"] and a["status"] in COUNTED]


def changes(attempts: list[dict]) -> dict[str, str]:
    """Spec id -> what changed between the last two counted attempts (``now passes`` or ``no longer passes``)."""
    graded = _counted(attempts)
    if len(graded) < 2:
        return {}
    before, now = graded[-2]["specs"], graded[-1]["specs"]
    return {k: ("now passes" if v else "no longer passes") for k, v in now.items() if before.get(k) != v}


def _spec_rows(doc: dict, student: dict, rubric: Rubric | None, changed: dict[str, str]) -> str:
    titles = doc["spec_titles"]
    points = {s.id: s.points for s in rubric.specs} if rubric else {}
    last = next((a for a in reversed(_counted(student["attempts"]))), None)
    messages = last["messages"] if last else {}
    rows = []
    for sid, v in student["specs"].items():
        css, word = VERDICT[v["passed"]]
        if v["passed"] is None and v["kind"] == "auto":
            word = "pending"
        msg = messages.get(sid, "") if v["passed"] is False else ""
        if v["kind"] == "manual":
            msg = v.get("comment") or ("" if v["passed"] is not None else "A person reads this part and marks it.")
        change = changed.get(sid, "")
        pts = f"{points[sid]:g}" if sid in points else ""
        rows.append(
            f"<tr class='{'changed' if change else ''}'><td class=verdict>{badge(css, word)}</td>"
            f"<td><p class=spec-title>{escape(titles[sid])}</p>"
            f"{'<p class=msg>' + escape(msg) + '</p>' if msg else ''}"
            f"{'<p class=change>' + escape(change) + '</p>' if change else ''}</td>"
            f"<td class='num pts'>{pts}</td></tr>")
    head = "<tr><th>verdict</th><th>specification</th><th class=num>points</th></tr>"
    return f"<table class=specs>{head}{''.join(rows)}</table>"


def _lead(doc: dict, student: dict) -> tuple[str, str]:
    """The one-sentence summary and a notice about the newest attempt, if it needs one."""
    specs = student["specs"].values()
    passed = sum(v["passed"] is True for v in specs)
    counted = _counted(student["attempts"])
    lead = (f"{passed} of {len(student['specs'])} specifications pass ({student['points']:g} of "
            f"{doc['max_points']:g} points), from attempt {counted[-1]['attempt']}." if counted
            else "Nothing has been graded yet.")
    newest = student["attempts"][-1] if student["attempts"] else None
    notice = ""
    if newest is not None and newest["status"] == "pending":
        notice = f"Attempt {newest['attempt']} is waiting to be graded; this page shows the attempts graded so far."
    elif newest is not None and newest["status"] == "rejected":
        why = notes(newest["note"], newest["reason"]).removesuffix("; not counted") or "see the course policy"
        notice = f"Attempt {newest['attempt']} was recorded but does not count: {why}."
    elif newest is not None and newest["status"] == "error":
        notice = (f"Attempt {newest['attempt']} could not run to its end ({newest['reason'] or 'an error'}); "
                  "the lines its tests did not reach count as not passed.")
    if student.get("flagged"):
        notice += " " if notice else ""
        notice += "Your submission was flagged for a person on the course staff to look at."
    return lead, notice


def _changes_section(student: dict, changed: dict[str, str], titles: dict[str, str]) -> str:
    counted = _counted(student["attempts"])
    if not counted:
        return "<h2>What changed</h2><p>Nothing has been graded yet.</p>"
    if len(counted) < 2:
        return ("<h2>What changed</h2><p>This is your first graded attempt; after a resubmission this part lists "
                "the lines that changed.</p>")
    before, now = counted[-2], counted[-1]
    items = []
    gained = [titles[k] for k, v in changed.items() if v == "now passes"]
    lost = [titles[k] for k, v in changed.items() if v != "now passes"]
    if gained:
        items.append("<li><b>Now passes:</b> " + "; ".join(escape(t) for t in gained) + "</li>")
    if lost:
        items.append("<li><b>No longer passes:</b> " + "; ".join(escape(t) for t in lost) + "</li>")
    if not changed:
        items.append("<li>No automatic line changed its verdict.</li>")
    if before["points"] is not None and now["points"] is not None:
        items.append(f"<li>Points of the attempt: {before['points']:g} \u2192 {now['points']:g}</li>")
    if now["tokens_spent"]:
        items.append(f"<li>Attempt {now['attempt']} used {plural(now['tokens_spent'], 'token')}.</li>")
    return (f"<h2>What changed since attempt {before['attempt']}</h2>"
            f"<ul class=changes>{''.join(items)}</ul>")


def _standing_section(doc: dict, student: dict, rubric: Rubric | None, tokens_total: int | None) -> str:
    tz = course_tz(doc)
    left = student["tokens_left"]
    tokens_total = student.get("tokens_total", tokens_total)
    of = f"<small>of {tokens_total}</small>" if tokens_total is not None else ""
    boxes = (f"<div class=summary><div class=box>points<b>{student['points']:g} / {doc['max_points']:g}</b></div>"
             f"<div class=box>tokens left<b>{left}</b>{of}</div>"
             f"<div class=box>attempts<b>{len(student['attempts'])}</b></div></div>")
    text = ["Tokens are shared by all assignments of the course."]
    own = {**doc, "due": student.get("due", doc.get("due")), "final": student.get("final", doc.get("final"))}
    if student.get("deadline_notes") and own["due"]:
        text.append(f"Your due date: {when(own['due'], tz, deadline=True)} ({'; '.join(student['deadline_notes'])}).")
    if rubric is not None:
        text += _policy_sentences(own, rubric, left, tz)
    if own.get("final"):
        text.append(f"Nothing submitted after {when(own['final'], tz, deadline=True)} counts.")
    return "<h2>Standing and tokens</h2>" + boxes + "<p class=msg>" + escape(" ".join(text)) + "</p>"


def _policy_sentences(doc: dict, rubric: Rubric, left: int, tz) -> list[str]:
    p = rubric.policy
    if not doc.get("due"):
        return ["This assignment has no due date: every resubmission is free."]
    due = when(doc["due"], tz, deadline=True)
    if p.redo_cost == 0:
        redo = "after it, a resubmission (a redo) is free too."
    else:
        can = (f"you have enough for {plural(left // p.redo_cost, 'redo')}" if left >= p.redo_cost
               else "you do not have enough tokens left for one")
        redo = f"after it, a resubmission is a redo and costs {plural(p.redo_cost, 'token')}: {can}."
    return [f"A resubmission before the due date ({due}) is free; {redo}",
            f"A late first submission costs {plural(p.late_day_cost, 'token')} per started day; a day no token "
            f"covers costs {p.late_penalty_per_day:.0%} of the points."]


def _history(doc: dict, student: dict) -> str:
    tz = course_tz(doc)
    items = []
    for a in reversed(student["attempts"]):
        n_pass = sum(bool(x) for x in a["specs"].values())
        result = f"{n_pass} of {len(a['specs'])} automatic lines" if a["specs"] else ""
        pts = "" if a["points"] is None else f"{a['points']:g} points"
        note = notes(a["note"], a["reason"])
        css = {"graded": "pass", "late": "flag", "pending": "wait"}.get(a["status"], "fail")
        judged = {"separate": "tests ran in a separate judge", "kernel": "tests ran in your notebook's kernel"}
        bits = " \u00b7 ".join(escape(x) for x in (when(a["submitted_at"], tz), result, pts,
                                                     judged.get(a.get("judge") or "", "")) if x)
        items.append(f"<li><div class=head><b>#{a['attempt']}</b>{badge(css, a['status'])}<span>{bits}</span></div>"
                     f"{'<p class=msg>' + escape(note) + '</p>' if note else ''}</li>")
    return "<h2>Attempt history</h2><ol class=history>" + "".join(items) + "</ol>"


def render_page(doc: dict, student: dict, *, rubric: Rubric | None = None, tokens_total: int | None = None) -> str:
    """The HTML page of one student's standing in one assignment.

    ``doc`` is the assignment's status document and ``student`` one of its students; ``rubric`` adds points per
    line and the policy's prices, ``tokens_total`` the course's tokens per student.
    """
    titles = doc["spec_titles"]
    changed = changes(student["attempts"])
    lead, notice = _lead(doc, student)
    tz = course_tz(doc)
    body = (
        f"<header><p class=kicker>{escape(doc['assignment'])} \u00b7 feedback for {escape(student['student'])}</p>"
        f"<h1>{escape(doc['title'])}</h1><p class=lead>{escape(lead)}</p>"
        f"{'<p class=notice>' + escape(notice) + '</p>' if notice else ''}</header>"
        f"<h2>Specifications</h2>{_spec_rows(doc, student, rubric, changed)}"
        f"<p class=muted>Each line is pass or fail: it earns its points only when all of it holds.</p>"
        f"{_changes_section(student, changed, titles)}"
        f"{_standing_section(doc, student, rubric, tokens_total)}"
        f"{_history(doc, student)}"
        f"<footer>Times are in {tz_name(tz)}. This page shows the rubric's words only, never the tests; "
        f"run <code>mlip validate</code> on your notebook to check the visible tests yourself.</footer>")
    return html_page(f"{doc['title']}: feedback for {student['student']}", body, css=CSS)


def write_feedback(course: Course, assignment: str, *, student: str | None = None,
                   db_url: str | None = None) -> list[Path]:
    """Write one page per student to ``feedback/<assignment>/<student>.html`` and return their paths."""
    doc = assignment_status(course, assignment, student=student, db_url=db_url).doc
    rubric = released_rubric(course, assignment)
    out_dir = course.feedback_dir(assignment)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in doc["students"]:
        path = out_dir / f"{s['student']}.html"
        page = (render_page(doc, s, rubric=rubric, tokens_total=course.policy.tokens)
                if s.get("feedback_released", True) else render_held_page(doc, s))
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths
