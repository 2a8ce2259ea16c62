"""The class summary: the student table, score distributions, pass rates by part, misconceptions, warnings."""
from __future__ import annotations

import statistics
from collections import Counter

from grader.sandbox.isolation import LEVELS
from grader.scoring import AssignmentResult

BINS = 10
LIMIT_STATUSES = ("timeout", "crashed")


def histogram(points: list[float], max_points: float, bins: int = BINS) -> list[dict]:
    """Counts of scores in ``bins`` equal ranges of [0, max]; full marks fall in the last one."""
    counts = [0] * bins
    for p in points:
        index = int(bins * p / max_points) if max_points > 0 else bins - 1
        counts[min(max(index, 0), bins - 1)] += 1
    width = max_points / bins if max_points > 0 else 0
    return [{"lo": round(i * width, 4), "hi": round((i + 1) * width, 4), "count": c} for i, c in enumerate(counts)]


def summarise(rows: dict[str, list[AssignmentResult]], slugs: list[str], isolation: str,
              people: dict[str, dict] | None = None) -> dict:
    """Statistics over every student's results, and the class list the dashboard links from."""
    people = people or {}
    assignments, cases, parts, diagnoses = [], [], [], []
    for slug in slugs:
        results = [r for rs in rows.values() for r in rs if r.slug == slug]
        if not results:
            continue
        submitted = [r for r in results if r.status != "no_submission"]
        points = [r.points for r in results]
        max_points = results[0].max_points
        assignments.append({
            "slug": slug, "title": results[0].title, "max_points": max_points, "mean": statistics.fmean(points),
            "median": statistics.median(points), "full": sum(1 for p in points if p >= max_points),
            "zero": sum(1 for p in points if p == 0), "missing": len(results) - len(submitted),
            "histogram": histogram([r.points for r in submitted], max_points),
        })
        by_part: dict[str, list[dict]] = {}
        for name, part in dict.fromkeys((c.name, c.part) for c in results[0].cases):
            outcomes = [c for r in submitted for c in r.cases if c.name == name]
            problems = Counter(c.diagnosis_name or c.status for c in outcomes if c.status != "passed")
            top = problems.most_common(1)
            row = {"slug": slug, "part": part, "case": name,
                   "pass_rate": (sum(1 for c in outcomes if c.status == "passed") / len(outcomes)) if outcomes else 0.0,
                   "top_problem": f"{top[0][0]} ({top[0][1]})" if top else ""}
            cases.append(row)
            by_part.setdefault(part, []).append(row)
        parts.extend({"slug": slug, "part": p, "cases": rs} for p, rs in by_part.items())
        named: dict[str, list[str]] = {}
        for r in submitted:
            for diag in sorted({c.diagnosis_name for c in r.cases if c.diagnosis_name}):
                named.setdefault(diag, []).append(r.student)
        diagnoses.extend({"slug": slug, "name": n, "students": len(who), "who": [_ref(s, people) for s in sorted(who)]}
                         for n, who in sorted(named.items(), key=lambda item: -len(item[1])))
    return {
        "students": len(rows), "isolation": isolation, "slugs": list(slugs), "assignments": assignments,
        "cases": cases, "parts": parts, "diagnoses": diagnoses,
        "class": [_student_row(s, rows[s], slugs, people.get(s, {})) for s in sorted(rows, key=str.lower)],
        "warnings": [{**_ref(s, people), "text": w} for s in sorted(rows, key=str.lower)
                     for w in people.get(s, {}).get("warnings", [])],
        "limits": [{**_ref(s, people), "slug": r.slug, "case": c.name, "status": c.status, "text": c.feedback}
                   for s in sorted(rows, key=str.lower) for r in rows[s] for c in r.cases if c.status in LIMIT_STATUSES],
        "roster": any(p.get("on_roster") is not None for p in people.values()),
    }


def _ref(student: str, people: dict[str, dict]) -> dict:
    """A student as the dashboard links to them: key, shown name and report file name."""
    person = people.get(student, {})
    name = (person.get("roster") or {}).get("name") or student
    return {"student": student, "name": name, "report": f"{person.get('report', student)}.html"}


def _student_row(student: str, results: list[AssignmentResult], slugs: list[str], person: dict) -> dict:
    by_slug = {r.slug: r for r in results}
    flags = []
    missing = [r.slug for r in results if r.status == "no_submission"]
    if missing:
        flags.append("missing" if len(missing) < len(results) else "nothing handed in")
    if any(r.status == "invalid_submission" for r in results):
        flags.append("unreadable file")
    if any(c.status in LIMIT_STATUSES for r in results for c in r.cases):
        flags.append("limits hit")
    if person.get("warnings"):
        flags.append(f"{len(person['warnings'])} warning{'s' if len(person['warnings']) > 1 else ''}")
    if person.get("on_roster") is False:
        flags.append("not on roster")
    return {
        **_ref(student, {student: person}),
        "points": round(sum(r.points for r in results), 4), "max_points": round(sum(r.max_points for r in results), 4),
        "per": {s: {"points": by_slug[s].points, "max_points": by_slug[s].max_points, "status": by_slug[s].status}
                for s in slugs if s in by_slug},
        "flags": flags,
    }


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
