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


def student_json(student: str, results: list[AssignmentResult], isolation: str, *, warnings: list[str] | tuple = (),
                 roster: dict | None = None, on_roster: bool | None = None, lms_ids: tuple[str, ...] = ()) -> dict:
    """One student's report: every assignment and case with points, status and feedback, every file
    ignored or rejected on the way (``warnings``), and their roster entry when there is a roster."""
    return {
        "student": student,
        "grader_version": __version__,
        "isolation": isolation,
        "points": round(sum(r.points for r in results), 4),
        "max_points": round(sum(r.max_points for r in results), 4),
        "warnings": list(warnings),
        "roster": roster,
        "on_roster": on_roster,
        "lms_ids": list(lms_ids),
        "assignments": [r.to_json() for r in results],
    }


def read_student_json(path: Path) -> list[AssignmentResult] | None:
    """Results saved by an earlier (possibly interrupted) run; None when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [AssignmentResult.from_json(a) for a in data["assignments"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``= + - @``, tab or CR gets a ``'`` first."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def status_of(results: list[AssignmentResult], on_roster: bool | None = None) -> str:
    """``graded``, ``missing: a, b``, ``no submission``, with ``; not on roster`` when it applies."""
    missing = [r.slug for r in results if r.status == "no_submission"]
    status = "no submission" if results and len(missing) == len(results) else (
        f"missing: {', '.join(missing)}" if missing else "graded")
    return status + ("; not on roster" if on_roster is False else "")


def gradebook_csv(rows: dict[str, list[AssignmentResult]], slugs: list[str], people: dict[str, dict] | None = None) -> str:
    """Columns: student, (name, email, id from the roster when there is one), one per assignment
    (points; empty when nothing was handed in), total, status. UTF-8 with a BOM for spreadsheets."""
    people = people or {}
    with_roster = any(p.get("on_roster") is not None for p in people.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(["name", "email", "id"] if with_roster else []), *slugs, "total", "status"])
    for student in sorted(rows):
        by_slug = {r.slug: r for r in rows[student]}
        person = people.get(student, {})
        entry = person.get("roster") or {}
        points = ["" if s not in by_slug or by_slug[s].status == "no_submission" else f"{by_slug[s].points:g}" for s in slugs]
        total = sum(by_slug[s].points for s in slugs if s in by_slug)
        writer.writerow([cell(student), *([cell(entry.get(k, "")) for k in ("name", "email", "id")] if with_roster else []),
                         *points, f"{total:g}", status_of(rows[student], person.get("on_roster"))])
    return "\ufeff" + buffer.getvalue()
