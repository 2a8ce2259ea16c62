"""`grader gradescope`: one submission in Gradescope's layout, graded into its results.json."""
from __future__ import annotations

import json
import shutil

import pytest
from pathlib import Path

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]


def autograder_dir(tmp_path: Path, student: str, email: str | None) -> Path:
    """/autograder-like folder: submission/ with the student's files, and the metadata beside it."""
    root = tmp_path / "autograder"
    shutil.copytree(REPO / "examples" / "submissions" / student, root / "submission")
    if email:
        (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": email, "id": "7", "name": "X"}]}))
    return root


def test_a_correct_submission_gets_every_point_with_one_test_per_case(tmp_path, capsys):
    root = autograder_dir(tmp_path, "alice", "alice@uni.edu")
    out = root / "results" / "results.json"
    code = main(["--course", str(REPO), "gradescope", str(root / "submission"), "--out", str(out), "--assignment", "perceptron"])
    assert code == 0
    assert "alice@uni.edu: 24 points" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data["score"] == 24 and len(data["tests"]) == 17
    assert {t["status"] for t in data["tests"]} == {"passed"}
    assert sum(t["max_score"] for t in data["tests"]) == 24
    visibility = {t["name"]: t["visibility"] for t in data["tests"]}
    assert visibility["perceptron: sign_example"] == "visible"  # public
    assert visibility["perceptron: sign_matrix"] == "after_published"  # hidden
    assert "isolation:" in data["output"]


def test_a_wrong_submission_gets_its_feedback_and_diagnosis_as_test_output(tmp_path, capsys):
    root = autograder_dir(tmp_path, "bob", "bob@uni.edu")
    out = root / "results.json"
    assert main(["--course", str(REPO), "gradescope", str(root / "submission"), "--out", str(out), "--assignment", "conv"]) == 0
    assert capsys.readouterr().out.startswith("bob@uni.edu: ")
    data = json.loads(out.read_text())
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["score"] < t["max_score"] for t in failed)
    assert any("Flipped kernel" in t["output"] for t in failed)
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_a_missing_submission_folder_is_a_clear_error(tmp_path, capsys):
    code = main(["--course", str(REPO), "gradescope", str(tmp_path / "nope"), "--out", str(tmp_path / "r.json")])
    assert code == 2 and "not a submission folder" in capsys.readouterr().err


@pytest.mark.parametrize("metadata", [None, "{not json", '{"users": []}', "\xff\xfe"])
def test_missing_or_unreadable_metadata_is_a_clear_error_not_a_shared_id(tmp_path, capsys, metadata):
    root = autograder_dir(tmp_path, "alice", None)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(metadata, encoding="latin-1")
    out = root / "results.json"
    code = main(["--course", str(REPO), "gradescope", str(root / "submission"), "--out", str(out), "--assignment", "perceptron"])
    err = capsys.readouterr().err
    assert code == 2 and "submission_metadata.json" in err and "--student" in err and not out.exists()


def test_an_explicit_student_needs_no_metadata(tmp_path, capsys):
    root = autograder_dir(tmp_path, "alice", None)
    out = root / "results.json"
    code = main(["--course", str(REPO), "gradescope", str(root / "submission"), "--out", str(out),
                 "--assignment", "perceptron", "--student", "s123"])
    assert code == 0 and capsys.readouterr().out.startswith("s123: 24 points")
