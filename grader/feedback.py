"""Feedback pages: one self-contained HTML page per student, built only from the rubric's words.

Nothing of the test cells (visible or hidden), their outputs or the graded notebook reaches the page.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from .course import Course
from .standing import assignment_status

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:52rem;padding:1rem;
color:#1d1d1f;line-height:1.45}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin-top:1.6rem}
.summary{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.box{border:1px solid #ccd;border-radius:.5rem;padding:.5rem .8rem;min-width:7rem}
.box b{display:block;font-size:1.3rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem;border-bottom:1px solid #e3e3ea;
vertical-align:top}
.pass{color:#11703a;font-weight:600}.fail{color:#b3261e;font-weight:600}.wait{color:#6b6b76;font-weight:600}
.msg{color:#44444c;font-size:.92rem}.changed{background:#fff7d6}
@media (max-width:600px){th.hide,td.hide{display:none}body{padding:.6rem}}
"""

VERDICT = {True: ("pass", "passed"), False: ("fail", "not yet"), None: ("wait", "awaiting a person")}


def _changes(attempts: list[dict]) -> dict[str, str]:
    graded = [a for a in attempts if a["specs"]]
    if len(graded) < 2:
        return {}
    before, now = graded[-2]["specs"], graded[-1]["specs"]
    return {k: ("now passes" if v else "passed before, fails now") for k, v in now.items() if before.get(k) != v}


def render_page(doc: dict, student: dict) -> str:
    """The HTML page of one student's standing in one assignment."""
    titles = doc["spec_titles"]
    changes = _changes(student["attempts"])
    last = next((a for a in reversed(student["attempts"]) if a["specs"]), None)
    messages = last["messages"] if last else {}
    rows = []
    for sid, v in student["specs"].items():
        css, word = VERDICT[v["passed"]]
        if v["passed"] is None and v["kind"] == "auto":
            word = "not graded yet"
        msg = messages.get(sid, "") if v["passed"] is False else ""
        if v["kind"] == "manual" and v.get("comment"):
            msg = v["comment"]
        change = changes.get(sid, "")
        rows.append(
            f"<tr class='{'changed' if change else ''}'><td>{escape(titles[sid])}"
            f"{'<div class=msg>' + escape(msg) + '</div>' if msg else ''}"
            f"{'<div class=msg><i>' + escape(change) + '</i></div>' if change else ''}</td>"
            f"<td class='{css}'>{word}</td><td class=hide>{v['kind']}</td></tr>")
    hist = []
    for a in reversed(student["attempts"]):
        passed = sum(bool(x) for x in a["specs"].values())
        note = "; ".join(x for x in (a["note"], a["reason"]) if x)
        pts = "" if a["points"] is None else f"{a['points']:g}"
        hist.append(f"<tr><td>#{a['attempt']}</td><td class=hide>{escape(a['submitted_at'])}</td>"
                    f"<td>{escape(a['status'])}</td><td>{passed}/{len(a['specs'])}</td><td>{pts}</td>"
                    f"<td class=msg>{escape(note)}</td></tr>")
    return f"""<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>{escape(doc['title'])}: feedback for {escape(student['student'])}</title><style>{CSS}</style></head><body>
<p class=msg>{escape(doc['assignment'])}</p><h1>{escape(doc['title'])}</h1>
<div class=summary><div class=box>points<b>{student['points']:g} / {doc['max_points']:g}</b></div>
<div class=box>tokens left<b>{student['tokens_left']}</b></div>
<div class=box>attempts<b>{len(student['attempts'])}</b></div></div>
<h2>Specifications</h2><p class=msg>Each line is pass or fail; a line earns its points only when all of it holds.</p>
<table><tr><th>specification</th><th>verdict</th><th class=hide>graded by</th></tr>{''.join(rows)}</table>
<h2>Attempt history</h2>
<table><tr><th>attempt</th><th class=hide>submitted</th><th>status</th><th>automatic specs passed</th>
<th>points</th><th>note</th></tr>{''.join(hist)}</table>
<p class=msg>Due {escape(doc['due'] or 'not set')}; redos count until {escape(doc['final'] or 'the end of the course')}.</p>
</body></html>
"""


def write_feedback(course: Course, assignment: str, *, student: str | None = None,
                   db_url: str | None = None) -> list[Path]:
    """Write one page per student to ``feedback/<assignment>/<student>.html`` and return their paths."""
    doc = assignment_status(course, assignment, student=student, db_url=db_url).doc
    out_dir = course.feedback_dir(assignment)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in doc["students"]:
        path = out_dir / f"{s['student']}.html"
        path.write_text(render_page(doc, s), encoding="utf-8")
        paths.append(path)
    return paths
