"""Audit: the reference and independent correct rewrites earn full marks for every student id."""
from __future__ import annotations

from pathlib import Path

from grader.audits.findings import Finding

MIN_REWRITES = 2


def rewrites(assignment) -> dict[str, str]:
    """name -> source of each correct rewrite: solutions/variants/<slug>/*.py, each replacing
    functions of the reference with another correct way to compute them."""
    folder: Path = assignment.course.solutions_dir / "variants" / assignment.slug
    reference = assignment.solution_path.read_text(encoding="utf-8")
    found = {}
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        found[path.stem] = f"{reference}\n\n# --- correct rewrite {path.stem} ---\n{path.read_text(encoding='utf-8')}"
    return found


class Tally:
    """Full marks counted per implementation over many students; the first shortfall kept as an example."""

    def __init__(self, slug: str, max_points: float):
        self.slug, self.max_points = slug, max_points
        self.graded: dict[str, int] = {}
        self.short: dict[str, list] = {}

    def add(self, name: str, result) -> None:
        self.graded[name] = self.graded.get(name, 0) + 1
        if result.points < self.max_points - 1e-9:
            lost = [f"{c.name} ({c.feedback[:120]})" for c in result.cases if c.points < c.max_points]
            self.short.setdefault(name, []).append((result.student, result.points, lost))

    def findings(self, names: list[str]) -> list[Finding]:
        out = []
        if len(names) - 1 < MIN_REWRITES:
            out.append(Finding("rewrites", self.slug, "rewrites", f"{len(names) - 1}",
                               f"needs at least {MIN_REWRITES} correct rewrites in solutions/variants/{self.slug}/"))
        for name in names:
            graded, short = self.graded.get(name, 0), self.short.get(name, [])
            problem = ""
            if short:
                student, points, lost = short[0]
                problem = (f"{len(short)} of {graded} students lose points; e.g. {student}: {points:g}, on "
                           + "; ".join(lost[:3]))
            out.append(Finding("rewrites", self.slug, name, f"{graded - len(short)}/{graded} full marks", problem))
        return out
