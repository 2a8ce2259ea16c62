"""LMS downloads: each system's file and folder names are grouped by student and mapped to assignments."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from grader.intake import lms
from grader.submissions import discover

MODULES = {"perceptron", "conv"}


def write(path: Path, text: str = "A = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def by_student(root: Path, modules=MODULES, **kwargs) -> dict:
    return {s.student: s for s in discover(root, modules, **kwargs)}


@pytest.mark.parametrize("name, system, student, file, ids, late", [
    ("smithj_12345_67890_conv.py", "canvas", "smithj", "conv.py", ("12345",), False),
    ("smithj_late_12345_67890_conv-1.py", "canvas", "smithj", "conv-1.py", ("12345",), True),
    ("Ana María López_31415_assignsubmission_file_conv.py", "moodle", "Ana María López", "conv.py", ("31415",), False),
    ("Ana López_31415_assignsubmission_file_", "moodle", "Ana López", "", ("31415",), False),
    ("Homework 3_conv_jdoe_attempt_2024-03-01-12-30-45_conv.py", "blackboard", "jdoe", "conv.py", (), False),
])
def test_each_systems_names_say_who_and_which_file(name, system, student, file, ids, late):
    assert lms.parse(name) == lms.LmsName(system, student, file, ids, late)


@pytest.mark.parametrize("name", ["conv.py", "char_rnn.py", "alice", "perceptron (1).ipynb", "bob_perceptron.py"])
def test_ordinary_names_are_not_lms_names(name):
    assert lms.parse(name) is None


def test_a_flat_canvas_export_is_one_student_per_login_with_files_mapped_by_their_own_names(tmp_path):
    write(tmp_path / "smithj_12345_67890_conv.py", "C = 1\n")
    write(tmp_path / "smithj_late_12345_67891_perceptron-1.py", "P = 1\n")
    write(tmp_path / "leea_222_333_conv.ipynb", "{}")
    found = by_student(tmp_path)
    assert set(found) == {"smithj", "leea"}
    assert found["smithj"].files["conv"].raw == b"C = 1\n"
    assert found["smithj"].files["perceptron"].raw == b"P = 1\n"
    assert found["smithj"].aliases == ("12345",)


def test_with_one_assignment_a_canvas_file_of_another_assignment_is_not_graded_as_it(tmp_path):
    write(tmp_path / "smithj_12345_67890_perceptron.py")
    write(tmp_path / "smithj_12345_67890_notes.txt")
    write(tmp_path / "leea_222_333_conv.py")
    found = by_student(tmp_path, {"conv"}, loose_module="conv", others=frozenset({"perceptron"}))
    assert found["smithj"].files == {}
    # the course's other assignment is skipped quietly (the TA chose to grade conv only); the rest is said
    assert found["smithj"].problems == ("smithj_12345_67890_notes.txt: ignored (only .py and .ipynb files are graded)",)
    assert set(found["leea"].files) == {"conv"}


def test_a_canvas_zip_per_student_is_opened(tmp_path):
    with zipfile.ZipFile(tmp_path / "smithj_12345_67890_hw3.zip", "w") as archive:
        archive.writestr("hw3/conv.py", "Z = 1\n")
        archive.writestr("hw3/evil.py", "import os\n")
    (smithj,) = discover(tmp_path, MODULES)
    assert smithj.student == "smithj" and smithj.files["conv"].raw == b"Z = 1\n"
    assert smithj.problems == ("smithj_12345_67890_hw3.zip:hw3/evil.py: ignored, its name is not an assignment being "
                               "graded (expected conv, perceptron as .py or .ipynb)",)


def test_moodle_folders_and_flat_files_both_name_the_student(tmp_path):
    write(tmp_path / "Ana López_31415_assignsubmission_file_" / "conv.py", "A = 1\n")
    write(tmp_path / "Ana López_31415_assignsubmission_onlinetext_" / "onlinetext.html", "<p>hi</p>")
    write(tmp_path / "Ben Ode_27182_assignsubmission_file_perceptron.py", "B = 1\n")
    found = by_student(tmp_path)
    assert set(found) == {"Ana López", "Ben Ode"}
    assert found["Ana López"].files["conv"].raw == b"A = 1\n" and found["Ana López"].aliases == ("31415",)
    assert found["Ben Ode"].files["perceptron"].raw == b"B = 1\n"


def test_blackboard_takes_the_latest_attempt_and_ignores_its_receipts(tmp_path):
    write(tmp_path / "HW 3_jdoe_attempt_2024-03-01-12-30-45_conv.py", "OLD = 1\n")
    write(tmp_path / "HW 3_jdoe_attempt_2024-03-02-09-00-00_conv.py", "NEW = 1\n")
    write(tmp_path / "HW 3_jdoe_attempt_2024-03-02-09-00-00.txt", "Name: J Doe")
    (jdoe,) = discover(tmp_path, MODULES)
    assert jdoe.student == "jdoe" and jdoe.files["conv"].raw == b"NEW = 1\n"
    assert len(jdoe.problems) == 1 and "2024-03-01-12-30-45_conv.py: ignored, already grading" in jdoe.problems[0]


def test_a_gradescope_export_names_its_submission_folders_from_the_metadata(tmp_path):
    write(tmp_path / "submission_111" / "conv.py", "G = 1\n")
    write(tmp_path / "submission_222" / "perceptron.py", "H = 1\n")
    write(tmp_path / "submission_metadata.yml", (
        "submission_111:\n  :submitters:\n  - :name: Gia Tran\n    :sid: '555'\n    :email: gia@uni.example\n"
        "submission_222:\n  :submitters:\n  - :name: Hal Berg\n    :sid:\n    :email: hal@uni.example\n"))
    found = by_student(tmp_path)
    assert set(found) == {"gia@uni.example", "hal@uni.example"}
    assert found["gia@uni.example"].aliases == ("555", "Gia Tran")
    assert found["gia@uni.example"].files["conv"].raw == b"G = 1\n"


def test_a_zip_inside_a_moodle_folder_is_opened(tmp_path):
    folder = tmp_path / "Ana López_31415_assignsubmission_file_"
    folder.mkdir()
    with zipfile.ZipFile(folder / "homework.zip", "w") as archive:
        archive.writestr("hw/conv.py", "Z = 1\n")
        archive.writestr("hw/notes.md", "notes")
    (ana,) = discover(tmp_path, MODULES)
    assert ana.student == "Ana López"
    assert ana.files["conv"].label == "Ana López_31415_assignsubmission_file_/homework.zip:hw/conv.py"
    assert ana.problems == ("Ana López_31415_assignsubmission_file_/homework.zip:hw/notes.md: ignored "
                            "(only .py and .ipynb files are graded)",)


def test_grading_one_assignment_a_students_only_unnamed_file_is_taken_and_that_is_said(tmp_path):
    write(tmp_path / "smithj_12345_67890_hw3_final.py", "H = 1\n")
    write(tmp_path / "leea_222_333_perceptron.py")
    write(tmp_path / "kimb_444_555_a.py")
    write(tmp_path / "kimb_444_556_b.py")
    found = by_student(tmp_path, {"conv"}, loose_module="conv", others=frozenset({"perceptron"}))
    assert found["smithj"].files["conv"].raw == b"H = 1\n"
    assert found["smithj"].problems == ("smithj_12345_67890_hw3_final.py: graded as conv (the only code file, and its "
                                        "name 'hw3_final.py' names no assignment)",)
    assert found["leea"].files == {} and found["leea"].problems == ()  # another assignment's file: never taken
    assert found["kimb"].files == {} and len(found["kimb"].problems) == 2  # two candidates: neither is guessed
