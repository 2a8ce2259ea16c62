"""Audit: a catalogued mistake costs every student the same (its score range over many ids is narrow)."""
from __future__ import annotations

from grader.audits.findings import Finding

SPREAD_POINTS = 1.0
SPREAD_SHARE = 0.05


def allowed_spread(max_points: float) -> float:
    """How far one mistake's scores may spread across students: 1 point or 5 %, whichever is larger."""
    return max(SPREAD_POINTS, SPREAD_SHARE * max_points)


class Ranges:
    """Each mistake's lowest and highest score over the students graded so far."""

    def __init__(self, slug: str, max_points: float):
        self.slug, self.max_points = slug, max_points
        self.scores: dict[str, dict[str, float]] = {}

    def add(self, mistake: str, result) -> None:
        self.scores.setdefault(mistake, {})[result.student] = result.points

    def findings(self) -> list[Finding]:
        out = []
        limit = allowed_spread(self.max_points)
        for mistake, by_student in self.scores.items():
            low, high = min(by_student.values()), max(by_student.values())
            score = f"{low:g}/{self.max_points:g}" if low == high else f"{low:g}-{high:g}/{self.max_points:g}"
            problem = ""
            if high - low > limit + 1e-9:
                lo = min(by_student, key=by_student.get)
                hi = max(by_student, key=by_student.get)
                problem = (f"the same code scores {low:g} ({lo}) to {high:g} ({hi}) over {len(by_student)} students "
                           f"(at most {limit:g} apart)")
            elif high >= self.max_points - 1e-9:
                problem = f"earns full marks for some students ({len(by_student)} graded)"
            out.append(Finding("fairness", self.slug, mistake, score, problem))
        return out
