"""The resubmission policy: from the append-only attempts to tokens spent, lateness and what counts."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from grader.records.ledger import Attempt
from grader.model.rubric import Rubric

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class AttemptTerms:
    """How the policy treats one attempt."""

    attempt_id: int
    kind: str
    """``first``, ``resubmission`` (free: before the due date or within paid late days), ``late`` or ``redo``."""
    counted: bool
    """Whether the attempt can replace the student's standing."""
    late_days: int = 0
    """Started days after the due date (for a late first submission)."""
    tokens_spent: int = 0
    penalty: float = 0.0
    """Share of points lost for late days no token covered."""
    note: str = ""


def started_days(after: dt.timedelta) -> int:
    """Days begun after a deadline: one second late is one day."""
    return max(0, math.ceil(after / DAY))


def apply_policy(attempts: list[Attempt], rubrics: dict[str, Rubric], tokens: int) -> tuple[dict[int, AttemptTerms], int]:
    """Walk one student's attempts (all assignments) in time order; return terms per attempt and tokens left."""
    left = tokens
    counted_before: dict[str, bool] = {}
    paid_until: dict[str, dt.datetime] = {}
    terms: dict[int, AttemptTerms] = {}
    for a in sorted(attempts, key=lambda x: (x.submitted_at, x.id)):
        rubric = rubrics.get(a.assignment)
        if rubric is None:
            continue
        p, t, due = rubric.policy, a.submitted_at, rubric.due
        seen = counted_before.get(a.assignment, False)
        if a.intake_status == "rejected":
            terms[a.id] = AttemptTerms(a.id, "first" if not seen else "resubmission", False, note=a.reason)
            continue
        if rubric.final and t > rubric.final:
            terms[a.id] = AttemptTerms(a.id, "redo", False, note="submitted after the final deadline")
            continue
        if due is None or t <= due:
            terms[a.id] = AttemptTerms(a.id, "resubmission" if seen else "first", True)
        elif a.assignment in paid_until and t <= paid_until[a.assignment]:
            terms[a.id] = AttemptTerms(a.id, "resubmission", True, note="within late days already paid")
        elif not seen:
            days = started_days(t - due)
            covered = days if p.late_day_cost == 0 else min(days, left // p.late_day_cost)
            spent = covered * p.late_day_cost
            left -= spent
            uncovered = days - covered
            penalty = min(1.0, uncovered * p.late_penalty_per_day)
            paid_until[a.assignment] = due + covered * DAY
            note = f"{days} late day(s): {covered} paid with {spent} token(s)"
            if uncovered:
                note += f", {uncovered} unpaid: -{penalty:.0%} of the points"
            terms[a.id] = AttemptTerms(a.id, "late", True, days, spent, penalty, note)
        elif left >= p.redo_cost:
            left -= p.redo_cost
            note = f"redo after the due date: {p.redo_cost} token(s)"
            if p.regain_factor < 1:
                note += f"; {p.regain_factor:.0%} of regained points count"
            terms[a.id] = AttemptTerms(a.id, "redo", True, tokens_spent=p.redo_cost, note=note)
        else:
            terms[a.id] = AttemptTerms(
                a.id, "redo", False,
                note=f"a redo after the due date costs {p.redo_cost} tokens and only {left} are left; not counted")
        if terms[a.id].counted:
            counted_before[a.assignment] = True
    return terms, left


def chain_points(steps: list[tuple[AttemptTerms, float]], regain_factor: float) -> float | None:
    """Standing points after a sequence of counted, graded attempts: each replaces the one before."""
    standing = None
    for terms, raw in steps:
        effective = raw * (1 - terms.penalty)
        if terms.kind == "redo" and standing is not None and effective > standing:
            standing = standing + regain_factor * (effective - standing)
        else:
            standing = effective
    return None if standing is None else round(standing, 2)
