"""The grader's single error hierarchy; the CLI turns each into a message and an exit code."""
from __future__ import annotations


class GraderError(Exception):
    """Base of every error the grader raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class UsageError(GraderError):
    """The command line asks for something that cannot be done (unknown slug, missing folder)."""


class SpecError(GraderError):
    """An assignment manifest, case module or solution is malformed."""


class FixtureError(GraderError):
    """Committed public fixtures are missing, unreadable or out of date."""


class SubmissionError(GraderError):
    """A submission cannot be read (bad encoding, corrupt notebook). Costs only that submission."""


class SandboxError(GraderError):
    """The sandbox itself failed (could not start its worker). Not a student's fault."""

    exit_code = 3


class ChannelError(GraderError):
    """A child sent data that is not valid plain data (wrong dtype, too big, malformed)."""
