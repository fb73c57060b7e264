"""Standing: who passed which spec, points, tokens and history, computed from the ledger (never stored)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.records.course import Course
from grader.records.ledger import Ledger
from grader.records.policy import apply_policy, chain_points
from grader.records.course import opened_at, released_rubric
from grader.records.extensions import Adjustments
from grader.records.roster import current_roster
from grader.records.visibility import feedback_state
from grader.model.rubric import Rubric

if TYPE_CHECKING:  # pandas only for the tidy views, imported when one is asked for (`mlip status` starts fast)
    import pandas as pd


@dataclass(frozen=True)
class AssignmentStatus:
    """The status document of one assignment, with tidy views for tables."""

    doc: dict
    """The ``mlip status --json`` document."""

    def to_dict(self) -> dict:
        """The JSON-ready document."""
        return self.doc

    @property
    def by_spec(self) -> "pd.DataFrame":
        """One row per student, one column per spec: True, False or None (not decided yet)."""
        import pandas as pd

        rows = {s["student"]: {k: v["passed"] for k, v in s["specs"].items()} for s in self.doc["students"]}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def by_attempt(self) -> "pd.DataFrame":
        """One row per attempt of every student."""
        import pandas as pd

        rows = []
        for s in self.doc["students"]:
            for a in s["attempts"]:
                rows.append({"student": s["student"], "attempt": a["attempt"], "submitted_at": a["submitted_at"],
                             "status": a["status"], "points": a.get("points"), "tokens_spent": a["tokens_spent"],
                             "note": a["note"]})
        return pd.DataFrame(rows, columns=["student", "attempt", "submitted_at", "status", "points",
                                           "tokens_spent", "note"])


def assignment_status(course: Course, assignment: str, *, student: str | None = None,
                      db_url: str | None = None) -> AssignmentStatus:
    """Compute the status of ``assignment`` (one student or all) from the ledger."""
    rubric = released_rubric(course, assignment)
    ledger = Ledger(db_url or course.default_db_url)
    try:
        every = ledger.attempts()
        results = ledger.results()
        marks = ledger.marks(assignment, student)
        adjust = Adjustments.read(ledger)
        roster = current_roster(ledger)
        shown = feedback_state(ledger, assignment, rubric)
    finally:
        ledger.close()
    students = sorted({a.student for a in every if a.assignment == assignment and (not student or a.student == student)})
    rubrics = {aid: released_rubric(course, aid) for aid in {a.assignment for a in every}}
    opens = {aid: opened_at(course, aid, r) for aid, r in rubrics.items()}
    tokens = course.policy.tokens
    similar = similar_pairs(course, assignment)
    out = []
    for sid in students:
        mine = [a for a in every if a.student == sid]
        own = {aid: adjust.student_rubric(r, aid, sid, opens[aid]) for aid, r in rubrics.items()}
        terms, left = apply_policy(mine, {aid: r for aid, (r, _) in own.items()}, adjust.tokens_for(sid, tokens))
        latest_mark = {}
        for m in marks:
            if m.student == sid:
                latest_mark[m.spec] = m
        manual_points = sum(s.points for s in rubric.manual_specs
                            if s.id in latest_mark and latest_mark[s.id].passed)
        attempts_doc, steps, flagged = [], [], []
        last_graded = None
        for a in [x for x in mine if x.assignment == assignment]:
            t = terms[a.id]
            res = results.get(a.id)
            if not t.counted:
                status = "rejected"
            elif res is None:
                status = "pending"
            elif res.status == "error":
                status = "error"
            else:
                status = "late" if t.kind == "late" else "graded"
            entry = {"attempt": a.number, "submitted_at": a.submitted_at.isoformat(), "status": status,
                     "kind": t.kind, "specs": {}, "manual": {}, "messages": {}, "points": None,
                     "late_days": t.late_days, "tokens_spent": t.tokens_spent, "penalty": t.penalty,
                     "note": t.note, "reason": (res.reason if res else a.reason), "flags": [],
                     "sha256": a.sha256, "sandbox": res.sandbox if res else None,
                     "judge": res.judge if res else None}
            own_due = own.get(assignment, (rubric, []))[0].due
            if t.counted and t.kind in ("first", "resubmission") and rubric.due and own_due and \
                    rubric.due < a.submitted_at <= own_due:
                entry["note"] = "; ".join(x for x in (entry["note"], "on time by the student's own due date") if x)
            if res is not None and res.sandbox == "none":
                entry["note"] = "; ".join(x for x in (entry["note"], "graded WITHOUT a sandbox (--sandbox none)") if x)
            if res is not None:
                entry["specs"] = {s.id: bool(res.specs.get(s.id, False)) for s in rubric.auto_specs}
                entry["messages"] = {s.id: s.message for s in rubric.auto_specs if not entry["specs"][s.id]}
                entry["flags"] = list(res.flags)
                flagged += [f"attempt {a.number}: {f}" for f in res.flags]
                raw = sum(s.points for s in rubric.auto_specs if entry["specs"][s.id]) + manual_points
                entry["points"] = round(raw * (1 - t.penalty), 2)
                if t.counted:
                    steps.append((t, raw))
                    last_graded = (a, entry)
            entry["manual"] = {s.id: (latest_mark[s.id].passed if s.id in latest_mark else None)
                               for s in rubric.manual_specs}
            attempts_doc.append(entry)
        specs = {}
        for s in rubric.specs:
            if s.is_auto:
                specs[s.id] = {"kind": "auto", "passed": last_graded[1]["specs"][s.id] if last_graded else None,
                               "attempt": last_graded[0].number if last_graded else None}
            else:
                m = latest_mark.get(s.id)
                specs[s.id] = {"kind": "manual", "passed": m.passed if m else None,
                               "attempt": m.attempt if m else None, "comment": m.comment if m else ""}
        points = chain_points(steps, rubric.policy.regain_factor)
        out.append({"student": sid, "points": points if points is not None else 0.0,
                    "tokens_left": left, "flagged": flagged, "specs": specs, "attempts": attempts_doc,
                    **_term_fields(sid, own.get(assignment, (rubric, []))[0], own.get(assignment, (rubric, []))[1],
                                   adjust, assignment, roster, tokens)})
        out[-1]["feedback_released"] = shown.visible(own.get(assignment, (rubric, []))[0].due)
        out[-1]["similar"] = similar.get(sid, [])
    doc = {"assignment": assignment, "title": rubric.title, "max_points": rubric.max_points,
           "rubric": "derived from the notebook (no rubric.yml)" if rubric.derived else "rubric.yml",
           "due": rubric.due.isoformat() if rubric.due else None,
           "final": rubric.final.isoformat() if rubric.final else None,
           "spec_titles": {s.id: s.title for s in rubric.specs},
           "roster": roster is not None, "feedback": shown.to_dict(),
           "not_on_roster": [s["student"] for s in out if s["on_roster"] is False],
           "students": out}
    return AssignmentStatus(doc)


def similar_pairs(course: Course, assignment: str) -> dict[str, list[dict]]:
    """student -> [{"student": other, "score": s}] from the last `mlip similarity` run (empty if none)."""
    import json

    path = course.similarity_file(assignment)
    if not path.is_file():
        return {}
    out: dict[str, list[dict]] = {}
    for p in json.loads(path.read_text())["pairs"]:
        out.setdefault(p["a"], []).append({"student": p["b"], "score": p["score"]})
        out.setdefault(p["b"], []).append({"student": p["a"], "score": p["score"]})
    return out


def _term_fields(sid: str, own: Rubric, notes: list[str], adjust: Adjustments, assignment: str,
                 roster: dict | None, tokens: int) -> dict:
    """The student's own deadlines, extension, accommodation, tokens and roster entry (fields added to status)."""
    ext, acc = adjust.extensions.get((assignment, sid)), adjust.accommodations.get(sid)
    person = roster.get(sid) if roster is not None else None
    return {"due": own.due.isoformat() if own.due else None, "final": own.final.isoformat() if own.final else None,
            "deadline_notes": notes, "tokens_total": adjust.tokens_for(sid, tokens),
            "extension": None if ext is None else {
                "days": ext.days, "due": ext.due.isoformat() if ext.due else None,
                "final": ext.final.isoformat() if ext.final else None, "reason": ext.reason,
                "granted_by": ext.granted_by, "granted_at": ext.granted_at.isoformat()},
            "accommodation": None if acc is None else {
                "time_factor": acc.time_factor, "extra_tokens": acc.extra_tokens, "reason": acc.reason,
                "granted_by": acc.granted_by, "granted_at": acc.granted_at.isoformat()},
            "on_roster": None if roster is None else person is not None,
            "name": person.name if person else "", "section": person.section if person else ""}


