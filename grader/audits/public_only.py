"""Audit: the public fixtures' answers alone, which every student holds, earn nothing."""
from __future__ import annotations

from grader.audits.findings import Finding
from grader.sandbox import ChildCase, Outcome
from grader.sandbox.channel import decode


class PublicAnswers:
    """Stands in for a sandbox: a submission that answers every public case with its stored expected
    value (as copying the fixtures would) and raises on every other case."""

    level = "in-process (generated answers)"
    level_description = "no code runs: answers come from the public fixtures"

    def __init__(self, answers: dict):
        self.answers = answers

    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> list[Outcome]:
        return [Outcome(c.name, "ok", self.answers[c.name], inputs=_untouched(c)) if c.name in self.answers
                else Outcome(c.name, "error", error_type="NotImplementedError", message="only the public answers are known")
                for c in cases]


def _untouched(case: ChildCase) -> list:
    """The case's inputs as a run that leaves them alone sends them back."""
    return [decode(case.probe.get("args") or []), decode(case.probe.get("kwargs") or {"__dict__": {}})]


def audit(grader, students: list[str]) -> list[Finding]:
    """Grade the copied public answers for a few students: 0 points, or the audit fails."""
    assignment = grader.assignment
    worst, paying = 0.0, set()
    for student in students:
        answers = {p.spec.name: p.expected for p in grader.prepare(student) if p.spec.public}
        result = grader.grade(PublicAnswers(answers), student, "", "<public answers>")
        worst = max(worst, result.points)
        paying.update(c.name for c in result.cases if c.points > 0)
    problem = f"earns points on {', '.join(sorted(paying))}" if paying else ""
    return [Finding("public_only", assignment.slug, "public answers, raises elsewhere", f"{worst:g}/{assignment.max_points:g}", problem),
            *unbacked(assignment.slug, grader.prepare(students[0]))]


def unbacked(slug: str, prepared) -> list[Finding]:
    """Public cases calling a function no hidden answer case calls: their points could never count."""
    backed = set().union(*(p.probe.entry_points() for p in prepared if not p.spec.public and p.spec.kind == "answer"))
    out = []
    for p in prepared:
        missing = sorted(p.probe.entry_points() - backed) if p.spec.public else []
        if missing:
            names = ", ".join(f"{f}()" for f in missing)
            out.append(Finding("public_only", slug, f"public case {p.spec.name}", "-",
                               f"calls {names}, which no hidden answer case calls: its points can never count"))
    return out
