"""Extensions (one student, one assignment) and accommodations (one student, the whole course).

Both are appended to the ledger with who granted them, when and why; nothing is ever updated. For each field the
latest row that sets it counts, so a second `mlip extend` replaces the first and the history stays readable.
The policy never sees them directly: `student_rubric` turns them into the deadlines of one student's copy of the
rubric, and `tokens_for` into the student's tokens, so a late day inside an extension is simply not late.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import math
import os
from dataclasses import dataclass

from grader.model.errors import UsageError
from grader.model.rubric import Rubric, RubricError, parse_time
from grader.records import ledger as L

DAY = dt.timedelta(days=1)


def actor() -> str:
    """Who is running the command: $MLIP_USER, else the login name."""
    try:
        return os.environ.get("MLIP_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container): still record something
        return "unknown"


@dataclass(frozen=True)
class Extension:
    """One student's deadlines for one assignment, as granted (the latest grant of each field counts)."""

    assignment: str
    student: str
    days: int | None
    """Days added to the student's due date (from the rubric's, after any time factor)."""
    due: dt.datetime | None
    """A due date set outright."""
    final: dt.datetime | None
    """A final deadline set outright."""
    reason: str
    granted_by: str
    granted_at: dt.datetime


@dataclass(frozen=True)
class Accommodation:
    """A standing accommodation for every assignment of the course (the latest value of each field counts)."""

    student: str
    time_factor: float | None
    """Stretches the time from an assignment's opening to its due date (1.5: half as long again)."""
    extra_tokens: int | None
    """Tokens on top of the course's."""
    reason: str
    granted_by: str
    granted_at: dt.datetime


def _time(text):
    return dt.datetime.fromisoformat(text) if text else None


def extend(ledger: L.Ledger, assignment: str, *, student: str, days: int | None = None, due: str | None = None,
           final: str | None = None, reason: str = "") -> Extension:
    """Grant ``student`` an extension on ``assignment``: ``days`` more, or a new ``due`` or ``final`` time."""
    given = [x for x in (days, due, final) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of --days N, --due TIME or --final TIME")
    if days is not None and (isinstance(days, bool) or int(days) != days or days < 1):
        raise UsageError(f"--days {days}: give a whole number of days, 1 or more")
    try:
        due_t, final_t = parse_time(due, "--due"), parse_time(final, "--final")
    except RubricError as exc:
        raise UsageError(str(exc)) from None
    row = dict(assignment=assignment, student=student, days=days, due=due_t.isoformat() if due_t else None,
               final=final_t.isoformat() if final_t else None, reason=reason, granted_by=actor(),
               granted_at=L.now_utc().isoformat())
    ledger.append(L.extensions, **row)
    return Extension(assignment, student, days, due_t, final_t, reason, row["granted_by"], _time(row["granted_at"]))


def accommodate(ledger: L.Ledger, student: str, *, time_factor: float | None = None,
                extra_tokens: int | None = None, reason: str = "") -> Accommodation:
    """Record a standing accommodation for ``student``: a time factor, extra tokens, or both."""
    if time_factor is None and extra_tokens is None:
        raise UsageError("give --time-factor F, --extra-tokens N or both")
    if time_factor is not None and not (math.isfinite(time_factor) and 1 <= time_factor <= 10):
        raise UsageError(f"--time-factor {time_factor:g}: give a factor from 1 (no change) to 10, e.g. 1.5")
    if extra_tokens is not None and extra_tokens < 0:
        raise UsageError(f"--extra-tokens {extra_tokens}: give a number of tokens, 0 or more")
    row = dict(student=student, time_factor=time_factor, extra_tokens=extra_tokens, reason=reason,
               granted_by=actor(), granted_at=L.now_utc().isoformat())
    ledger.append(L.accommodations, **row)
    return Accommodation(student, time_factor, extra_tokens, reason, row["granted_by"], _time(row["granted_at"]))


@dataclass(frozen=True)
class Adjustments:
    """Every extension and accommodation in the ledger, folded to what counts now."""

    extensions: dict[tuple[str, str], Extension]
    """(assignment, student) -> the extension in force (each field: its latest grant)."""
    accommodations: dict[str, Accommodation]
    """student -> the accommodation in force."""

    @classmethod
    def read(cls, ledger: L.Ledger) -> "Adjustments":
        """Fold the ledger's rows, oldest first, so that later grants win field by field."""
        ext: dict[tuple[str, str], Extension] = {}
        for r in ledger.rows(L.extensions):
            key = (r.assignment, r.student)
            old = ext.get(key)
            new = Extension(r.assignment, r.student, r.days, _time(r.due), _time(r.final), r.reason,
                            r.granted_by, _time(r.granted_at))
            if old is not None and new.final is not None and new.due is None and new.days is None:
                new = dataclasses.replace(new, days=old.days, due=old.due)  # a new final keeps the due date
            elif old is not None and new.final is None:
                new = dataclasses.replace(new, final=old.final)  # a new due date keeps the final deadline
            ext[key] = new
        acc: dict[str, Accommodation] = {}
        for r in ledger.rows(L.accommodations):
            old = acc.get(r.student)
            acc[r.student] = Accommodation(
                r.student, r.time_factor if r.time_factor is not None else (old.time_factor if old else None),
                r.extra_tokens if r.extra_tokens is not None else (old.extra_tokens if old else None),
                r.reason, r.granted_by, _time(r.granted_at))
        return cls(ext, acc)

    def tokens_for(self, student: str, tokens: int) -> int:
        """The student's tokens for the course: the course's plus any extra ones."""
        acc = self.accommodations.get(student)
        return tokens + ((acc.extra_tokens or 0) if acc else 0)

    def student_rubric(self, rubric: Rubric, assignment: str, student: str,
                       opens: dt.datetime | None) -> tuple[Rubric, list[str]]:
        """The rubric with this student's deadlines, and notes that say where they come from."""
        due, final, notes = rubric.due, rubric.final, []
        acc = self.accommodations.get(student)
        if due is not None and acc and acc.time_factor and acc.time_factor != 1:
            if opens is not None and opens < due:
                due = opens + (due - opens) * acc.time_factor
                due = due.replace(microsecond=0)
                notes.append(f"accommodation: time factor {acc.time_factor:g}")
            else:
                notes.append("accommodation: time factor not applied (the assignment's opening time is unknown)")
        ext = self.extensions.get((assignment, student))
        if ext is not None:
            if ext.due is not None:
                due = ext.due
            elif ext.days and due is not None:
                due = due + ext.days * DAY
            if ext.final is not None:
                final = ext.final
            notes.append("extension" + (f": {ext.reason}" if ext.reason else ""))
        if due is not None and final is not None and final < due:
            final = due  # work due after the final deadline must still be able to count
        if (due, final) == (rubric.due, rubric.final):
            return rubric, notes
        return dataclasses.replace(rubric, due=due, final=final), notes
