"""The class summary: score statistics per assignment, pass rate per case, most common diagnoses."""
from __future__ import annotations

import statistics
from collections import Counter

from grader.sandbox.isolation import LEVELS
from grader.scoring import AssignmentResult


def summarise(rows: dict[str, list[AssignmentResult]], slugs: list[str], isolation: str) -> dict:
    """Statistics over every student's results."""
    assignments, cases, diagnoses = [], [], []
    for slug in slugs:
        results = [r for rs in rows.values() for r in rs if r.slug == slug]
        if not results:
            continue
        points = [r.points for r in results]
        max_points = results[0].max_points
        assignments.append({
            "slug": slug, "max_points": max_points, "mean": statistics.fmean(points), "median": statistics.median(points),
            "full": sum(1 for p in points if p >= max_points), "zero": sum(1 for p in points if p == 0),
            "missing": sum(1 for r in results if r.status == "no_submission"),
        })
        submitted = [r for r in results if r.status != "no_submission"]
        names = [c.name for c in results[0].cases]
        named: Counter = Counter()
        for name in names:
            outcomes = [c for r in submitted for c in r.cases if c.name == name]
            problems = Counter(c.diagnosis_name or c.status for c in outcomes if c.status != "passed")
            cases.append({
                "slug": slug, "case": name,
                "pass_rate": (sum(1 for c in outcomes if c.status == "passed") / len(outcomes)) if outcomes else 0.0,
                "top_problem": (f"{problems.most_common(1)[0][0]} ({problems.most_common(1)[0][1]})" if problems else ""),
            })
        for r in submitted:
            for diag in {c.diagnosis_name for c in r.cases if c.diagnosis_name}:
                named[diag] += 1
        diagnoses.extend({"slug": slug, "name": n, "students": k} for n, k in named.most_common())
    return {"students": len(rows), "isolation": isolation, "assignments": assignments, "cases": cases, "diagnoses": diagnoses}


def summary_text(summary: dict) -> str:
    """A few lines for the terminal."""
    count = summary['students']
    lines = [f"{count} student{'' if count == 1 else 's'} graded (isolation: {summary['isolation']})"]
    for a in summary["assignments"]:
        lines.append(
            f"  {a['slug']:<12} mean {a['mean']:.2f}/{a['max_points']:g}  median {a['median']:g}  "
            f"full marks {a['full']}  zero {a['zero']}  missing {a['missing']}"
        )
    top = sorted(summary["diagnoses"], key=lambda d: -d["students"])[:5]
    if top:
        lines.append("most common misconceptions:")
        lines.extend(f"  {d['slug']:<12} {d['students']:>3} student(s): {d['name'][:90]}" for d in top)
    return "\n".join(lines)


def isolation_of(results: list[AssignmentResult]) -> str:
    """The isolation level in force for these results, with what it means."""
    levels = sorted({r.isolation for r in results if r.isolation})
    if not levels:
        return "none needed (nothing ran)"
    return "; ".join(f"{level} ({LEVELS.get(level, level)})" for level in levels)
