"""`grader grade` on what TAs actually hand it: wrong folders, LMS exports, clashing names, odd bytes."""
from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import SubmissionError
from grader.submissions import SubmittedFile, read_source

REPO = Path(__file__).resolve().parents[2]
ALICE = REPO / "examples" / "submissions" / "alice" / "perceptron.py"
BOB = REPO / "examples" / "submissions" / "bob" / "perceptron.py"


def grade(tmp_path: Path, submissions: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    code = main(["--course", str(REPO), "grade", str(submissions), "--out", str(out), "--assignment", "perceptron",
                 "--no-progress", "--jobs", "1", *extra])
    return code, out


@pytest.mark.parametrize("make, words", [
    (lambda p: p, "no submissions found"),
    (lambda p: (p / "README.txt").write_text("hi") and p, "no submissions found"),
    (lambda p: p / "nope", "not a folder of submissions"),
])
def test_an_empty_or_missing_submissions_folder_is_an_error_not_zero_students(tmp_path, capsys, make, words):
    folder = tmp_path / "subs"
    folder.mkdir()
    code, out = grade(tmp_path, make(folder))
    assert code == 2 and words in capsys.readouterr().err
    assert not (out / "gradebook.csv").exists()


def test_out_pointing_at_a_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    shutil.copy(ALICE, tmp_path / "subs" / "ann" / "perceptron.py")
    (tmp_path / "out").write_text("my notes")
    code, _ = grade(tmp_path, tmp_path / "subs")
    err = capsys.readouterr().err
    assert code == 2 and "--out must be a folder" in err and "internal error" not in err
    assert (tmp_path / "out").read_text() == "my notes"


def test_a_nul_byte_is_reported_as_such_with_its_line():
    with pytest.raises(SubmissionError, match=r"contains a NUL byte \(line 2, column 4\)"):
        read_source(SubmittedFile("ann/perceptron.py", b"A = 1\nB =\x00 2\n"))


def test_students_whose_names_sanitise_alike_keep_separate_reports(tmp_path):
    for student, source in (("a b", ALICE), ("a_b", BOB)):
        (tmp_path / "subs" / student).mkdir(parents=True)
        shutil.copy(source, tmp_path / "subs" / student / "perceptron.py")
    code, out = grade(tmp_path, tmp_path / "subs")
    assert code == 0
    reports = {json.loads(p.read_text())["student"]: json.loads(p.read_text())["points"]
               for p in out.glob("*.json") if p.name != "summary.json"}
    assert reports["a b"] == 24 and 0 < reports["a_b"] < 24  # the perceptron's total
    assert len(list(out.glob("a_b*.html"))) == 2
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(r["report"] for r in summary["class"]) == sorted(p.with_suffix(".html").name
                                                                  for p in out.glob("a_b*.json"))


def test_a_zipped_canvas_export_is_graded_and_joined_to_the_roster(tmp_path):
    export = tmp_path / "submissions.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("submissions/martinj_1001_5001_perceptron.py", ALICE.read_text())
        archive.writestr("submissions/okafor_late_1002_5002_perceptron-2.py", BOB.read_text())
    (tmp_path / "roster.csv").write_text("ID,Student,SIS Login ID\n1001,José Martin,jmartin\n1002,Bo Okafor,bokafor\n"
                                         "1003,Cy Missing,cmissing\n")
    code, out = grade(tmp_path, export, "--roster", str(tmp_path / "roster.csv"))
    assert code == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))}
    assert {s: (r["name"], r["status"]) for s, r in rows.items()} == {
        "martinj": ("José Martin", "graded"), "okafor": ("Bo Okafor", "graded"), "cmissing": ("Cy Missing", "no submission")}
    assert rows["martinj"]["perceptron"] == "24" and 0 < float(rows["okafor"]["perceptron"]) < 24
    assert rows["cmissing"]["perceptron"] == ""


def test_a_flood_of_stray_files_is_reported_in_a_bounded_list(tmp_path):
    (tmp_path / "subs").mkdir()
    with zipfile.ZipFile(tmp_path / "subs" / "ann.zip", "w") as archive:
        archive.writestr("perceptron.py", ALICE.read_text())
        for i in range(300):
            archive.writestr(f"junk/{i}.txt", "x")
    code, out = grade(tmp_path, tmp_path / "subs")
    assert code == 0
    warnings = json.loads((out / "ann.json").read_text())["warnings"]
    assert len(warnings) == 51 and warnings[-1] == "... and 250 more files ignored or rejected"
