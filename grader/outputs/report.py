"""`mlip report`: one self-contained HTML page for TAs about an assignment, or about every released one.

It shows where students stand per specification line, how that changed over time and from attempt to attempt,
how many attempts and tokens students used, and which work was late, flagged or needs a person. Plots are
inline SVG and the CSS is inline, so the page opens offline. Like feedback pages it is built from the status
documents only: rubric words and verdicts, never test code or cell outputs.
"""
from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import pandas as pd

from grader.authoring.mutation import rubric_strength
from grader.outputs import plots, termparts
from grader.records.course import Course
from grader.outputs.pages import badge, course_tz, html_page, notes, plural, tz_name, when
from grader.outputs.reportdata import AssignmentReport
from grader.records.standing import assignment_status

CSS = """
.figs{display:flex;flex-wrap:wrap;gap:1rem}.figs figure{margin:0;flex:1 1 16rem;max-width:26rem}
figure figcaption{font-size:.85rem;color:#4a4a55}
td.heat,th.heat{text-align:center;font-variant-numeric:tabular-nums;min-width:3.2rem}
nav.toc ul{padding-left:1.2rem}section.assignment{margin-top:2.5rem}
details summary{cursor:pointer;font-weight:600;margin:.8rem 0}
code{font-size:.9em}@media (max-width:600px){table.wide{min-width:34rem}}
"""


def assignment_reports(course: Course, assignment: str | None = None, *,
                       db_url: str | None = None) -> list[AssignmentReport]:
    """The report views of one assignment, or of every released assignment of the course."""
    names = [assignment] if assignment else course.released()
    return [AssignmentReport(assignment_status(course, a, db_url=db_url).doc) for a in names]


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _img(fig, alt: str) -> str:
    return f"<img class=plot alt=\"{escape(alt)}\" src=\"{plots.to_data_uri(fig)}\">"


