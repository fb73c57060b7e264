"""One error hierarchy for the harness; every message says what was wrong and what to do."""
from __future__ import annotations


class MlipError(Exception):
    """Root of every error the harness raises on purpose; the CLI prints it as one line and exits 1."""


class UsageError(MlipError):
    """The command was called wrongly (exit code 2)."""


class CourseError(MlipError):
    """The course folder is missing, not initialised, or locked by another run."""


class AssignmentNotFound(MlipError):
    """No assignment of that name exists where the harness looked."""

    def __init__(self, name: str, looked_in: list[str]):
        self.name = name
        self.looked_in = looked_in
        known = ", ".join(looked_in) or "nowhere"
        super().__init__(
            f"no assignment named {name!r} (looked in {known}); check the name with `ls source/`"
        )


class RubricError(MlipError):
    """The rubric is malformed or disagrees with the assignment's notebooks."""

    def __init__(self, message: str, *, spec: str | None = None, grade_id: str | None = None):
        self.spec = spec
        self.grade_id = grade_id
        super().__init__(message)


class SubmissionError(MlipError):
    """A submission cannot be taken in (unreadable, empty, wrong assignment, unsafe archive)."""

    def __init__(self, message: str, *, student: str | None = None):
        self.student = student
        super().__init__(message)


class CourseLocked(CourseError):
    """Another `mlip grade` holds the course's lock."""

    def __init__(self, holder: str):
        self.holder = holder
        super().__init__(
            f"another mlip grade is running on this course ({holder}); wait for it to finish and run again"
        )
