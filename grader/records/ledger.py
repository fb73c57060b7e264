"""The append-only ledger: attempts, their grading results and manual marks (SQLite or PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from grader.model.errors import MlipError

metadata = sa.MetaData()

attempts = sa.Table(
    "mlip_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("submitted_at", sa.String(40), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("origin", sa.String(40), nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("intake_status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.UniqueConstraint("assignment", "student", "sha256", name="uq_attempt_content"),
    sa.UniqueConstraint("assignment", "student", "number", name="uq_attempt_number"),
)

results = sa.Table(
    "mlip_results", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("mlip_attempts.id"), nullable=False, unique=True),
    sa.Column("graded_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("specs", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),
    sa.Column("flags", sa.Text, nullable=False, default="[]"),
    sa.Column("sandbox", sa.String(40), nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)

marks = sa.Table(
    "mlip_marks", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("spec", sa.String(200), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("attempt", sa.Integer, nullable=True),
    sa.Column("marked_at", sa.String(40), nullable=False),
)

# Running the term (records/extensions, records/roster, records/release): appended, never updated; the latest row
# of a kind counts. New tables only, so `create_all` adds them to an existing ledger on SQLite and PostgreSQL alike.
extensions = sa.Table(
    "mlip_extensions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("days", sa.Integer, nullable=True),
    sa.Column("due", sa.String(40), nullable=True),
    sa.Column("final", sa.String(40), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("granted_by", sa.String(200), nullable=False),
    sa.Column("granted_at", sa.String(40), nullable=False),
)

accommodations = sa.Table(
    "mlip_accommodations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("time_factor", sa.Float, nullable=True),
    sa.Column("extra_tokens", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("granted_by", sa.String(200), nullable=False),
    sa.Column("granted_at", sa.String(40), nullable=False),
)

roster = sa.Table(
    "mlip_roster", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch", sa.Integer, nullable=False),
    sa.Column("student", sa.String(200), nullable=False),
    sa.Column("name", sa.String(400), nullable=False, default=""),
    sa.Column("email", sa.String(400), nullable=False, default=""),
    sa.Column("section", sa.String(200), nullable=False, default=""),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("imported_by", sa.String(200), nullable=False),
    sa.Column("imported_at", sa.String(40), nullable=False),
)

feedback_events = sa.Table(
    "mlip_feedback_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)


def now_utc() -> dt.datetime:
    """The current time in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Attempt:
    """One submission as taken in; never changed afterwards."""

    id: int
    assignment: str
    student: str
    number: int
    """1 for the first submission of this assignment by this student, then 2, 3, ..."""
    sha256: str
    submitted_at: dt.datetime
    received_at: dt.datetime
    origin: str
    files: tuple[str, ...]
    intake_status: str
    """``pending`` (to be graded) or ``rejected`` (could not be taken in; see ``reason``)."""
    reason: str


@dataclass(frozen=True)
class Result:
    """The grading of one attempt: spec verdicts and per-cell outcomes, written once."""

    attempt_id: int
    graded_at: dt.datetime
    status: str
    """``graded`` or ``error`` (the notebook could not run to the end)."""
    reason: str
    specs: dict
    """spec id -> bool, automatic specs only."""
    cells: dict
    """grade_id -> outcome string (``passed``, ``failed: ...``, ``not run``)."""
    flags: tuple[str, ...]
    sandbox: str
    seconds: float
    judge: str = "kernel"
    """Where the test cells ran: ``separate`` (the judge) or ``kernel``; stored with the sandbox as
    ``bwrap|separate`` (results recorded before the judge existed read as ``kernel``)."""


