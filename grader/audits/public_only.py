"""Audit: the public fixtures' answers alone, which every student holds, earn nothing."""
from __future__ import annotations

from grader.audits.findings import Finding
from grader.sandbox import ChildCase, Outcome


class PublicAnswers:
    """Stands in for a sandbox: a submission that answers every public case with its stored expected
    value (as copying the fixtures would) and raises on every other case."""

    level = "in-process (generated answers)"
    level_description = "no code runs: answers come from the public fixtures"

    def __init__(self, answers: dict):
        self.answers = answers

    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> list[Outcome]:
        return [Outcome(c.name, "ok", self.answers[c.name]) if c.name in self.answers
                else Outcome(c.name, "error", error_type="NotImplementedError", message="only the public answers are known")
                for c in cases]


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
    return [Finding("public_only", assignment.slug, "public answers, raises elsewhere", f"{worst:g}/{assignment.max_points:g}", problem)]