def _table(head: list[str], rows: list[list[str]], *, num: set[int] = frozenset(),
           dates: set[int] = frozenset()) -> str:
    def css(i):
        return " class=num" if i in num else " class=when" if i in dates else ""

    th = "".join(f"<th{css(i)}>{escape(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{css(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows)
    wide = " class=wide" if len(head) > 4 else ""
    return f"<div class=scroll><table{wide}><tr>{th}</tr>{body}</table></div>"


def _heat(share: float) -> str:
    alpha = 0.08 + 0.85 * share
    ink = "#000000"  # black on this blue at any alpha up to 0.93 has a contrast of 4.59:1 or more (WCAG AA)
    return f"<td class=heat style='background:rgba(0,114,178,{alpha:.2f});color:{ink}'>{_pct(share)}</td>"


def _summary(r: AssignmentReport) -> str:
    s = r.summary()
    boxes = [("students", s["students"], "with an attempt"), ("attempts", s["attempts"], ""),
             ("mean points", f"{s['mean_points']:.3g}", f"of {s['max_points']:g}"),
             ("pass every line", s["all_passed"], f"of {s['students']}"),
             ("tokens spent", s["tokens_spent"], f"{s['late']} late, {s['redos']} redos"),
             ("flagged", s["flagged"], "attempts"), ("need a look", s["attention"], "attempts")]
    return "<div class=summary>" + "".join(
        f"<div class=box>{escape(k)}<b>{escape(str(v))}</b><small>{escape(sub)}</small></div>"
        for k, v, sub in boxes) + "</div>"


def _attempt_rows(frame: pd.DataFrame, tz, columns) -> list[list[str]]:
    return [[escape(row.student), f"#{row.attempt}", when(row.submitted_at.isoformat(), tz),
             *[c(row) for c in columns]] for row in frame.itertuples()]


def _failing(r: AssignmentReport, h: str, tz) -> str:
    standing = r.spec_standing
    worst = standing["failed"].max()
    if worst > 0:
        ties = [k for k in standing.index if standing.loc[k, "failed"] == worst]
        lead = f"<p>Failed most now: <b>{escape(', '.join(ties))}</b>, by {_pct(worst)} of students.</p>"
    else:
        lead = "<p>No student fails any line now.</p>"
    rows = [[escape(k) + (" <span class=muted>(manual)</span>" if row.kind == "manual" else ""), escape(row.title),
             _pct(row.passed), _pct(row.failed), f"<span class=msg>{escape(row.message)}</span>"]
            for k, row in standing.iterrows()]
    return (f"<{h}>Which lines students fail</{h}>{lead}"
            + _img(plots.spec_standing(standing), "share of students passing, failing and not decided per spec")
            + _table(["spec", "line", "passing", "failing", "message students read"], rows, num={2, 3}))


def _over_time(r: AssignmentReport, h: str, tz) -> str:
    over = r.pass_over_time
    if not len(over):
        return ""
    due = pd.Timestamp(r.doc["due"]) if r.doc.get("due") else None
    return (f"<{h}>Passing over time</{h}><p class=muted>Share of the {r.students} students whose standing passes "
            f"each automatic line, after every counted attempt; times in {tz_name(tz)}.</p>"
            + _img(plots.pass_over_time(over, due=due, tz=tz), "share of students passing each spec over time"))


def _by_attempt(r: AssignmentReport, h: str, tz) -> str:
    by = r.pass_by_attempt
    if not len(by):
        return ""
    head = "<tr><th>spec</th>" + "".join(f"<th class=heat>#{n}<br><small>{plural(by.loc[n, 'attempts'], 'attempt')}"
                                         "</small></th>" for n in by.index) + "</tr>"
    rows = "".join(f"<tr><td>{escape(k)}</td>" + "".join(_heat(by.loc[n, k]) for n in by.index) + "</tr>"
                   for k in r.auto_specs)
    return (f"<{h}>Passing by attempt number</{h}><p class=muted>Of all first attempts, second attempts, and so on: "
            f"the share that passed each automatic line.</p><div class=scroll><table>{head}{rows}</table></div>")


def _attempts_and_tokens(r: AssignmentReport, h: str, tz) -> str:
    per = r.per_student
    return (f"<{h}>Attempts and tokens</{h}><div class=figs><figure>"
            + _img(plots.counts(per["attempts"], xlabel="attempts", start=1), "attempts per student")
            + "<figcaption>Attempts per student</figcaption></figure><figure>"
            + _img(plots.counts(per["tokens_spent"], xlabel="tokens spent on this assignment"),
                   "tokens spent per student")
            + "<figcaption>Tokens spent on this assignment (late days and redos)</figcaption></figure></div>")


def _late(r: AssignmentReport, h: str, tz) -> str:
    late = r.late
    if not len(late):
        return f"<{h}>Late work and redos</{h}><p>No late work and no redos.</p>"
    rows = _attempt_rows(late, tz, [lambda x: escape(x.kind) + (" (not counted)" if x.status == "rejected" else ""),
                                    lambda x: str(x.tokens_spent), lambda x: _pct(x.penalty) if x.penalty else "",
                                    lambda x: f"<span class=msg>{escape(x.note)}</span>"])
    return (f"<{h}>Late work and redos</{h}>"
            + _table(["student", "attempt", "submitted", "kind", "tokens", "penalty", "note"], rows, num={4, 5},
                     dates={2}))


def _flagged(r: AssignmentReport, h: str, tz) -> str:
    flagged = r.flagged
    if not len(flagged):
        return f"<{h}>Flagged attempts</{h}><p>No attempt was flagged.</p>"
    rows = _attempt_rows(flagged, tz, [lambda x: "<br>".join(escape(f) for f in x.flags)])
    return f"<{h}>Flagged attempts</{h}>" + _table(["student", "attempt", "submitted", "why"], rows, dates={2})


def _attention(r: AssignmentReport, h: str, tz) -> str:
    attention = r.attention
    if not len(attention):
        return f"<{h}>Attempts that need a look</{h}><p>None: every attempt was graded in the sandbox and counted.</p>"
    rows = _attempt_rows(attention, tz, [
        lambda x: badge("wait" if x.status == "pending" else "fail", x.status),
        lambda x: f"<span class=msg>{escape(notes(x.note, x.reason))}</span>"])
    return (f"<{h}>Attempts that need a look</{h}>"
            + _table(["student", "attempt", "submitted", "status", "why"], rows, dates={2}))


def _every_student(r: AssignmentReport, h: str, tz) -> str:
    mark = {True: badge("pass", "pass"), False: badge("fail", "fail"), None: badge("wait", "\u2013")}
    specs = list(r.doc["spec_titles"])
    rows = [[escape(k) + (" " + badge("flag", "flagged") if row["flagged"] else ""), f"{row['points']:g}",
             str(row["attempts"]), str(row["tokens_left"]), *[mark[row[s]] for s in specs]]
            for k, row in r.per_student.iterrows()]
    return (f"<details><summary>Every student ({r.students})</summary>"
            + _table(["student", "points", "attempts", "tokens left", *specs], rows, num={1, 2, 3}) + "</details>")


PARTS = (_failing, _over_time, _by_attempt, _attempts_and_tokens, _late, termparts.deadlines, termparts.sections,
         termparts.similar, _flagged, _attention, _every_student)
"""The parts of an assignment's section, in page order; each takes the report, its heading tag and time zone."""


def _section(r: AssignmentReport, *, level: int) -> str:
    doc, tz = r.doc, course_tz(r.doc)
    head = (f"<p class=muted>{escape(doc['assignment'])} \u00b7 due {when(doc['due'], tz, deadline=True)} \u00b7 "
            f"redos count until {when(doc['final'], tz, deadline=True)} \u00b7 rubric: {escape(doc['rubric'])}</p>")
    if not r.students:
        return head + "<p>No attempts yet.</p>"
    return head + _summary(r) + "".join(part(r, f"h{level}", tz) for part in PARTS)


def _overview(reports: list[AssignmentReport], tz, strength: dict | None = None) -> str:
    rows = []
    for r in reports:
        s = r.summary()
        rows.append([f"<a href='#a-{escape(r.doc['assignment'])}'>{escape(r.doc['title'])}</a>",
                     when(r.doc["due"], tz, deadline=True), str(s["students"]), str(s["attempts"]),
                     f"{s['mean_points']:.3g} / {s['max_points']:g}", str(s["all_passed"]), str(s["late"]),
                     str(s["redos"]), str(s["flagged"])])
    strength = [(strength or {}).get(r.doc["assignment"]) for r in reports]
    if any(strength):  # `mlip check A --mutants` left a mutation report beside the rubric
        rows = [row + [escape(s or "no mutation report")] for row, s in zip(rows, strength)]
    out = [_table(["assignment", "due", "students", "attempts", "mean points", "pass every line", "late", "redos",
                   "flagged"] + (["rubric strength"] if any(strength) else []), rows, num={2, 3, 4, 5, 6, 7, 8},
                  dates={1})]
    with_students = [r for r in reports if r.students]
    if with_students:
        out.append("<h2>Points</h2>")
        out.append(_img(plots.points({r.doc["assignment"]: r.per_student["points"] for r in with_students},
                                     {r.doc["assignment"]: r.doc["max_points"] for r in with_students}),
                        "points per student and assignment"))
        left = {}
        for r in with_students:
            left.update(r.per_student["tokens_left"].to_dict())
        out.append("<h2>Tokens left</h2><div class=figs><figure>"
                   + _img(plots.counts(pd.Series(left), xlabel="tokens left"), "tokens left per student")
                   + f"<figcaption>Tokens each of the {len(left)} students has left for the rest of the course"
                   "</figcaption></figure></div>")
    return "".join(out)


def render_report(reports: list[AssignmentReport], *, course_id: str, whole_course: bool,
                  generated: dt.datetime | None = None, strength: dict | None = None) -> str:
    """The report page for ``reports`` (one assignment, or the whole course with an overview first);
    ``strength`` (assignment -> line) adds the rubric strength from each mutation report to the overview."""
    generated = generated or dt.datetime.now(dt.timezone.utc)
    tz = course_tz(reports[0].doc) if reports else dt.timezone.utc
    stamp = f"Generated {generated.astimezone(tz).strftime('%Y-%m-%d %H:%M')} ({tz_name(tz)}) from the ledger."
    if not whole_course:
        r = reports[0]
        body = (f"<header><p class=kicker>{escape(course_id)} \u00b7 course report</p>"
                f"<h1>{escape(r.doc['title'])}</h1></header>{_section(r, level=2)}")
        title = f"{r.doc['title']}: course report"
    else:
        toc = "".join(f"<li><a href='#a-{escape(r.doc['assignment'])}'>{escape(r.doc['title'])}</a></li>"
                      for r in reports)
        body = (f"<header><p class=kicker>course report</p><h1>{escape(course_id)}</h1>"
                f"<p class=lead>{plural(len(reports), 'assignment')} released.</p></header>"
                f"{_overview(reports, tz, strength) if reports else '<p>No assignment has been released yet.</p>'}"
                f"{'<nav class=toc><h2>Assignments</h2><ul>' + toc + '</ul></nav>' if reports else ''}"
                + "".join(f"<section class=assignment id='a-{escape(r.doc['assignment'])}'>"
                          f"<h2>{escape(r.doc['title'])}</h2>{_section(r, level=3)}</section>" for r in reports))
        title = f"{course_id}: course report"
    body += (f"<footer>{escape(stamp)} Built from the rubric's words and the verdicts only; no test code or "
             "output appears here.</footer>")
    return html_page(title, body, css=CSS)


def write_report(course: Course, assignment: str | None = None, *, output: str | Path | None = None,
                 db_url: str | None = None) -> Path:
    """Write the report of ``assignment`` (or of the whole course) and return its path.

    The default path is ``reports/<assignment>.html`` (``reports/course.html``) in the course folder.
    """
    if assignment:
        course.require_released(assignment)
    reports = assignment_reports(course, assignment, db_url=db_url)
    strength = {r.doc["assignment"]: rubric_strength(course.source_dir(r.doc["assignment"])) for r in reports}
    html = render_report(reports, course_id=course.course_id, whole_course=assignment is None, strength=strength)
    path = Path(output) if output else course.root / "reports" / f"{assignment or 'course'}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
