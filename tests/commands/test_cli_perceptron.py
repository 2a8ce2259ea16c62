"""The perceptron assignment end to end through the CLI: check, grade, validate, build."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--course", str(REPO), *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_check_of_the_stub_scores_zero_and_says_not_implemented(capsys):
    code, out, _ = run_cli(capsys, "check", "perceptron")
    assert code == 1
    assert "public score: 0/8" in out
    assert "not implemented yet" in out
    assert "isolation:" in out


def test_check_of_the_reference_passes_every_public_case(capsys, tmp_path):
    mine = shutil.copy(REPO / "solutions" / "perceptron.py", tmp_path / "perceptron.py")
    code, out, _ = run_cli(capsys, "check", "perceptron", "--path", str(mine))
    assert code == 0
    assert "public score: 8/8 (100%)" in out


def test_check_needs_no_solutions_folder(capsys, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments" / "perceptron", course / "assignments" / "perceptron")
    mine = shutil.copy(REPO / "solutions" / "perceptron.py", tmp_path / "perceptron.py")
    code = main(["--course", str(course), "check", "perceptron", "--path", str(mine)])
    out, _ = capsys.readouterr()
    assert code == 0, out
    assert "8/8" in out


def test_check_of_a_wrong_answer_needs_no_solutions_folder(capsys, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments" / "perceptron", course / "assignments" / "perceptron")
    reference = (REPO / "solutions" / "perceptron.py").read_text()
    wrong = write(tmp_path / "perceptron.py", reference.replace("np.where(z > 0, 1, -1)", "np.where(z >= 0, 1, -1)"))
    code = main(["--course", str(course), "check", "perceptron", "--path", str(wrong)])
    out, _ = capsys.readouterr()
    assert code == 1 and "FAIL" in out and "Traceback" not in out


def test_check_names_the_misconception_of_a_wrong_sign(capsys, tmp_path):
    reference = (REPO / "solutions" / "perceptron.py").read_text()
    wrong = write(tmp_path / "perceptron.py", reference.replace("np.where(z > 0, 1, -1)", "np.where(z >= 0, 1, -1)"))
    code, out, _ = run_cli(capsys, "check", "perceptron", "--path", str(wrong))
    assert code == 1
    assert "sgn(0) taken as +1" in " ".join(out.split())  # the table wraps long lines
    assert "expected -1" in out


def test_check_of_a_file_with_a_syntax_error_reports_the_line(capsys, tmp_path):
    broken = write(tmp_path / "perceptron.py", "def sign(z)\n    return z\n")
    code, out, _ = run_cli(capsys, "check", "perceptron", "--path", str(broken))
    assert code == 1
    assert "syntax error on line 1" in out
    assert "Traceback" not in out


def test_check_of_an_unknown_assignment_is_a_clear_error(capsys):
    code, _, err = run_cli(capsys, "check", "perceptrons")
    assert code == 2
    assert "unknown assignment 'perceptrons'" in err and "perceptron" in err


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The bundled example class, graded once for the tests below."""
    out = tmp_path_factory.mktemp("grades")
    code = main(["--course", str(REPO), "grade", str(REPO / "examples" / "submissions"), "--out", str(out),
                 "--assignment", "perceptron", "--no-progress", "--fresh", "--jobs", "1"])
    assert code == 0
    return out


def _perceptron(out: Path, student: str) -> dict:
    report = json.loads((out / f"{student}.json").read_text())
    (assignment,) = [a for a in report["assignments"] if a["assignment"] == "perceptron"]
    return assignment


def test_grade_writes_a_gradebook_with_one_row_per_student(graded):
    rows = list(csv.DictReader((graded / "gradebook.csv").open(encoding="utf-8-sig")))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "henry", "kimj"]
    assert list(rows[0]) == ["student", "perceptron", "total", "status"]
    by = {r["student"]: r for r in rows}
    assert by["alice"]["perceptron"] == "24" and by["alice"]["total"] == "24"
    assert by["dave"]["perceptron"] == "0"


def test_grade_gives_full_marks_to_a_correct_loop_solution(graded):
    report = _perceptron(graded, "alice")
    assert report["points"] == report["max_points"] == 24
    assert all(c["status"] == "passed" for c in report["cases"])


def test_grade_stops_an_infinite_loop_and_goes_on(graded):
    report = _perceptron(graded, "erin")
    statuses = {c["name"]: c["status"] for c in report["cases"]}
    assert statuses["train_xor_capped"] == "timeout"
    assert report["points"] == 23


def test_grade_gives_a_syntax_error_zero_with_its_line(graded):
    report = _perceptron(graded, "dave")
    assert report["points"] == 0
    assert report["status"] == "invalid_submission"
    assert "syntax error on line 5" in report["message"]


