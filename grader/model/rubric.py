"""Rubrics: specification lines, each all or nothing, and the policy that prices lateness and redos."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from typing import TYPE_CHECKING

from grader.model.errors import RubricError

if TYPE_CHECKING:  # only for annotations: reading a rubric needs no notebook library (`mlip status` starts fast)
    from grader.model.nbcells import GradedCell

RUBRIC_FILE = "rubric.yml"
ALLOWED_SPEC_KEYS = {"id", "points", "title", "tests", "message", "kind", "cells"}
ALLOWED_TOP_KEYS = {"title", "notebooks", "opens", "due", "final", "policy", "specs", "judge", "equivalent_mutants",
                    "feedback"}
JUDGE_MODES = ("separate", "kernel")
FEEDBACK_MODES = ("immediate", "after_due", "manual")


@dataclass(frozen=True)
class Policy:
    """Course rules for tokens, lateness and redos (defaults are the course's own)."""

    tokens: int = 8
    """Tokens each student has for the whole course."""
    late_day_cost: int = 1
    """Tokens one started late day costs."""
    redo_cost: int = 3
    """Tokens a redo (a resubmission after the due date) costs."""
    late_penalty_per_day: float = 0.15
    """Share of points lost per started late day not covered by tokens."""
    regain_factor: float = 1.0
    """Share of the points regained by a redo that count."""

    @classmethod
    def from_mapping(cls, data: dict | None, *, base: "Policy | None" = None) -> "Policy":
        """Build a policy from a mapping, starting from ``base`` (or the defaults)."""
        base = base or cls()
        data = data or {}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise RubricError(
                f"unknown policy keys {sorted(unknown)}; allowed are {sorted(known)}"
            )
        policy = dataclasses.replace(base, **data)
        if policy.tokens < 0 or policy.late_day_cost < 0 or policy.redo_cost < 0:
            raise RubricError("policy tokens and costs must be zero or more")
        if not 0 <= policy.late_penalty_per_day <= 1 or not 0 <= policy.regain_factor <= 1:
            raise RubricError("late_penalty_per_day and regain_factor must lie between 0 and 1")
        return policy


@dataclass(frozen=True)
class Spec:
    """One specification line: pass/fail, worth ``points`` only if every condition holds."""

    id: str
    """Short slug that names the line in status, marks and exports."""
    points: float
    """Points earned when the line passes."""
    title: str
    """The line as the student reads it."""
    kind: str = "auto"
    """``auto`` (decided by test cells) or ``manual`` (decided by a person with ``mlip mark``)."""
    tests: tuple[str, ...] = ()
    """grade_ids of the autograded test cells that must all pass."""
    message: str = ""
    """What the student reads when the line fails; never the test code."""
    cells: tuple[str, ...] = ()
    """grade_ids of the answer cells a person reads for a manual line."""

    @property
    def is_auto(self) -> bool:
        """Whether test cells decide this line."""
        return self.kind == "auto"


@dataclass(frozen=True)
class Rubric:
    """An assignment's specification lines, its deadlines and its policy."""

    title: str
    specs: tuple[Spec, ...]
    notebooks: tuple[str, ...] = ()
    due: dt.datetime | None = None
    final: dt.datetime | None = None
    policy: Policy = field(default_factory=Policy)
    derived: bool = False
    """True when no rubric.yml existed and the lines were derived from the notebook."""
    judge: str = "separate"
    """Where test cells run: ``separate`` (a judge outside the sandbox; student names reach it as data and
    proxies) or ``kernel`` (in the student's kernel, as nbgrader does, with tamper probes)."""
    opens: dt.datetime | None = None
    """When students get the assignment (default: when it was released); a time factor stretches opens..due."""
    feedback: str = "immediate"
    """When students see verdicts: ``immediate``, ``after_due`` (once the due date has passed) or ``manual``
    (after ``mlip feedback ASSIGNMENT --release``)."""

    @property
    def max_points(self) -> float:
        """Points of all lines together."""
        return float(sum(s.points for s in self.specs))

    @property
    def auto_specs(self) -> tuple[Spec, ...]:
        """Lines decided by test cells."""
        return tuple(s for s in self.specs if s.is_auto)

    @property
    def manual_specs(self) -> tuple[Spec, ...]:
        """Lines decided by a person."""
        return tuple(s for s in self.specs if not s.is_auto)

    def spec(self, spec_id: str) -> Spec:
        """Return the line called ``spec_id`` or raise a clear error."""
        for s in self.specs:
            if s.id == spec_id:
                return s
        raise RubricError(
            f"no spec {spec_id!r} in this rubric; known specs: {', '.join(s.id for s in self.specs)}",
            spec=spec_id,
        )

    def with_dates(self, due: dt.datetime | None = None, final: dt.datetime | None = None) -> "Rubric":
        """Return a copy with the given deadlines overriding the rubric's."""
        return dataclasses.replace(self, due=due or self.due, final=final or self.final)


def parse_time(value, what: str) -> dt.datetime | None:
    """Parse an ISO-8601 time (a datetime from YAML or a string); naive times are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        stamp = dt.datetime.combine(value, dt.time(23, 59))
    else:
        try:
            stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise RubricError(
                f"{what} {value!r} is not an ISO-8601 time; write it like 2026-09-15T23:59:00-04:00"
            ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp


def _spec_from_mapping(raw: dict, index: int) -> Spec:
    if not isinstance(raw, dict):
        raise RubricError(f"spec #{index + 1} is not a mapping; write it as `- id: ...`")
    unknown = set(raw) - ALLOWED_SPEC_KEYS
    sid = raw.get("id")
    if not sid or not isinstance(sid, str):
        raise RubricError(f"spec #{index + 1} has no `id`; give every spec a short slug")
    if unknown:
        raise RubricError(f"spec {sid!r} has unknown keys {sorted(unknown)}", spec=sid)
    kind = raw.get("kind", "auto")
    if kind not in ("auto", "manual"):
        raise RubricError(f"spec {sid!r} has kind {kind!r}; use `auto` or `manual`", spec=sid)
    points = raw.get("points")
    if not isinstance(points, (int, float)) or points < 0:
        raise RubricError(f"spec {sid!r} needs `points`, a number of zero or more", spec=sid)
    tests = tuple(raw.get("tests") or ())
    if kind == "auto" and not tests:
        raise RubricError(
            f"spec {sid!r} is automatic but names no `tests`; list its test cells' grade_ids "
            "or make it `kind: manual`",
            spec=sid,
        )
    if kind == "manual" and tests:
        raise RubricError(f"spec {sid!r} is manual but names `tests`; a person decides it", spec=sid)
    return Spec(
        id=sid,
        points=float(points),
        title=str(raw.get("title") or sid),
        kind=kind,
        tests=tests,
        message=str(raw.get("message") or ""),
        cells=tuple(raw.get("cells") or ()),
    )


def rubric_from_mapping(data: dict, *, where: str = "rubric") -> Rubric:
    """Build a rubric from parsed YAML, with clear errors for every malformed part."""
    if not isinstance(data, dict):
        raise RubricError(f"{where} is not a YAML mapping; start it with `title:` and `specs:`")
    unknown = set(data) - ALLOWED_TOP_KEYS
    if unknown:
        raise RubricError(f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(ALLOWED_TOP_KEYS)}")
    raw_specs = data.get("specs")
    if not raw_specs or not isinstance(raw_specs, list):
        raise RubricError(f"{where} has no `specs` list; add at least one spec")
    specs = tuple(_spec_from_mapping(raw, i) for i, raw in enumerate(raw_specs))
    seen: set[str] = set()
    for s in specs:
        if s.id in seen:
            raise RubricError(f"spec id {s.id!r} appears twice in {where}; ids must be unique", spec=s.id)
        seen.add(s.id)
    rubric = Rubric(
        title=str(data.get("title") or "untitled assignment"),
        specs=specs,
        notebooks=tuple(data.get("notebooks") or ()),
        due=parse_time(data.get("due"), "due"),
        final=parse_time(data.get("final"), "final"),
        policy=Policy.from_mapping(data.get("policy")),
        judge=str(data.get("judge") or "separate"),
        opens=parse_time(data.get("opens"), "opens"),
        feedback=str(data.get("feedback") or "immediate"),
    )
    if rubric.feedback not in FEEDBACK_MODES:
        raise RubricError(f"{where}: `feedback: {rubric.feedback}` is not a mode; use immediate, after_due or manual")
    if rubric.judge not in JUDGE_MODES:
        raise RubricError(f"{where}: `judge: {rubric.judge}` is not a mode; use separate or kernel")
    if rubric.due and rubric.final and rubric.final < rubric.due:
        raise RubricError(f"{where}: `final` ({rubric.final}) is before `due` ({rubric.due})")
    return rubric


def load_rubric(path: Path) -> Rubric:
    """Read ``rubric.yml`` at ``path``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise RubricError(f"{path} is not valid YAML{at}; fix the syntax and run again") from None
    return rubric_from_mapping(data, where=str(path))


def _unknown_cell_hint(gid: str, cells: list[GradedCell]) -> str:
    """Why a name in a rubric matches no cell key: it may be a grade_id that repeats across notebooks."""
    where = [c.key for c in cells if c.grade_id == gid and c.key != gid]
    if where:
        return f" (grade_id {gid!r} is in more than one notebook: name it as {' or '.join(where)})"
    return ""


def validate_against(rubric: Rubric, cells: list[GradedCell]) -> None:
    """Check that every autograded test cell belongs to exactly one spec and every named cell exists.

    Specs name cells by key (`nbcells.CellKeys`): the grade_id, or ``notebook.ipynb:grade_id`` when the
    grade_id appears in more than one notebook of the assignment.
    """
    tests = {(c.key or c.grade_id): c for c in cells if c.is_test}
    answers = {(c.key or c.grade_id): c for c in cells if c.is_manual_answer}
    owner: dict[str, str] = {}
    for spec in rubric.specs:
        for gid in spec.tests:
            if gid not in tests:
                hint = " (it is an answer cell, not a test cell)" if gid in answers else _unknown_cell_hint(gid, cells)
                raise RubricError(
                    f"spec {spec.id!r} names test cell {gid!r}, which no notebook has{hint}; "
                    f"test cells are: {', '.join(sorted(tests)) or 'none'}",
                    spec=spec.id,
                    grade_id=gid,
                )
            if gid in owner:
                raise RubricError(
                    f"test cell {gid!r} belongs to both {owner[gid]!r} and {spec.id!r}; "
                    "give every test cell to exactly one spec",
                    spec=spec.id,
                    grade_id=gid,
                )
            owner[gid] = spec.id
        for gid in spec.cells:
            if gid not in answers and gid not in tests:
                raise RubricError(
                    f"manual spec {spec.id!r} names cell {gid!r}, which no notebook has"
                    + _unknown_cell_hint(gid, cells),
                    spec=spec.id,
                    grade_id=gid,
                )
    orphans = sorted(set(tests) - set(owner))
    if orphans:
        raise RubricError(
            f"test cell(s) {', '.join(orphans)} belong to no spec; add them to a spec's `tests`",
            grade_id=orphans[0],
        )


def draft_rubric(cells: list[GradedCell], *, title: str) -> Rubric:
    """Derive a starting rubric: one automatic spec per test cell, one manual spec per answer cell.

    Each spec is named by its cell's key (`nbcells.CellKeys`), so ids stay unique when grade_ids repeat
    across notebooks.
    """
    specs = []
    for c in cells:
        key = c.key or c.grade_id
        if c.is_test:
            specs.append(Spec(id=key, points=c.points, title=c.title, tests=(key,),
                              message=f"The checks in cell {key!r} did not pass."))
        elif c.is_manual_answer:
            specs.append(Spec(id=key, points=c.points, title=c.title, kind="manual", cells=(key,)))
    if not specs:
        raise RubricError("the notebooks have no graded cells, so no rubric can be derived")
    # a derived rubric belongs to an adopted nbgrader course: its tests may read globals, so they run as nbgrader
    # runs them, in the student's kernel
    return Rubric(title=title, specs=tuple(specs), derived=True, judge="kernel")


def rubric_to_yaml(rubric: Rubric) -> str:
    """Write a rubric as plain YAML that `load_rubric` reads back."""
    out: dict = {"title": rubric.title}
    if rubric.notebooks:
        out["notebooks"] = list(rubric.notebooks)
    for key in ("opens", "due", "final"):
        if getattr(rubric, key):
            out[key] = getattr(rubric, key).isoformat()
    out["policy"] = dataclasses.asdict(rubric.policy)
    out["judge"] = rubric.judge
    if rubric.feedback != "immediate":
        out["feedback"] = rubric.feedback
    specs = []
    for s in rubric.specs:
        item = {"id": s.id, "points": s.points, "title": s.title}
        if s.is_auto:
            item["tests"] = list(s.tests)
            item["message"] = s.message
        else:
            item["kind"] = "manual"
            if s.cells:
                item["cells"] = list(s.cells)
        specs.append(item)
    out["specs"] = specs
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
