"""`grader export canvas|moodle`: the import layouts, built from student reports written in code."""
from __future__ import annotations

import csv
import io
import json

from grader.cli import main
from grader.reports.gradebook import student_json
from grader.scoring import AssignmentResult, CaseResult


def report(student: str, points: dict[str, float | None], roster: dict | None = None, lms_ids=()) -> dict:
    results = []
    for slug, p in points.items():
        status = "no_submission" if p is None else "graded"
        case = CaseResult("a", "x", "public", p or 0.0, 10.0, "passed" if p == 10 else status if p is None else "partial", "")
        results.append(AssignmentResult(student, slug, slug.title(), (case,), 10.0, status=status))
    return student_json(student, results, "namespace", roster=roster, on_roster=roster is not None, lms_ids=lms_ids)


def graded_folder(tmp_path):
    folder = tmp_path / "grades"
    folder.mkdir()
    reports = [report("smithj", {"conv": 7.5, "dropout": None}, {"id": "S1", "name": "=Jo Smith", "email": "jo@x.org",
                                                                  "login": "jsmith"}, ("12345",)),
               report("ana@x.org", {"conv": 10, "dropout": 0})]
    for r in reports:
        (folder / f"{r['student']}.json").write_text(json.dumps(r))
    (folder / "summary.json").write_text(json.dumps({"slugs": ["conv", "dropout"]}))
    return folder


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_gets_its_id_columns_a_points_possible_row_and_empty_cells_for_missing(tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    assert main(["export", "canvas", str(graded_folder(tmp_path)), "--out", str(out)]) == 0
    assert "2 students" in capsys.readouterr().out
    assert rows(out.read_text()) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "conv", "dropout"],
        ["Points Possible", "", "", "", "", "10", "10"],
        ["ana@x.org", "", "", "ana@x.org", "", "10", "0"],
        ["'=Jo Smith", "12345", "S1", "jsmith", "", "7.5", ""],
    ]


def test_moodle_gets_identifier_columns_to_map_users_by(tmp_path):
    out = tmp_path / "moodle.csv"
    assert main(["export", "moodle", str(graded_folder(tmp_path)), "--out", str(out)]) == 0
    assert rows(out.read_text()) == [
        ["Full name", "Email address", "Username", "ID number", "conv", "dropout"],
        ["ana@x.org", "ana@x.org", "ana@x.org", "", "10", "0"],
        ["'=Jo Smith", "jo@x.org", "jsmith", "S1", "7.5", ""],
    ]


def test_exporting_a_folder_without_reports_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["export", "canvas", str(tmp_path / "empty"), "--out", str(tmp_path / "c.csv")]) == 2
    assert "no student reports found" in capsys.readouterr().err
