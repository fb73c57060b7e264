"""Grades out: a Canvas gradebook CSV or a plain CSV with one column per spec."""
from __future__ import annotations

import csv
import io

from grader.records.course import Course
from grader.records.standing import assignment_status


def export(course: Course, *, fmt: str = "canvas", db_url: str | None = None) -> str:
    """Return CSV text for every released assignment of the course."""
    statuses = [assignment_status(course, a, db_url=db_url).doc for a in course.released()]
    students = sorted({s["student"] for d in statuses for s in d["students"]})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if fmt == "canvas":
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
                   + [f"{d['title']} ({d['assignment']})" for d in statuses])
        w.writerow(["    Points Possible", "", "", "", ""] + [f"{d['max_points']:g}" for d in statuses])
        for sid in students:
            row = [sid, "", sid, sid, ""]
            for d in statuses:
                mine = [s for s in d["students"] if s["student"] == sid]
                row.append(f"{mine[0]['points']:g}" if mine else "")
            w.writerow(row)
    elif fmt == "csv":
        w.writerow(["student", "assignment", "points", "max_points", "tokens_left", "attempts", "flagged",
                    "spec", "kind", "passed"])
        for d in statuses:
            for s in d["students"]:
                for spec_id, v in s["specs"].items():
                    w.writerow([s["student"], d["assignment"], f"{s['points']:g}", f"{d['max_points']:g}",
                                s["tokens_left"], len(s["attempts"]), bool(s["flagged"]), spec_id, v["kind"],
                                "" if v["passed"] is None else v["passed"]])
    else:
        from grader.model.errors import UsageError

        raise UsageError(f"unknown export format {fmt!r}; use canvas or csv")
    return buf.getvalue()
