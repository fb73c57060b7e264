"""Standing: who passed which spec, points, tokens and history, computed from the ledger (never stored)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from grader.records.course import Course
from grader.records.ledger import Ledger
from grader.records.policy import apply_policy, chain_points
from grader.records.course import released_rubric


@dataclass(frozen=True)
class AssignmentStatus:
    """The status document of one assignment, with tidy views for tables."""

    doc: dict
    """The ``mlip status --json`` document."""

    def to_dict(self) -> dict:
        """The JSON-ready document."""
        return self.doc

    @property
    def by_spec(self) -> pd.DataFrame:
        """One row per student, one column per spec: True, False or None (not decided yet)."""
        rows = {s["student"]: {k: v["passed"] for k, v in s["specs"].items()} for s in self.doc["students"]}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def by_attempt(self) -> pd.DataFrame:
        """One row per attempt of every student."""
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
    finally:
        ledger.close()
    students = sorted({a.student for a in every if a.assignment == assignment and (not student or a.student == student)})
    rubrics = {aid: released_rubric(course, aid) for aid in {a.assignment for a in every}}
    tokens = course.policy.tokens
    out = []
    for sid in students:
        mine = [a for a in every if a.student == sid]
        terms, left = apply_policy(mine, rubrics, tokens)
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
                    "tokens_left": left, "flagged": flagged, "specs": specs, "attempts": attempts_doc})
    doc = {"assignment": assignment, "title": rubric.title, "max_points": rubric.max_points,
           "rubric": "derived from the notebook (no rubric.yml)" if rubric.derived else "rubric.yml",
           "due": rubric.due.isoformat() if rubric.due else None,
           "final": rubric.final.isoformat() if rubric.final else None,
           "spec_titles": {s.id: s.title for s in rubric.specs},
           "students": out}
    return AssignmentStatus(doc)


def format_table(status: AssignmentStatus) -> str:
    """A plain-text spec table and each student's attempt history."""
    doc = status.doc
    spec_ids = list(doc["spec_titles"])
    lines = [f"{doc['assignment']}: {doc['title']} ({doc['max_points']:g} points, rubric: {doc['rubric']})"]
    width = max([7] + [len(s["student"]) for s in doc["students"]])
    head = f"{'student':<{width}}  " + "  ".join(f"{sid[:12]:>12}" for sid in spec_ids) + "  points  tokens"
    lines += [head, "-" * len(head)]
    mark = {True: "pass", False: "FAIL", None: "-"}
    for s in doc["students"]:
        cells = "  ".join(f"{mark[s['specs'][sid]['passed']]:>12}" for sid in spec_ids)
        flag = "  FLAGGED" if s["flagged"] else ""
        lines.append(f"{s['student']:<{width}}  {cells}  {s['points']:>6g}  {s['tokens_left']:>6}{flag}")
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
