"""The gradebook CSV and each student's JSON report, written atomically."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from grader import __version__
from grader.scoring import AssignmentResult


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` so that a crash never leaves a half-written file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; generated files are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def student_json(student: str, results: list[AssignmentResult], isolation: str) -> dict:
    """One student's report: every assignment and case with points, status and feedback."""
    return {
        "student": student,
        "grader_version": __version__,
        "isolation": isolation,
        "points": round(sum(r.points for r in results), 4),
        "max_points": round(sum(r.max_points for r in results), 4),
        "assignments": [r.to_json() for r in results],
    }


def write_student_json(out: Path, student: str, results: list[AssignmentResult], isolation: str) -> Path:
    path = out / f"{student}.json"
    atomic_write(path, json.dumps(student_json(student, results, isolation), indent=1) + "\n")
    return path


def read_student_json(path: Path) -> list[AssignmentResult] | None:
    """Results saved by an earlier (possibly interrupted) run; None when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [AssignmentResult.from_json(a) for a in data["assignments"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def gradebook_csv(rows: dict[str, list[AssignmentResult]], slugs: list[str]) -> str:
    """Columns: student, one per assignment (points), total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *slugs, "total"])
    for student in sorted(rows):
        by_slug = {r.slug: r for r in rows[student]}
        points = [by_slug[s].points if s in by_slug else 0 for s in slugs]
        writer.writerow([student, *(f"{p:g}" for p in points), f"{sum(points):g}"])
    return buffer.getvalue()
