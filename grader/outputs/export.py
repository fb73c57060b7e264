"""Grades out: a Canvas gradebook CSV or a plain CSV with one column per spec."""
from __future__ import annotations

import csv
import io

from grader.records.course import Course
from grader.records.standing import assignment_status


def export(course: Course, *, fmt: str = "canvas", db_url: str | None = None, everything: bool = False) -> str:
    """Return CSV text for every released assignment of the course.

    Points of a student whose feedback is still held are left blank, as students would not see them yet,
    unless ``everything`` is true (`mlip export --all`).
    """
    statuses = [assignment_status(course, a, db_url=db_url).doc for a in course.released()]
    if not everything:
        statuses = [{**d, "students": [s if s.get("feedback_released", True) else _held(s) for s in d["students"]]}
                    for d in statuses]
    students = sorted({s["student"] for d in statuses for s in d["students"]})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if fmt == "canvas":
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
                   + [f"{d['title']} ({d['assignment']})" for d in statuses])
        w.writerow(["    Points Possible", "", "", "", ""] + [f"{d['max_points']:g}" for d in statuses])
        people = {s["student"]: s for d in statuses for s in d["students"]}
        for sid in students:
            row = [people[sid].get("name") or sid, "", sid, sid, people[sid].get("section", "")]
            for d in statuses:
                mine = [s for s in d["students"] if s["student"] == sid]
                row.append(f"{mine[0]['points']:g}" if mine and mine[0]['points'] is not None else "")
            w.writerow(row)
    elif fmt == "csv":
        w.writerow(["student", "assignment", "points", "max_points", "tokens_left", "attempts", "flagged",
                    "spec", "kind", "passed", "section"])
        for d in statuses:
            for s in d["students"]:
                for spec_id, v in s["specs"].items():
                    w.writerow([s["student"], d["assignment"], "" if s["points"] is None else f"{s['points']:g}",
                                f"{d['max_points']:g}",
                                s["tokens_left"], len(s["attempts"]), bool(s["flagged"]), spec_id, v["kind"],
                                "" if v["passed"] is None else v["passed"], s.get("section", "")])
    else:
        from grader.model.errors import UsageError

        raise UsageError(f"unknown export format {fmt!r}; use canvas or csv")
    return buf.getvalue()


def _held(student: dict) -> dict:
    """A student's entry with verdicts and points blanked (their feedback is not released)."""
    return {**student, "points": None, "specs": {k: {**v, "passed": None} for k, v in student["specs"].items()}}