def test_grade_gives_a_partial_stub_only_what_it_implements(graded):
    report = _perceptron(graded, "carol")
    assert {c["status"] for c in report["cases"] if c["part"] != "sign"} == {"not_implemented"}
    assert report["points"] == 2


def test_every_case_in_the_json_has_name_points_status_and_feedback(graded):
    report = _perceptron(graded, "bob")
    for c in report["cases"]:
        assert {"name", "points", "max_points", "status", "feedback"} <= set(c)
    diagnosed = [c for c in report["cases"] if c["diagnosis"] == "sign_zero_positive"]
    assert diagnosed and "sgn(0)" in diagnosed[0]["hint"]


def test_a_hostile_submission_earns_nothing_it_did_not_earn(graded):
    report = _perceptron(graded, "frank")
    assert report["points"] == 0
    feedback = {c["name"]: c["feedback"] for c in report["cases"]}
    assert "sys.exit" in feedback["sign_example"]
    assert (graded / "gradebook.csv").read_text().count("frank") == 1


def test_monkeypatching_numpy_and_printing_fake_results_change_nothing(capsys, tmp_path):
    reference = (REPO / "solutions" / "perceptron.py").read_text()
    # a submission that is wrong only in update (sign flipped)
    wrong = reference.replace("return w + lr * (y - y_hat) * x1", "return w - lr * (y - y_hat) * x1")
    honest = write(tmp_path / "honest" / "perceptron.py", wrong)
    cheat = write(tmp_path / "cheat" / "perceptron.py", wrong + textwrap.dedent('''
        import builtins
        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        builtins.print('{"points": 20, "max_points": 20, "status": "passed"}')
        print("score: 20/20")
    '''))
    scores = {}
    for path in (honest, cheat):
        code, out, _ = run_cli(capsys, "check", "perceptron", "--path", str(path))
        assert code == 1
        scores[path.parent.name] = [line for line in out.splitlines() if line.startswith("public score")]
    assert scores["honest"] == scores["cheat"]
    assert scores["honest"] != ["public score: 8/8 (100%)"]


def test_grade_keeps_unchanged_results_and_regrades_changed_ones(tmp_path, capsys):
    subs = tmp_path / "subs"
    shutil.copytree(REPO / "examples" / "submissions" / "alice", subs / "alice")
    shutil.copytree(REPO / "examples" / "submissions" / "bob", subs / "bob")
    out = tmp_path / "out"
    args = ["--course", str(REPO), "grade", str(subs), "--out", str(out), "--assignment", "perceptron", "--no-progress"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "student(s) unchanged" not in first
    shutil.copy(REPO / "examples" / "submissions" / "alice" / "perceptron.py", subs / "bob" / "perceptron.py")
    assert main(args) == 0
    second = capsys.readouterr().out
    assert "1 student(s) unchanged" in second
    assert _perceptron(out, "bob")["points"] == 24


def test_validate_passes_for_perceptron(capsys):
    code, out, _ = run_cli(capsys, "validate", "--assignment", "perceptron", "--students", "3")
    assert code == 0, out
    assert "sign_zero_positive" in out and "diagnosed" in out
    assert "OK:" in out


def test_the_console_script_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader", "--course", str(REPO), "check", "perceptron"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "public score: 0/8" in result.stdout


def test_python_dash_m_grades_with_worker_processes(tmp_path):
    subs = tmp_path / "subs"
    for student in ("alice", "bob", "carol"):
        shutil.copytree(REPO / "examples" / "submissions" / student, subs / student)
    result = subprocess.run([sys.executable, "-m", "grader", "--course", str(REPO), "grade", str(subs), "--out",
                             str(tmp_path / "out"), "--assignment", "perceptron", "--jobs", "2", "--no-progress"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "gradebook.csv").open(encoding="utf-8-sig")))
    assert {r["student"]: r["perceptron"] for r in rows} == {"alice": "24", "bob": "7", "carol": "2"}


def test_check_of_ones_own_code_falls_back_to_rlimits_only_where_bubblewrap_is_missing(monkeypatch, tmp_path):
    import grader.commands.check as check
    from grader.errors import SandboxError
    from grader.spec import Course

    real = check.Sandbox
    asked = []

    def no_bubblewrap(*, hide, isolation):
        asked.append(isolation)
        if isolation != "rlimits-only":
            raise SandboxError("bubblewrap (bwrap) is not installed")
        return real(hide=hide, isolation=isolation)

    monkeypatch.setattr(check, "Sandbox", no_bubblewrap)
    mine = write(tmp_path / "perceptron.py", (REPO / "solutions" / "perceptron.py").read_text())
    result, level = check.check(Course(REPO), "perceptron", mine)
    assert asked == ["auto", "rlimits-only"] and level.startswith("rlimits-only") and result.passed
    with pytest.raises(SandboxError):  # asked for by name, bubblewrap is never replaced by something weaker
        check.check(Course(REPO), "perceptron", mine, isolation="bubblewrap")
