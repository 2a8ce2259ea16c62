"""`grader export gradescope`: the autograder zip installs into a fresh venv and grades a submission into results.json."""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.cli import main

SECRET = "gs-export-test-secret"
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
TOP_KEYS = {"score", "execution_time", "output", "output_format", "visibility", "stdout_visibility", "extra_data",
            "tests", "leaderboard"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
# only the package itself: its dependencies come from this environment (see the .pth below); building it
# takes setuptools and wheel from pip's configured index or find-links (local wheels on CI machines)
PIP_ARGS = "--no-deps"


def check_gradescope_schema(data: dict) -> None:
    """Gradescope's results.json (gradescope-autograders.readthedocs.io, specs): types and allowed values."""
    assert set(data) <= TOP_KEYS, set(data) - TOP_KEYS
    assert isinstance(data["score"], (int, float))
    assert data.get("visibility", "visible") in VISIBILITY and data.get("stdout_visibility", "hidden") in VISIBILITY
    assert isinstance(data.get("output", ""), str)
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITY
        assert isinstance(test.get("output", ""), str)
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-6


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory, course):
    secret_file = tmp_path_factory.mktemp("secret") / "secret"
    secret_file.write_text(SECRET)
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    assert main(["--course", str(course.root), "export", "gradescope", "--out", str(out),
                 "--assignment", "perceptron", "--secret-file", str(secret_file)]) == 0
    return out


def test_the_zip_holds_setup_run_autograder_the_package_and_only_the_course_files_grading_needs(autograder_zip):
    names = zipfile.ZipFile(autograder_zip).namelist()
    assert {"setup.sh", "run_autograder", "secret", "package/pyproject.toml", "package/grader/cli.py",
            "course/assignments/perceptron/assignment.yaml", "course/solutions/perceptron.py"} <= set(names)
    assert any(n.startswith("course/solutions/mistakes/perceptron/") for n in names)
    forbidden = ("tests/", "examples/", "student_template/", ".git/", "benchmarks/", "course/assignments/conv/")
    assert not [n for n in names if n.startswith(forbidden) or "__pycache__" in n or n.startswith("course/" + forbidden[2])]
    run = zipfile.ZipFile(autograder_zip).read("run_autograder").decode()
    assert "gradescope" in run and "/autograder/results/results.json" in run.replace("$ROOT", "/autograder")


def test_setup_installs_into_a_fresh_venv_and_run_autograder_writes_a_valid_results_json(autograder_zip, tmp_path, course):
    root = tmp_path / "autograder"  # laid out as Gradescope does
    source = root / "source"
    zipfile.ZipFile(autograder_zip).extractall(source)
    for name in ("setup.sh", "run_autograder"):
        (source / name).chmod(0o755)
    (root / "run_autograder").write_bytes((source / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    venv = root / "venv"
    env = {**os.environ, "GRADER_SKIP_APT": "1", "GRADER_PYTHON": sys._base_executable, "GRADER_VENV": str(venv),
           "GRADER_VENV_ARGS": "--system-site-packages", "GRADER_PIP_ARGS": PIP_ARGS,
           "GRADER_AUTOGRADER_ROOT": str(root)}
    env.pop("PYTHONPATH", None)
    env.pop("GRADER_SECRET", None)
    done = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    # offline: numpy and friends come from this test's environment, the grader from the fresh install
    venv_site = next(venv.glob("lib/python*/site-packages"))
    (venv_site / "zz_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import grader; print(grader.__file__)"],
                           env=env, capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr

    submission = root / "submission"
    submission.mkdir()
    reference = course.assignment("perceptron").solution_path.read_text()
    mistake = (course.assignment("perceptron").mistakes_dir / "sign_zero_positive.py").read_text()
    (submission / "perceptron.py").write_text(f"{reference}\n\n{mistake}")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ann@uni.example", "id": 7}]}))
    done = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_schema(data)
    assert 0 < data["score"] < sum(t["max_score"] for t in data["tests"])
    assert data["stdout_visibility"] == "hidden"
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and any("sgn(0)" in t["output"] or "diagnosis" in t["output"] for t in failed)
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    assert SECRET not in json.dumps(data) and "def train" not in json.dumps(data)
