"""When students see their verdicts: feedback is immediate, after the due date, or held until released.

The mode comes from the rubric's ``feedback:`` unless a command set another (`mlip feedback A --mode M`); a
release (`mlip feedback A --release`) is appended to the ledger with who and when. A release counts only if it
comes after the latest mode set by command, so holding feedback again takes effect. Held pages and exports never
show a verdict, a message or points; status, for the course staff, always shows everything.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grader.model.errors import UsageError
from grader.model.rubric import FEEDBACK_MODES, Rubric
from grader.records import ledger as L
from grader.records.extensions import actor


@dataclass(frozen=True)
class FeedbackState:
    """An assignment's feedback mode and its release, if any."""

    mode: str
    """``immediate``, ``after_due`` or ``manual``."""
    source: str
    """``rubric.yml`` or ``command`` (set by `mlip feedback --mode`)."""
    released_at: dt.datetime | None
    """When the staff released the feedback (None: not released by command)."""
    released_by: str = ""

    def visible(self, due: dt.datetime | None, now: dt.datetime | None = None) -> bool:
        """Whether a student whose due date is ``due`` sees verdicts now."""
        if self.mode == "immediate" or self.released_at is not None:
            return True
        if self.mode == "after_due":
            return due is None or (now or L.now_utc()) > due
        return False

    def to_dict(self) -> dict:
        """The JSON form in the status document."""
        return {"mode": self.mode, "source": self.source,
                "released_at": self.released_at.isoformat() if self.released_at else None,
                "released_by": self.released_by}


def set_mode(ledger: L.Ledger, assignment: str, mode: str) -> None:
    """Record a feedback mode for ``assignment`` that overrides the rubric's."""
    if mode not in FEEDBACK_MODES:
        raise UsageError(f"feedback mode {mode!r} is not one of {', '.join(FEEDBACK_MODES)}")
    ledger.append(L.feedback_events, assignment=assignment, event=f"mode:{mode}", by=actor(),
                  at=L.now_utc().isoformat())


def release(ledger: L.Ledger, assignment: str) -> dt.datetime:
    """Release the held feedback of ``assignment`` now; returns the time recorded."""
    at = L.now_utc()
    ledger.append(L.feedback_events, assignment=assignment, event="release", by=actor(), at=at.isoformat())
    return at


def feedback_state(ledger: L.Ledger, assignment: str, rubric: Rubric) -> FeedbackState:
    """The assignment's mode and release from its rubric and the ledger's events."""
    mode, source, released, by = rubric.feedback, "rubric.yml", None, ""
    for row in ledger.rows(L.feedback_events, assignment=assignment):
        if row.event.startswith("mode:"):
            mode, source, released, by = row.event.partition(":")[2], "command", None, ""
        elif row.event == "release":
            released, by = dt.datetime.fromisoformat(row.at), row.by
    return FeedbackState(mode, source, released, by)
