"""The roster: who is in the course, their names and sections, from a Canvas CSV or a plain one.

Each import is appended to the ledger as a numbered batch; the latest batch is the roster. A student who submits
without being on it is accepted as always and listed as "not on the roster" so that a person can look.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.model.errors import UsageError
from grader.records import ledger as L
from grader.records.extensions import actor

PLAIN = ("student", "name", "email", "section")
CANVAS_ID = ("sis login id", "sis user id", "login id", "id")
TEST_STUDENT = ("test student", "student, test")
"""Canvas's built-in test student, left out of the roster."""
CANVAS_ID_DOC = """Canvas columns that may hold the id students submit under, in the order they are tried."""


@dataclass(frozen=True)
class Person:
    """One row of the roster."""

    student: str
    name: str = ""
    email: str = ""
    section: str = ""


def parse_roster(text: str, *, where: str = "roster") -> list[Person]:
    """Read a plain ``student,name,email,section`` CSV or a Canvas gradebook/roster CSV."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise UsageError(f"{where} is empty; give a CSV with a header row (student,name,email,section)")
    head = [h.strip().lower() for h in rows[0]]
    col = {h: i for i, h in enumerate(head)}
    if "student" in col and "name" in col:  # plain
        idcs, namec = [col["student"]], col["name"]
    elif "student" in col and any(c in col for c in CANVAS_ID):  # Canvas: Student is the name
        idcs, namec = [col[c] for c in CANVAS_ID if c in col], col["student"]
    else:
        raise UsageError(f"{where}: header {','.join(rows[0])!r} is neither student,name,email,section nor "
                         "Canvas's (Student, ID, SIS User ID, SIS Login ID, Section); fix the first line")
    emailc = next((col[c] for c in ("email", "e-mail", "email address") if c in col), None)
    sectionc = col.get("section")
    people: dict[str, Person] = {}
    for n, r in enumerate(rows[1:], start=2):
        cell = (lambda i: r[i].strip() if i is not None and i < len(r) else "")
        if cell(namec).lower().startswith("points possible") or cell(namec).lower() in TEST_STUDENT:
            continue  # Canvas's points row and its built-in test student
        sid = next((cell(i) for i in idcs if cell(i)), "")
        if not sid:
            raise UsageError(f"{where}, line {n}: no student id in column {rows[0][idcs[0]]!r}; fill it in or "
                             "delete the line")
        people[sid] = Person(sid, cell(namec), cell(emailc), cell(sectionc))
    if not people:
        raise UsageError(f"{where} lists no students; give a CSV with one line per student under its header")
    return list(people.values())


def import_roster(ledger: L.Ledger, path: str | Path) -> list[Person]:
    """Append the roster in ``path`` as a new batch; the latest batch is the course's roster."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no roster file at {path}; give the path of a CSV file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; export the roster as CSV (UTF-8)") from None
    people = parse_roster(text, where=str(path))
    batch = max((r.batch for r in ledger.rows(L.roster)), default=0) + 1
    who, at = actor(), L.now_utc().isoformat()
    for p in people:
        ledger.append(L.roster, batch=batch, student=p.student, name=p.name, email=p.email, section=p.section,
                      source=path.name, imported_by=who, imported_at=at)
    return people


def current_roster(ledger: L.Ledger) -> dict[str, Person] | None:
    """student id -> Person from the latest import, or None when no roster was ever imported."""
    rows = ledger.rows(L.roster)
    if not rows:
        return None
    last = max(r.batch for r in rows)
    return {r.student: Person(r.student, r.name, r.email, r.section) for r in rows if r.batch == last}
