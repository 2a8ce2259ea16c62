"""Audits of the graders themselves: no free points, no lost points for correct code, one price per mistake."""
from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from grader.audits import fairness, public_only, rewrites, trivial
from grader.audits.findings import Finding
from grader.audits.inprocess import grade_source, scores_only

STUDENTS = 20  # ids each correct implementation is graded for in `grader validate`
THOROUGH_STUDENTS = 1000  # ... and with --thorough
MISTAKE_STUDENTS = 5  # ids each catalogued mistake is graded for
THOROUGH_MISTAKE_STUDENTS = 20  # ... and with more than STUDENTS ids (--thorough)
TRIVIAL_STUDENTS = 3  # ids each do-nothing and copied-public answer is graded for

__all__ = ["Finding", "audit_assignment", "audit_slug", "collect", "mistake_source", "render", "STUDENTS", "THOROUGH_STUDENTS"]


def mistake_source(reference: str, mistake) -> str:
    """A catalogued mistake as a submission: the reference with the mistake's functions replacing its own."""
    return f"{reference}\n\n# --- mistake {mistake.id} ---\n{mistake.source}"


def audit_assignment(grader, students: int = STUDENTS, mistake_students: int = MISTAKE_STUDENTS) -> list[Finding]:
    """Run the four audits on one assignment (graded in this process: the code is the course's own)."""
    assignment = grader.assignment
    fast = scores_only(grader)
    reference = assignment.solution_path.read_text(encoding="utf-8")
    implementations = {"reference": reference, **rewrites.rewrites(assignment)}
    mistakes = {m.id: mistake_source(reference, m) for m in grader.catalogue.values()}
    tally = rewrites.Tally(assignment.slug, assignment.max_points)
    ranges = fairness.Ranges(assignment.slug, assignment.max_points)
    ids = [f"audit-{i:04d}" for i in range(max(students, mistake_students, TRIVIAL_STUDENTS))]
    for i, student in enumerate(ids):
        if i < students:
            for name, source in implementations.items():
                tally.add(name, grade_source(fast, student, source, f"<{name} {assignment.slug}>"))
        if i < mistake_students:
            for mid, source in mistakes.items():
                ranges.add(mid, grade_source(fast, student, source, f"<mistake {mid}>"))
    few = ids[:TRIVIAL_STUDENTS]
    return (trivial.audit(fast, grade_source, few) + public_only.audit(fast, few)
            + tally.findings(list(implementations)) + ranges.findings())


def render(findings: list[Finding]) -> str:
    """One table: audit, assignment, subject, score, and the problem when a guarantee fails."""
    if not findings:
        return ""
    w = [max(len(getattr(f, k)) for f in findings) for k in ("audit", "slug", "subject", "score")]
    w = [max(x, len(h)) for x, h in zip(w, ("audit", "assignment", "subject", "score"))]
    lines = [f"{'audit':<{w[0]}}  {'assignment':<{w[1]}}  {'subject':<{w[2]}}  {'score':<{w[3]}}  result"]
    for f in findings:
        lines.append(f"{f.audit:<{w[0]}}  {f.slug:<{w[1]}}  {f.subject:<{w[2]}}  {f.score:<{w[3]}}  "
                     + ("ok" if f.ok else f"FAIL: {f.problem}"))
    return "\n".join(lines)


AUDIT_SECRET = "validate-audit-secret"


def mistake_students(students: int) -> int:
    """Ids each catalogued mistake is graded for when correct implementations get ``students``."""
    return min(students, MISTAKE_STUDENTS if students <= STUDENTS else THOROUGH_MISTAKE_STUDENTS)


def audit_slug(root: str, slug: str, students: int) -> list[Finding]:
    """One assignment's audits, from its course folder (what a worker process runs)."""
    from grader.grading import AssignmentGrader, silenced
    from grader.spec import Course

    from grader.errors import GraderError

    try:
        assignment = Course(Path(root)).assignment(slug)
        with silenced():
            return audit_assignment(AssignmentGrader.with_solutions(assignment, secret=AUDIT_SECRET), students,
                                    mistake_students(students))
    except GraderError as exc:  # a broken generator or reference: a row of the table, not a traceback
        return [Finding("all", slug, "audits", "-", f"could not run: {exc}")]


def collect(pending: list[Future]) -> list[Finding]:
    """The findings of every started audit (futures of :func:`audit_slug`), in the order they were started."""
    return [finding for future in pending for finding in future.result()]
