"""Gradescope's autograder results.json, from one student's results."""
from __future__ import annotations

from grader.scoring import AssignmentResult

# public cases are shown at once; hidden ones, with their feedback, once grades are published
VISIBILITY = {"public": "visible", "hidden": "after_published"}


def results_json(results: list[AssignmentResult], isolation: str) -> dict:
    """The results.json Gradescope reads: a score and one test per case, with the feedback as output."""
    tests = []
    for result in results:
        for case in result.cases:
            lines = [] if case.status == "passed" else [case.feedback]
            if case.status != "passed" and case.hint:
                lines.append(f"diagnosis: {case.hint}")
            lines.extend(case.details if case.status != "passed" else ())
            tests.append({
                "name": f"{result.slug}: {case.name}",
                "name_format": "text",
                "score": case.points,
                "max_score": case.max_points,
                "status": "passed" if case.status == "passed" else "failed",
                "visibility": VISIBILITY.get(case.visibility, "after_published"),
                "output": "\n".join(lines),
                "tags": [result.slug, case.part],
            })
    total = round(sum(r.points for r in results), 4)
    notes = [f"{r.title}: {r.message}" for r in results if r.message]
    notes.append(f"isolation: {isolation}")
    return {
        "score": total,
        "output": "\n".join(notes),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
