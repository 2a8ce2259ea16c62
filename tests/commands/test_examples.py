"""The bundled example class (README's quick start), graded once: the story it tells holds.

alice is right everywhere (loops included), bob makes one named classic mistake per assignment,
carol/dave/erin/frank show a stub, a syntax error, an endless loop and a cheat on the perceptron,
grace hands in notebooks (experiments and magics skipped), henry a zip with macOS junk in it,
kimj's file comes named as Canvas downloads it (late), erin left an extra file that is not graded,
noor is on the roster (examples/roster.csv) without a submission and frank is not on it.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "submissions"
SLUGS = ["backprop", "char_rnn", "conv", "dropout", "perceptron"]
STUDENTS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "henry", "kimj", "noor"]

# bob's one misconception per assignment: the catalogued mistake and words its hint must contain
BOB = {
    "perceptron": ("sign_zero_positive", "sgn(0)"),
    "backprop": ("loss_without_half", "1/2"),
    "conv": ("flipped_kernel", "cross-correlation"),
    "char_rnn": ("dy_without_one_hot", "one-hot"),
    "dropout": ("keep_probability", "keep probability"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The whole example class graded once, every assignment; the output folder and what was printed."""
    out = tmp_path_factory.mktemp("example-grades")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["--course", str(REPO), "grade", str(EXAMPLES), "--out", str(out), "--no-progress", "--fresh",
                     "--roster", str(REPO / "examples" / "roster.csv")])
    assert code == 0, stderr.getvalue()
    return {"out": out, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def report(graded, student: str) -> dict:
    return json.loads((graded["out"] / f"{student}.json").read_text())


def assignment(graded, student: str, slug: str) -> dict:
    (found,) = [a for a in report(graded, student)["assignments"] if a["assignment"] == slug]
    return found


def test_the_gradebook_has_one_row_per_student_and_a_total_that_adds_up(graded):
    rows = list(csv.DictReader((graded["out"] / "gradebook.csv").open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["student", "name", "email", "id", *SLUGS, "total", "status"]
    assert [r["student"] for r in rows] == STUDENTS
    for row in rows:
        assert float(row["total"]) == pytest.approx(sum(float(row[s] or 0) for s in SLUGS)), row
        assert float(row["total"]) == pytest.approx(report(graded, row["student"])["points"])
    for student in STUDENTS:
        assert (graded["out"] / f"{student}.html").is_file()
    assert (graded["out"] / "summary.html").is_file()
    assert f"{len(STUDENTS)} students graded" in graded["stdout"]
    status = {r["student"]: r["status"] for r in rows}
    assert status["alice"] == "graded" and status["noor"] == "no submission"
    assert status["frank"] == "missing: backprop, char_rnn, conv, dropout; not on roster"
    assert {r["student"]: r["name"] for r in rows}["grace"] == "Grace José Núñez"


def test_alice_gets_full_marks_on_every_assignment(graded):
    for slug in SLUGS:
        result = assignment(graded, "alice", slug)
        assert result["status"] == "graded", slug
        failing = [(c["name"], c["feedback"]) for c in result["cases"] if c["status"] != "passed"]
        assert not failing, (slug, failing)
        assert result["points"] == result["max_points"] > 0
    assert any(c["visibility"] == "hidden" for c in assignment(graded, "alice", "conv")["cases"])


@pytest.mark.parametrize("slug", SLUGS)
def test_bob_loses_points_with_his_misconception_named(graded, slug):
    mistake, words = BOB[slug]
    result = assignment(graded, "bob", slug)
    assert 0 < result["points"] < result["max_points"]
    lost = [c for c in result["cases"] if c["points"] < c["max_points"]]
    assert lost
    named = [c for c in lost if c["diagnosis"] == mistake]
    assert named, [(c["name"], c["diagnosis"]) for c in lost]
    assert words in named[0]["hint"]
    # one misconception: no other catalogued mistake is blamed
    assert {c["diagnosis"] for c in lost} <= {mistake, ""}


def test_carol_dave_erin_and_frank_on_the_perceptron(graded):
    carol = assignment(graded, "carol", "perceptron")
    assert carol["points"] == 2
    assert {c["status"] for c in carol["cases"] if c["part"] != "sign"} == {"not_implemented"}

    dave = assignment(graded, "dave", "perceptron")
    assert dave["points"] == 0 and dave["status"] == "invalid_submission"
    assert "syntax error on line 5" in dave["message"]

    erin = assignment(graded, "erin", "perceptron")
    lost = {c["name"]: c["status"] for c in erin["cases"] if c["points"] < c["max_points"]}
    assert lost == {"train_xor_capped": "timeout"}
    assert erin["points"] == erin["max_points"] - 1

    frank = assignment(graded, "frank", "perceptron")
    assert frank["points"] == 0
    assert "sys.exit" in {c["name"]: c["feedback"] for c in frank["cases"]}["sign_example"]
    assert (graded["out"] / "gradebook.csv").read_text().count("frank") == 1

    for student in ("carol", "dave", "erin", "frank"):
        others = [assignment(graded, student, slug) for slug in SLUGS if slug != "perceptron"]
        assert {a["status"] for a in others} == {"no_submission"}


def test_grace_notebooks_are_graded_without_running_her_experiments(graded):
    perceptron = assignment(graded, "grace", "perceptron")
    assert perceptron["submission"].endswith("grace/perceptron.ipynb")
    assert perceptron["points"] == perceptron["max_points"] == 24
    assert any("for step, n_wrong in" in line for line in perceptron["skipped"])

    dropout = assignment(graded, "grace", "dropout")
    assert dropout["submission"].endswith("grace/dropout.ipynb")
    assert dropout["points"] == dropout["max_points"]
    skipped = "\n".join(dropout["skipped"])
    assert "%matplotlib inline" in skipped
    assert "for p_drop in" in skipped  # the training experiment
    # her definitions (a helper among them) all count
    assert not any("def " in line for line in dropout["skipped"])


def test_henry_zip_is_graded_and_its_macos_junk_ignored(graded):
    result = assignment(graded, "henry", "perceptron")
    assert result["submission"] == "henry.zip:hw/perceptron.py"
    assert result["points"] == result["max_points"] == 24
    assert "__MACOSX" not in graded["stdout"] + graded["stderr"]
    assert report(graded, "henry")["points"] == 24


def test_kimj_canvas_named_late_file_is_graded_as_her_perceptron(graded):
    result = assignment(graded, "kimj", "perceptron")
    assert result["submission"] == "kimj_late_48213_903114_perceptron-1.py"
    assert 0 < result["points"] < result["max_points"]
    assert report(graded, "kimj")["roster"]["name"] == "Jin Kim"  # joined on the Canvas user id


def test_every_ignored_file_is_in_the_students_report_and_the_summary(graded):
    (warning,) = report(graded, "erin")["warnings"]
    assert warning.startswith("erin/perceptron_old.py: ignored")
    assert "perceptron_old.py" in (graded["out"] / "erin.html").read_text()
    summary = json.loads((graded["out"] / "summary.json").read_text())
    assert [w["text"] for w in summary["warnings"]] == [warning]
    assert "perceptron_old.py" in (graded["out"] / "summary.html").read_text()


def test_the_roster_brings_in_the_missing_and_flags_the_unknown(graded):
    noor = report(graded, "noor")
    assert noor["on_roster"] is True and {a["status"] for a in noor["assignments"]} == {"no_submission"}
    assert report(graded, "frank")["on_roster"] is False
    flags = {row["student"]: row["flags"] for row in json.loads((graded["out"] / "summary.json").read_text())["class"]}
    assert "not on roster" in flags["frank"] and "nothing handed in" in flags["noor"]
    assert "limits hit" in flags["erin"] and "1 warning" in flags["erin"]


def test_the_dashboard_links_each_misconception_to_the_students_who_have_it(graded):
    summary = json.loads((graded["out"] / "summary.json").read_text())
    (sign,) = [d for d in summary["diagnoses"] if d["slug"] == "perceptron"]
    assert [(w["name"], w["report"]) for w in sign["who"]] == [("Bob Okafor", "bob.html"), ("Jin Kim", "kimj.html")]
    page = (graded["out"] / "summary.html").read_text()
    assert '<a href="kimj.html">Jin Kim</a>' in page and page.count("<svg") == len(SLUGS) + len(summary["parts"])
