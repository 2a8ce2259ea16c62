"""Check cells: a part's public cases run on the functions a notebook namespace defines, shown as a table."""
import textwrap
from pathlib import Path

import pytest

from grader.inline import InlineCheck, check_all, check_part, collect, run_check
from grader.spec import Course

ROOT = Path(__file__).resolve().parents[1]
PERCEPTRON = Course(ROOT).assignment("perceptron")


def namespace_from(tmp_path: Path, source: str) -> dict:
    """A namespace as a kernel builds it: code run as __main__ from a file, so inspect.getsource works."""
    path = tmp_path / "cells.py"
    path.write_text(textwrap.dedent(source))
    namespace = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def reference_namespace() -> dict:
    namespace = {"__name__": "__main__"}
    exec(compile(PERCEPTRON.solution_path.read_text(), str(PERCEPTRON.solution_path), "exec"), namespace)
    return namespace


def test_a_part_check_runs_only_that_parts_public_cases():
    report = run_check("perceptron", reference_namespace(), ["update"], course=ROOT)
    assert [c.name for c in report.result.cases] == ["update_example", "update_keeps_w"]
    assert report.result.passed and report.notes == ()
    assert "public score: 2/2 (100%)" in report.text and "The update rule" in report.text


def test_check_all_runs_every_public_case():
    report = run_check("perceptron", reference_namespace(), None, course=ROOT)
    assert [c.name for c in report.result.cases] == [c.name for c in PERCEPTRON.cases if c.public]
    assert "public score: 8/8 (100%)" in report.text


def test_functions_bring_their_helpers_imports_and_literal_constants(tmp_path):
    namespace = namespace_from(tmp_path, """
        import numpy as np
        from numpy import where as pick
        POSITIVE = 1

        def _flip(z):
            return -np.asarray(z)

        def sign(z):
            return pick(_flip(z) < 0, POSITIVE, -POSITIVE).astype(np.int64)

        def plot_history(h):
            return matplotlib_is_not_needed(h)
        """)
    collected = collect(namespace, PERCEPTRON.functions, "import numpy as np\n", ["sign"])
    assert collected.notes == []
    source = collected.source
    assert source.count("import numpy as np") == 1
    assert "from numpy import where as pick" in source and "POSITIVE = 1" in source
    assert "def _flip(z):" in source and "def sign(z):" in source and "plot_history" not in source
    report = run_check("perceptron", namespace, ["sign"], course=ROOT)
    assert report.result.passed, report.text


def test_a_value_the_notebook_computed_is_named_in_a_note_and_missing_as_when_graded(tmp_path):
    namespace = namespace_from(tmp_path, """
        import numpy as np
        offset = np.zeros(1)

        def sign(z):
            return np.where(np.asarray(z) + offset[0] > 0, 1, -1)
        """)
    report = run_check("perceptron", namespace, ["sign"], course=ROOT)
    assert any("'offset', which the notebook computes" in n for n in report.notes)
    (case,) = report.result.cases
    assert case.status == "error" and "NameError: name 'offset' is not defined" in case.feedback
    assert report.text.startswith("notes:\n")


def test_a_function_not_defined_yet_gets_a_note_and_fails_its_cases(tmp_path):
    namespace = namespace_from(tmp_path, "import numpy as np\n")
    report = run_check("perceptron", namespace, ["predict"], course=ROOT)
    assert report.notes == ("predict is not defined in this notebook yet: run the cell that defines it first",)
    assert "your module has no function 'predict'" in report.result.cases[0].feedback


def test_a_lambda_or_alias_is_flagged_because_grading_drops_it(tmp_path):
    namespace = namespace_from(tmp_path, """
        import numpy as np
        def my_sign(z):
            return np.where(np.asarray(z) > 0, 1, -1)
        sign = my_sign
        predict = lambda w, X: my_sign(w[0] + X @ w[1:])
        """)
    notes = collect(namespace, PERCEPTRON.functions, "", ["sign", "predict"]).notes
    assert [n.split(":")[0] for n in notes] == ["sign", "predict"]
    assert all("lambdas are not kept when graded" in n for n in notes)


def test_check_part_prints_the_text_table_outside_ipython(capsys):
    check_part("perceptron", "sign", reference_namespace(), course=ROOT)
    out = capsys.readouterr().out
    assert "sign_example" in out and "PASS" in out and "public score: 1/1 (100%)" in out
    assert "<table>" not in out


def test_check_cells_find_the_course_from_the_notebooks_folder(monkeypatch, capsys):
    monkeypatch.delenv("GRADER_COURSE", raising=False)
    monkeypatch.chdir(ROOT / "student_template")
    check_all("perceptron", reference_namespace())
    assert "public score: 8/8 (100%)" in capsys.readouterr().out


@pytest.mark.parametrize("call, message", [
    (lambda ns: check_part("perceptron", "no_such_part", ns, course=ROOT), "grader: perceptron has no part 'no_such_part'"),
    (lambda ns: check_part("no_such_assignment", "sign", ns, course=ROOT), "grader: unknown assignment 'no_such_assignment'"),
    (lambda ns: check_part("perceptron", "sign", ns, course=ROOT / "grader"), "is not a course folder"),
    (lambda ns: check_part("perceptron", "sign", list(ns), course=ROOT), "grader: pass the notebook's namespace"),
])
def test_grader_errors_show_as_one_line_not_a_traceback(call, message, capsys):
    call(reference_namespace())
    out = capsys.readouterr().out
    assert out.startswith("grader: ") and message in out and "Traceback" not in out
    assert out.count("\n") == 1


def test_the_html_table_escapes_what_student_code_says(tmp_path):
    namespace = namespace_from(tmp_path, """
        def sign(z):
            raise ValueError("<script>alert(1)</script>")
        """)
    report = run_check("perceptron", namespace, ["sign"], course=ROOT)
    assert isinstance(report, InlineCheck) and report.result.cases[0].status == "error"
    html = report._repr_html_()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "<table>" in html and "public score: 0/1 (0%)" in html
    assert repr(report) == report.text
