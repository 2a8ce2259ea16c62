"""`grader export canvas|moodle`: a graded folder's scores as a file the LMS's gradebook imports."""
from __future__ import annotations

from pathlib import Path

from grader.errors import UsageError
from grader.reports.gradebook import atomic_write
from grader.reports.lms_export import FORMATS, read_reports


def export_grades(target: str, grades: Path, out: Path) -> int:
    """Write ``out`` for ``target`` from the student reports in ``grades``; returns the number of students."""
    if out.is_dir():
        raise UsageError(f"{out}: --out must be a file name, and this is a folder")
    reports, slugs = read_reports(grades)
    atomic_write(out, FORMATS[target](reports, slugs))
    return len(reports)
