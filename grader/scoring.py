"""Turn sandbox outcomes and check verdicts into case and assignment results."""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from grader.checks.verdict import SLIPS

STATUSES = {
    "passed": "passed",
    "unconfirmed": "correct, points held until a hidden case confirms it",
    "partial": "partial credit",
    "failed": "wrong answer",
    "error": "raised an error",
    "not_implemented": "not implemented yet",
    "timeout": "time limit exceeded",
    "crashed": "crashed",
    "no_submission": "no submission",
    "invalid_submission": "submission could not be read",
}


@dataclass(frozen=True)
class CaseResult:
    """One graded case: points earned, a status, a one-line reason and optional detail lines."""

    name: str
    part: str
    visibility: str
    points: float
    max_points: float
    status: str
    feedback: str
    details: tuple[str, ...] = ()
    diagnosis: str = ""  # id of the diagnosed mistake or numeric signature
    hint: str = ""  # the full sentence the student reads
    diagnosis_name: str = ""  # the misconception's short name (for class summaries)
    seconds: float = 0.0
    located: str = ""  # the student functions the feedback points at (localisation), comma-separated

    def to_json(self) -> dict:
        # every field is a str, float or tuple of str: a shallow copy is asdict's deep one, ten times faster
        data = {f.name: getattr(self, f.name) for f in _CASE_FIELDS}
        data["details"] = list(self.details)
        return data


_CASE_FIELDS = fields(CaseResult)


@dataclass(frozen=True)
class AssignmentResult:
    """All cases of one assignment for one student."""

    student: str
    slug: str
    title: str
    cases: tuple[CaseResult, ...]
    max_points: float
    status: str = "graded"  # graded | no_submission | invalid_submission
    message: str = ""
    isolation: str = ""
    submission: str = ""  # file graded
    digest: str = ""  # of the graded source and the grading settings
    skipped: tuple[str, ...] = ()  # notebook code not run
    extra: dict = field(default_factory=dict)

    @property
    def points(self) -> float:
        return round(sum(c.points for c in self.cases), 6)

    @property
    def passed(self) -> bool:
        return all(c.status == "passed" for c in self.cases)

    def to_json(self) -> dict:
        return {
            "student": self.student, "assignment": self.slug, "title": self.title,
            "points": self.points, "max_points": self.max_points, "status": self.status,
            "message": self.message, "isolation": self.isolation, "submission": self.submission,
            "digest": self.digest, "skipped": list(self.skipped),
            "cases": [c.to_json() for c in self.cases],
        }

    @classmethod
    def from_json(cls, data: dict) -> "AssignmentResult":
        cases = tuple(CaseResult(**{**c, "details": tuple(c.get("details", ()))}) for c in data["cases"])
        return cls(
            student=data["student"], slug=data["assignment"], title=data.get("title", ""), cases=cases,
            max_points=data["max_points"], status=data.get("status", "graded"), message=data.get("message", ""),
            isolation=data.get("isolation", ""), submission=data.get("submission", ""),
            digest=data.get("digest", ""), skipped=tuple(data.get("skipped", ())),
        )


def earned(points: float, fraction: float) -> float:
    """Points for a fraction of credit, rounded to avoid 0.30000000000000004 in gradebooks; NaN earns 0."""
    if not fraction >= 0.0:  # NaN: min(1.0, nan) is 1.0, which would give full marks
        return 0.0
    return round(points * min(1.0, fraction), 4)


def status_for(fraction: float) -> str:
    """passed / partial / failed from a credit fraction."""
    if fraction >= 1.0:
        return "passed"
    return "partial" if fraction > 0 else "failed"


def whole_assignment(student: str, assignment, specs, status: str, message: str, submission: str = "") -> AssignmentResult:
    """Every case in ``specs`` at zero with the same reason (no submission, unreadable file, syntax error)."""
    cases = tuple(CaseResult(c.name, c.part, c.visibility, 0.0, c.points, status, message) for c in specs)
    return AssignmentResult(student, assignment.slug, assignment.title, cases, sum(c.points for c in specs),
                            status=status, message=message, submission=submission)


HELD = ("correct, but a public case's points count only once a hidden case of {names} passes too "
        "(the public cases are your feedback; the hidden ones are the evidence)")


def settle(results: tuple[CaseResult, ...], calls: dict[str, frozenset[str]], validation: frozenset[str] | set[str] = frozenset()) -> tuple[CaseResult, ...]:
    """The last word on points once every case is evaluated.

    ``calls`` maps each case to the student functions it calls. A passed public case earns its
    points only when every function it calls also earned points on a hidden case that calls it:
    the public answers are in every student's hands, so they alone are no evidence; nor are the
    ``validation`` cases (rejecting bad input is no evidence of computing anything). (When no hidden
    case was graded, as in a student's local check, public cases keep their points.) A dtype-only
    or precision slip is explained in full once per function; later cases with the same slip say so in a word.
    """
    graded_hidden = [c for c in results if c.visibility != "public"]
    if graded_hidden:
        evidence = set().union(*(calls.get(c.name, frozenset()) for c in graded_hidden
                                 if c.points > 0 and c.name not in validation))
        results = tuple(_hold(c, calls.get(c.name, frozenset()) - evidence) if c.visibility == "public" else c
                        for c in results)
    named: dict[str, str] = {}
    out = []
    for case in results:
        slip = next((s for s in SLIPS if case.feedback.startswith(s)), None)
        if slip is not None:
            functions = sorted(calls.get(case.name, frozenset())) or [case.name]
            first = next((named[f] for f in functions if f in named), None)
            if first is None:
                named.update({f: case.name for f in functions})
            else:
                case = replace(case, feedback=f"{slip} (the same slip as in case {first}: half credit)", details=())
        out.append(case)
    return tuple(out)


def _hold(case: CaseResult, unconfirmed: frozenset[str] | set[str]) -> CaseResult:
    if not unconfirmed or case.points <= 0:
        return case
    names = ", ".join(f"{f}()" for f in sorted(unconfirmed))
    return replace(case, points=0.0, status="unconfirmed", feedback=HELD.format(names=names))