def format_table(status: AssignmentStatus, *, by_section: bool = False) -> str:
    """A plain-text spec table and each student's attempt history (grouped by roster section if asked)."""
    doc = status.doc
    spec_ids = list(doc["spec_titles"])
    lines = [f"{doc['assignment']}: {doc['title']} ({doc['max_points']:g} points, rubric: {doc['rubric']})"]
    width = max([7] + [len(s["student"]) for s in doc["students"]])
    head = f"{'student':<{width}}  " + "  ".join(f"{sid[:12]:>12}" for sid in spec_ids) + "  points  tokens"
    mark = {True: "pass", False: "FAIL", None: "-"}
    groups = {"": doc["students"]}
    if by_section:
        groups = {}
        for s in sorted(doc["students"], key=lambda s: (s.get("section") or "\uffff", s["student"])):
            groups.setdefault(s.get("section") or "(no section)", []).append(s)
    for section, students in groups.items():
        if section:
            lines += ["", f"section {section}"]
        lines += [head, "-" * len(head)]
        for s in students:
            cells = "  ".join(f"{mark[s['specs'][sid]['passed']]:>12}" for sid in spec_ids)
            flag = "  FLAGGED" if s["flagged"] else ""
            flag += "  not on the roster" if s.get("on_roster") is False else ""
            flag += "  similar to " + ", ".join(x["student"] for x in s["similar"]) if s.get("similar") else ""
            lines.append(f"{s['student']:<{width}}  {cells}  {s['points']:>6g}  {s['tokens_left']:>6}{flag}")
    own = [s for s in doc["students"] if s.get("deadline_notes")]
    if own:
        lines += ["", "own deadlines"]
        for s in own:
            lines.append(f"  {s['student']:<{width}} due {s['due']}  final {s['final']}  "
                         f"({'; '.join(s['deadline_notes'])})")
    if doc.get("not_on_roster"):
        lines += ["", f"not on the roster: {', '.join(doc['not_on_roster'])}"]
    lines.append("")
    lines.append("attempt history")
    for s in doc["students"]:
        for a in s["attempts"]:
            passed = sum(bool(v) for v in a["specs"].values())
            pts = "" if a["points"] is None else f"{a['points']:g} pts"
            judge = f"tests: {a['judge']}" if a.get("judge") else ""
            extra = "; ".join(x for x in (judge, a["note"], a["reason"]) if x)
            lines.append(f"  {s['student']:<{width}} #{a['attempt']} {a['submitted_at']}  {a['status']:<8} "
                         f"{passed}/{len(a['specs'])} auto specs  {pts:>8}  {extra}".rstrip())
    return "\n".join(lines)
