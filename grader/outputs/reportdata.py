"""The numbers behind the course report: tidy views of one assignment's status document.

Everything is computed from the ``mlip status --json`` document (itself computed from the append-only ledger),
so the report, the status table and the feedback pages can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

COUNTED = ("graded", "late", "error")
"""Statuses of attempts whose verdicts count toward standing (``rejected``: not counted, ``pending``: waiting)."""


@dataclass(frozen=True)
class AssignmentReport:
    """Views of one assignment for TAs: who passes what, over time and per attempt, tokens, lateness, flags."""

    doc: dict
    """The assignment's status document."""

    @property
    def students(self) -> int:
        """Students with at least one attempt (the denominator of every share)."""
        return len(self.doc["students"])

    @property
    def auto_specs(self) -> list[str]:
        """Ids of the automatic specs, in rubric order."""
        kinds = self._kinds
        return [k for k in self.doc["spec_titles"] if kinds.get(k, "auto") == "auto"]

    @cached_property
    def _kinds(self) -> dict[str, str]:
        return {k: v["kind"] for s in self.doc["students"] for k, v in s["specs"].items()}

    @cached_property
    def attempts(self) -> pd.DataFrame:
        """One row per attempt: student, number, time (UTC), status, kind, points, tokens, lateness, flags."""
        rows = []
        for s in self.doc["students"]:
            for a in s["attempts"]:
                rows.append({"student": s["student"], "attempt": a["attempt"],
                             "submitted_at": pd.Timestamp(a["submitted_at"]).tz_convert("UTC"),
                             "status": a["status"], "kind": a.get("kind", ""), "points": a["points"],
                             "tokens_spent": a.get("tokens_spent", 0), "late_days": a.get("late_days", 0),
                             "penalty": a.get("penalty", 0.0), "flags": list(a.get("flags", [])),
                             "note": a.get("note", ""), "reason": a.get("reason", ""),
                             "sandbox": a.get("sandbox"), "specs": dict(a["specs"])})
        cols = ["student", "attempt", "submitted_at", "status", "kind", "points", "tokens_spent", "late_days",
                "penalty", "flags", "note", "reason", "sandbox", "specs"]
        return pd.DataFrame(rows, columns=cols).sort_values(["submitted_at", "student"], ignore_index=True)

    @cached_property
    def pass_over_time(self) -> pd.DataFrame:
        """Share of students whose standing passes each automatic spec, after every counted attempt (by time)."""
        state: dict[str, dict] = {}
        rows = []
        counted = self.attempts[self.attempts["status"].isin(COUNTED) & self.attempts["specs"].map(bool)]
        for row in counted.itertuples():
            state[row.student] = row.specs
            rows.append({"time": row.submitted_at,
                         **{k: sum(bool(v.get(k)) for v in state.values()) / self.students for k in self.auto_specs}})
        frame = pd.DataFrame(rows, columns=["time", *self.auto_specs])
        return frame.groupby("time").last() if len(frame) else frame.set_index("time")

    @cached_property
    def pass_by_attempt(self) -> pd.DataFrame:
        """Per attempt number: how many counted attempts had that number and the share passing each auto spec."""
        counted = self.attempts[self.attempts["status"].isin(COUNTED) & self.attempts["specs"].map(bool)]
        rows = []
        for number, group in counted.groupby("attempt"):
            rows.append({"attempt": number, "attempts": len(group),
                         **{k: group["specs"].map(lambda d, k=k: bool(d.get(k))).mean() for k in self.auto_specs}})
        return pd.DataFrame(rows, columns=["attempt", "attempts", *self.auto_specs]).set_index("attempt")

    @cached_property
    def spec_standing(self) -> pd.DataFrame:
        """Per spec (manual ones too): share of students passing, failing and not decided now; failed most first."""
        rows = []
        for k, title in self.doc["spec_titles"].items():
            verdicts = [s["specs"][k]["passed"] for s in self.doc["students"] if k in s["specs"]]
            n = max(len(verdicts), 1)
            rows.append({"spec": k, "kind": self._kinds.get(k, "auto"), "title": title,
                         "passed": sum(v is True for v in verdicts) / n,
                         "failed": sum(v is False for v in verdicts) / n,
                         "undecided": sum(v is None for v in verdicts) / n, "message": self._message(k)})
        frame = pd.DataFrame(rows, columns=["spec", "kind", "title", "passed", "failed", "undecided", "message"])
        return frame.sort_values(["failed", "undecided"], ascending=False, kind="stable").set_index("spec")

    def _message(self, spec: str) -> str:
        for s in self.doc["students"]:
            for a in s["attempts"]:
                if spec in a.get("messages", {}):
                    return a["messages"][spec]
        return ""

    @cached_property
    def per_student(self) -> pd.DataFrame:
        """One row per student: points, attempts, tokens spent on this assignment, tokens left, flagged."""
        att = self.attempts
        rows = [{"student": s["student"], "points": s["points"], "attempts": len(s["attempts"]),
                 "tokens_spent": int(att.loc[att["student"] == s["student"], "tokens_spent"].sum()),
                 "tokens_left": s["tokens_left"], "flagged": bool(s["flagged"]),
                 "all_passed": all(v["passed"] is True for v in s["specs"].values()),
                 **{k: v["passed"] for k, v in s["specs"].items()}} for s in self.doc["students"]]
        cols = ["student", "points", "attempts", "tokens_spent", "tokens_left", "flagged", "all_passed",
                *self.doc["spec_titles"]]
        return pd.DataFrame(rows, columns=cols).set_index("student")

    @property
    def late(self) -> pd.DataFrame:
        """Late first submissions and redos after the due date, with the tokens they cost."""
        att = self.attempts
        return att[att["kind"].isin(["late", "redo"])].reset_index(drop=True)

    @property
    def flagged(self) -> pd.DataFrame:
        """Attempts the harness flagged (edited or missing test cells, a tampered kernel)."""
        att = self.attempts
        return att[att["flags"].map(bool)].reset_index(drop=True)

    @property
    def attention(self) -> pd.DataFrame:
        """Attempts a TA should look at: errors, rejected or waiting ones, and any graded without a sandbox."""
        att = self.attempts
        return att[att["status"].isin(["error", "rejected", "pending"]) | (att["sandbox"] == "none")].reset_index(
            drop=True)

    def summary(self) -> dict:
        """Headline numbers: students, attempts, mean points, passing every line, tokens, late, counted redos."""
        ps = self.per_student
        return {"students": self.students, "attempts": len(self.attempts),
                "mean_points": float(ps["points"].mean()) if len(ps) else 0.0,
                "max_points": self.doc["max_points"], "all_passed": int(ps["all_passed"].sum()),
                "tokens_spent": int(self.attempts["tokens_spent"].sum()),
                "late": int((self.attempts["kind"] == "late").sum()),
                "redos": int(((self.attempts["kind"] == "redo") & (self.attempts["status"] != "rejected")).sum()),
                "flagged": len(self.flagged), "attention": len(self.attention)}
