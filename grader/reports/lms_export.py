"""Gradebook files that Canvas and Moodle import, from a graded folder's student reports (docs/lms.md)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from grader.errors import UsageError
from grader.reports.gradebook import cell

NON_REPORTS = {"summary.json"}


def read_reports(folder: Path) -> tuple[list[dict], list[str]]:
    """Every student report in a folder written by `grader grade`, and the assignments in column order."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder of grades (run `grader grade ... --out {folder}` first)")
    reports = []
    for path in sorted(folder.glob("*.json")):
        if path.name in NON_REPORTS:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: not a readable student report ({exc})") from exc
        if isinstance(data, dict) and isinstance(data.get("assignments"), list) and "student" in data:
            reports.append(data)
    if not reports:
        raise UsageError(f"{folder}: no student reports found (run `grader grade ... --out {folder}` first)")
    try:
        slugs = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["slugs"]
    except (OSError, ValueError, KeyError, TypeError):
        slugs = sorted({a["assignment"] for r in reports for a in r["assignments"]})
    return sorted(reports, key=lambda r: r["student"].lower()), slugs


def _points(report: dict, slug: str) -> str:
    """Points for an import: empty when nothing was handed in, so the LMS keeps what it has."""
    for a in report["assignments"]:
        if a["assignment"] == slug:
            return "" if a["status"] == "no_submission" else f"{a['points']:g}"
    return ""


def _max(reports: list[dict], slug: str) -> str:
    for r in reports:
        for a in r["assignments"]:
            if a["assignment"] == slug:
                return f"{a['max_points']:g}"
    return ""


def _write(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def canvas_csv(reports: list[dict], slugs: list[str]) -> str:
    """Canvas's gradebook import layout: ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
    column per assignment and a ``Points Possible`` row. Canvas matches students by ID (the user id
    in its download names) or the SIS ids; a column named ``Title (assignment id)`` updates that
    assignment, any other name creates a new one on import."""
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *slugs],
            ["Points Possible", "", "", "", "", *(_max(reports, s) for s in slugs)]]
    for r in reports:
        entry = r.get("roster") or {}
        canvas_id = next((i for i in r.get("lms_ids", []) if i.isdigit()), "")
        rows.append([cell(entry.get("name") or r["student"]), canvas_id, cell(entry.get("id", "")),
                     cell(entry.get("login") or r["student"]), "", *(_points(r, s) for s in slugs)])
    return _write(rows)


def moodle_csv(reports: list[dict], slugs: list[str]) -> str:
    """Moodle's "Import grades: CSV file" layout: one row per student with identifiers (map *Email
    address*, *Username* or *ID number* to the user on import) and one column per assignment
    (map each to its grade item)."""
    rows = [["Full name", "Email address", "Username", "ID number", *slugs]]
    for r in reports:
        entry = r.get("roster") or {}
        email = entry.get("email") or (r["student"] if "@" in r["student"] else "")
        rows.append([cell(entry.get("name") or r["student"]), cell(email), cell(entry.get("login") or r["student"]),
                     cell(entry.get("id", "")), *(_points(r, s) for s in slugs)])
    return _write(rows)


FORMATS = {"canvas": canvas_csv, "moodle": moodle_csv}
