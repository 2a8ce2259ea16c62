"""The lecture-coverage page: validate lists what it names that does not exist."""
import shutil
from pathlib import Path

from grader.coverage import coverage_problems, coverage_rows
from grader.spec import Course

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "lecture-coverage.md"


def test_every_assignment_function_and_case_on_the_shipped_page_exists():
    rows = coverage_rows(PAGE.read_text())
    assert len(rows) >= 30
    assert coverage_problems(Course(ROOT)) == []


def test_the_page_covers_every_item_the_lecture_grades():
    slides = " ".join(row[1] for row in coverage_rows(PAGE.read_text())).lower()
    for item in ("perceptron", "f = w^t a", "1/2 (y_hat - y)^2", "stride", "padding", "pooling", "flatten", "softmax",
                 '"hello"', "bptt", "dropout", "saturating and vanishing", "the cnn", "concatenated form",
                 "below a threshold", "teacher forcing"):
        assert item in slides, item


def _course_with(tmp_path, table_rows):
    shutil.copytree(ROOT / "assignments" / "perceptron", tmp_path / "assignments" / "perceptron")
    (tmp_path / "docs").mkdir()
    lines = ["# coverage", "", "| Slide | Assignment | Functions | Cases |", "|---|---|---|---|", *table_rows, "", "After the table."]
    (tmp_path / "docs" / "lecture-coverage.md").write_text("\n".join(lines) + "\n")
    return Course(tmp_path)


def test_a_missing_case_function_or_assignment_is_named_with_its_line(tmp_path):
    course = _course_with(tmp_path, [
        "| Sign | `perceptron` | `sign` | `sign_example`, `sign_lecture` |",
        "| Pooling | `conv` | `pool_forward` | `pool_lecture` |",
        "| Train | `perceptron` | `train`, `fit` | `train_and` |",
        "| Nothing | `perceptron` | `sign` | |",
    ])
    problems = coverage_problems(course)
    assert problems == [
        "docs/lecture-coverage.md, line 5 ('Sign'): perceptron has no case sign_lecture",
        "docs/lecture-coverage.md, line 6 ('Pooling'): no assignment 'conv'",
        "docs/lecture-coverage.md, line 7 ('Train'): perceptron grades no function fit",
        "docs/lecture-coverage.md, line 8 ('Nothing'): no case listed",
    ]
    assert coverage_problems(course, ["dropout"]) == ["docs/lecture-coverage.md, line 6 ('Pooling'): no assignment 'conv'"]


def test_a_course_without_the_page_has_nothing_to_check(tmp_path):
    shutil.copytree(ROOT / "assignments" / "perceptron", tmp_path / "assignments" / "perceptron")
    assert coverage_problems(Course(tmp_path)) == []