@dataclass(frozen=True)
class Mark:
    """A person's verdict on a manual spec; the latest mark for a spec counts."""

    assignment: str
    student: str
    spec: str
    passed: bool
    comment: str
    attempt: int | None
    marked_at: dt.datetime


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3, the driver the kit installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Ledger:
    """Reads and appends rows; only the coordinating process ever writes."""

    def __init__(self, url: str):
        url = normalise_url(url)
        self.url = url
        kwargs = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}
        self.engine = sa.create_engine(url, future=True, **kwargs)
        try:
            metadata.create_all(self.engine)
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
            raise MlipError(f"cannot open the ledger at {sa.engine.make_url(url).render_as_string()} "
                            f"({reason}); check --db-url or start the database") from None

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def add_attempt(self, *, assignment: str, student: str, sha256: str, submitted_at: dt.datetime,
                    origin: str, files: list[str], intake_status: str = "pending",
                    reason: str = "") -> tuple[Attempt, bool]:
        """Append an attempt unless the same content was already taken in; returns (attempt, is_new)."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(attempts).where(
                attempts.c.assignment == assignment, attempts.c.student == student,
                attempts.c.sha256 == sha256)).first()
            if row is not None:
                return self._attempt(row), False
            number = conn.execute(sa.select(sa.func.coalesce(sa.func.max(attempts.c.number), 0)).where(
                attempts.c.assignment == assignment, attempts.c.student == student)).scalar_one() + 1
            res = conn.execute(attempts.insert().values(
                assignment=assignment, student=student, number=number, sha256=sha256,
                submitted_at=submitted_at.isoformat(), received_at=now_utc().isoformat(), origin=origin,
                files=json.dumps(files), intake_status=intake_status, reason=reason))
            row = conn.execute(sa.select(attempts).where(attempts.c.id == res.inserted_primary_key[0])).one()
            return self._attempt(row), True

    def add_result(self, result: Result) -> bool:
        """Record an attempt's grading once; a second result for the same attempt is ignored."""
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(results.c.id).where(results.c.attempt_id == result.attempt_id)).first()
            if exists:
                return False
            conn.execute(results.insert().values(
                attempt_id=result.attempt_id, graded_at=result.graded_at.isoformat(), status=result.status,
                reason=result.reason, specs=json.dumps(result.specs), cells=json.dumps(result.cells),
                flags=json.dumps(list(result.flags)), sandbox=f"{result.sandbox}|{result.judge}",
                seconds=result.seconds))
            return True

    def add_mark(self, mark: Mark) -> None:
        """Append a manual mark."""
        with self.engine.begin() as conn:
            conn.execute(marks.insert().values(
                assignment=mark.assignment, student=mark.student, spec=mark.spec, passed=mark.passed,
                comment=mark.comment, attempt=mark.attempt, marked_at=mark.marked_at.isoformat()))

    def attempts(self, assignment: str | None = None, student: str | None = None) -> list[Attempt]:
        """Attempts in the order they were submitted."""
        q = sa.select(attempts)
        if assignment:
            q = q.where(attempts.c.assignment == assignment)
        if student:
            q = q.where(attempts.c.student == student)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(attempts.c.submitted_at, attempts.c.id)).all()
        return [self._attempt(r) for r in rows]

    def results(self, assignment: str | None = None) -> dict[int, Result]:
        """Results keyed by attempt id."""
        q = sa.select(results).join(attempts, attempts.c.id == results.c.attempt_id)
        if assignment:
            q = q.where(attempts.c.assignment == assignment)
        with self.engine.connect() as conn:
            rows = conn.execute(q.with_only_columns(*results.c)).all()
        return {r.attempt_id: Result(
            attempt_id=r.attempt_id, graded_at=_t(r.graded_at), status=r.status, reason=r.reason,
            specs=json.loads(r.specs), cells=json.loads(r.cells), flags=tuple(json.loads(r.flags)),
            sandbox=r.sandbox.partition("|")[0], judge=r.sandbox.partition("|")[2] or "kernel",
            seconds=r.seconds) for r in rows}

    def pending(self, assignment: str | None = None) -> list[Attempt]:
        """Attempts taken in but not graded yet, oldest first."""
        graded = set(self.results(assignment))
        return [a for a in self.attempts(assignment) if a.intake_status == "pending" and a.id not in graded]

    def marks(self, assignment: str, student: str | None = None) -> list[Mark]:
        """Manual marks in the order they were given."""
        q = sa.select(marks).where(marks.c.assignment == assignment)
        if student:
            q = q.where(marks.c.student == student)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(marks.c.id)).all()
        return [Mark(r.assignment, r.student, r.spec, bool(r.passed), r.comment, r.attempt, _t(r.marked_at))
                for r in rows]

    def append(self, table: sa.Table, **values) -> None:
        """Append one row to one of the term's tables (extensions, accommodations, roster, feedback events)."""
        with self.engine.begin() as conn:
            conn.execute(table.insert().values(**values))

    def rows(self, table: sa.Table, **where) -> list:
        """Rows of one of the term's tables in the order they were appended, filtered by equal columns."""
        q = sa.select(table).order_by(table.c.id)
        for column, value in where.items():
            q = q.where(table.c[column] == value)
        with self.engine.connect() as conn:
            return list(conn.execute(q).all())

    @staticmethod
    def _attempt(r) -> Attempt:
        return Attempt(id=r.id, assignment=r.assignment, student=r.student, number=r.number, sha256=r.sha256,
                       submitted_at=_t(r.submitted_at), received_at=_t(r.received_at), origin=r.origin,
                       files=tuple(json.loads(r.files)), intake_status=r.intake_status, reason=r.reason)
