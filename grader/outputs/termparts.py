"""Parts of the course report about running the term: own deadlines, the roster's sections, similar work.

Each part takes the report views of one assignment and returns HTML, as the parts in `report` do; all of it
comes from the status document, so the report says what `mlip status` says.
"""
from __future__ import annotations

from html import escape

from grader.outputs.pages import when
from grader.outputs.reportdata import AssignmentReport


def _table(head, rows) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<div class=scroll><table><tr>{th}</tr>{body}</table></div>"


def deadlines(r: AssignmentReport, h: str, tz) -> str:
    """Students with their own deadlines or tokens: extension, accommodation, who granted it and why."""
    rows = []
    for s in r.doc["students"]:
        ext, acc = s.get("extension"), s.get("accommodation")
        if not (ext or acc):
            continue
        why = "; ".join(f"{kind} by {g['granted_by']} on {when(g['granted_at'], tz)}"
                        + (f": {g['reason']}" if g["reason"] else "")
                        for kind, g in (("extension", ext), ("accommodation", acc)) if g)
        extra = (acc or {}).get("extra_tokens")
        rows.append([escape(s["student"]), escape(when(s.get("due"), tz, deadline=True)),
                     escape(when(s.get("final"), tz, deadline=True)), f"{s.get('tokens_total', '')}"
                     + (f" (+{extra})" if extra else ""), escape(why)])
    if not rows:
        return ""
    return f"<{h}>Own deadlines and tokens</{h}>" + _table(["student", "due", "final", "tokens", "granted"], rows)


def sections(r: AssignmentReport, h: str, tz) -> str:
    """Per roster section: students, mean points, passing every line; and who is not on the roster."""
    if not r.doc.get("roster"):
        return ""
    groups: dict[str, list[dict]] = {}
    for s in r.doc["students"]:
        groups.setdefault(s.get("section") or "(no section)", []).append(s)
    rows = [[escape(name), str(len(ss)), f"{sum(s['points'] for s in ss) / len(ss):.3g}",
             str(sum(all(v["passed"] is True for v in s["specs"].values()) for s in ss))]
            for name, ss in sorted(groups.items())]
    missing = r.doc.get("not_on_roster") or []
    note = (f"<p class=notice>Not on the roster: {escape(', '.join(missing))}. Their work was taken in and graded; "
            "check the ids or import a newer roster.</p>" if missing else "")
    return (f"<{h}>By section</{h}>" + _table(["section", "students", "mean points", "pass every line"], rows)
            + note)


def similar(r: AssignmentReport, h: str, tz) -> str:
    """Pairs `mlip similarity` found last: for a person to look at, never a verdict."""
    pairs = sorted({(min(s["student"], x["student"]), max(s["student"], x["student"]), x["score"])
                    for s in r.doc["students"] for x in s.get("similar", [])}, key=lambda p: -p[2])
    if not pairs:
        return ""
    rows = [[escape(a), escape(b), f"{score:.0%}"] for a, b, score in pairs]
    return (f"<{h}>Similar answers</{h}><p class=muted>From the last <code>mlip similarity</code>; its page shows "
            "the matching code side by side. A reason to look, not a finding: no grade changed.</p>"
            + _table(["student", "student", "similarity"], rows))
