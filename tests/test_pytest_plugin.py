"""The pytest route: `pytest --grader-check SLUG FILE` gives one item per public case, named after it."""
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "perceptron.py"
PUBLIC = ["sign_example", "predict_and_gate", "update_example", "update_keeps_w", "train_and", "train_or", "train_threshold_example"]


def pytest_run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """A separate pytest run from ``cwd`` (no course config there), the plugin found by its entry point."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--grader-course={ROOT}", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def notebook_with(path: Path, *cells: str) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), str(path))
    return path


def test_each_public_case_is_an_item_named_after_it(tmp_path):
    nb = notebook_with(tmp_path / "perceptron.ipynb", REFERENCE.read_text())
    run = pytest_run(tmp_path, "--grader-check", "perceptron", "--collect-only", "-q", nb.name)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line for line in run.stdout.splitlines() if "::" in line] == [f"perceptron.ipynb::{c}" for c in PUBLIC]


def test_a_correct_notebook_passes_every_item(tmp_path):
    nb = notebook_with(tmp_path / "perceptron.ipynb", "import numpy as np", REFERENCE.read_text(), "%matplotlib inline")
    run = pytest_run(tmp_path, "--grader-check", "perceptron", nb.name)
    assert run.returncode == 0 and "7 passed" in run.stdout, run.stdout


def test_failing_items_show_the_graders_feedback_not_a_traceback(tmp_path):
    wrong = REFERENCE.read_text().replace("z > 0", "z >= 0")  # sgn(0) = +1: the classic mistake
    py = tmp_path / "perceptron.py"
    py.write_text(wrong)
    run = pytest_run(tmp_path, "--grader-check", "perceptron", py.name)
    assert run.returncode == 1
    assert "FAILED perceptron.py::sign_example" in run.stdout and "FAILED perceptron.py::train_or" in run.stdout
    assert "FAIL 0/1: " in run.stdout and "diagnosis: " in run.stdout
    assert "Traceback" not in run.stdout and "def sign" not in run.stdout


def test_a_corrupt_notebook_fails_every_item_with_the_reason(tmp_path):
    bad = tmp_path / "perceptron.ipynb"
    bad.write_text("{ not a notebook")
    run = pytest_run(tmp_path, "--grader-check", "perceptron", bad.name)
    assert run.returncode == 1 and "7 failed" in run.stdout
    assert "not a Jupyter notebook: the file is not JSON" in run.stdout


def test_without_a_file_the_option_is_a_usage_error(tmp_path):
    run = pytest_run(tmp_path, "--grader-check", "perceptron")
    assert run.returncode == 4 and "--grader-check needs your file" in run.stderr


def test_without_the_option_the_plugin_collects_nothing(tmp_path):
    notebook_with(tmp_path / "perceptron.ipynb", REFERENCE.read_text())
    (tmp_path / "perceptron.py").write_text(REFERENCE.read_text())
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    run = pytest_run(tmp_path, "-q")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout
