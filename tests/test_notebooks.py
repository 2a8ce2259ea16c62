"""Generated notebooks: built in sync, filled cell by cell they earn full marks, broken ones are reported, they run in a kernel."""
import ast
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.cli import main as grader_main
from grader.commands import build, grade, validate
from grader.notebook_build import notebook_files
from grader.notebooks import extract_code
from grader.spec import Course
from grader.stubs import stub_for

ROOT = Path(__file__).resolve().parents[1]
COURSE = Course(ROOT)
WITH_SOLUTION = [s for s in COURSE.slugs() if COURSE.assignment(s).solution_path.is_file()]
GRADABLE = [s for s in WITH_SOLUTION if COURSE.assignment(s).fixtures_path.is_file()]


def built(slug: str) -> nbformat.NotebookNode:
    """The notebook `grader build` writes for ``slug``, parsed."""
    (text,) = notebook_files(COURSE, COURSE.assignment(slug)).values()
    return nbformat.reads(text, as_version=4)


def defined_function(source: str) -> str | None:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    return body[0].name if len(body) == 1 and isinstance(body[0], ast.FunctionDef) else None


def reference_pieces(slug: str) -> tuple[str, dict[str, str]]:
    """The reference's imports, constants and private helpers as one text, and each public function's text."""
    path = COURSE.assignment(slug).solution_path
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    preamble, public = [], {}
    for node in ast.parse(source).body:
        first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        text = "".join(lines[first - 1:node.end_lineno]).rstrip() + "\n"
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            public[node.name] = text
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            preamble.append(text)
    return "\n".join(preamble), public


def filled(slug: str) -> nbformat.NotebookNode:
    """The generated notebook with the reference typed in, as a student would: cell by cell."""
    nb = built(slug)
    preamble, public = reference_pieces(slug)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert defined_function(code[0].source) is None, "the first code cell should hold the imports"
    code[0].source = preamble
    replaced = set()
    for cell in code:
        name = defined_function(cell.source)
        if name in public:
            cell.source = public[name]
            replaced.add(name)
    assert replaced == set(public)
    return nb


def cell_defining(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.cell_type == "code" and defined_function(c.source) == name)


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def run_check(capsys, slug: str, path: Path) -> tuple[int, str]:
    code = grader_main(["--course", str(ROOT), "check", slug, "--path", str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def grade_folder(tmp_path: Path, files: dict[str, bytes], slug: str) -> dict[str, dict]:
    """Grade a submissions folder ({"student/file": bytes}); each student's JSON report for ``slug``."""
    subs = tmp_path / "submissions"
    for name, raw in files.items():
        (subs / name).parent.mkdir(parents=True, exist_ok=True)
        (subs / name).write_bytes(raw)
    out = tmp_path / "out"
    grade.grade(COURSE, subs, out, [slug], jobs=2, progress=False, fresh=True)
    reports = {}
    for student in {name.split("/")[0] for name in files}:
        data = json.loads((out / f"{student}.json").read_text())
        reports[student] = next(a for a in data["assignments"] if a["assignment"] == slug)
    return reports


# -- building ---------------------------------------------------------------------------------
@pytest.mark.parametrize("slug", WITH_SOLUTION)
def test_build_writes_a_valid_deterministic_notebook_without_outputs(slug):
    assignment = COURSE.assignment(slug)
    first = notebook_files(COURSE, assignment)
    assert first == notebook_files(COURSE, assignment)
    assert list(first) == [COURSE.template_dir / f"{assignment.module}.ipynb"]
    nb = nbformat.reads(next(iter(first.values())), as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"{slug}-") for i in ids)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        else:
            assert "{{" not in cell.source and "{%" not in cell.source and "<!-- part:" not in cell.source


@pytest.mark.parametrize("slug", WITH_SOLUTION)
def test_notebook_has_one_stub_cell_per_function_as_in_the_stub_module_and_a_check_cell_per_part(slug):
    assignment = COURSE.assignment(slug)
    stub = stub_for(assignment.solution_path, assignment.module)
    nb = built(slug)
    functions = [defined_function(c.source) for c in nb.cells if c.cell_type == "code"]
    assert sorted(f for f in functions if f) == sorted(assignment.functions)
    for name in assignment.functions:
        source = cell_defining(nb, name).source
        assert source in stub and "raise NotImplementedError" in source
    checks = [c.source for c in nb.cells if c.cell_type == "code" and "from grader.inline import" in c.source]
    assert [f'check_part("{slug}", "{p.name}", globals())' in s for s, p in zip(checks, assignment.parts)] == [True] * len(assignment.parts)
    assert len(checks) == len(assignment.parts) + 1 and "check_all" in checks[-1]
    headings = [c.metadata["grader"].get("part") for c in nb.cells if c.cell_type == "markdown"]
    assert [h for h in headings if h] == [p.name for p in assignment.parts]


def test_handout_sections_come_before_their_part_and_render_the_manifest():
    nb = built("perceptron")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown[0].startswith("# The perceptron learning algorithm")
    assert "`sign_example` (1, public)" in markdown[0] and "w \\leftarrow" not in markdown[0]
    update = next(c for c in nb.cells if c.metadata["grader"].get("part") == "update" and c.cell_type == "markdown")
    assert "w \\leftarrow w + \\eta\\, (y - \\hat{y})" in update.source


def test_build_writes_the_notebook_and_validate_fails_when_it_is_out_of_date(tmp_path):
    course = Course(tmp_path)
    shutil.copytree(ROOT / "assignments" / "perceptron", tmp_path / "assignments" / "perceptron")
    shutil.copytree(ROOT / "solutions" / "mistakes" / "perceptron", tmp_path / "solutions" / "mistakes" / "perceptron")
    shutil.copy(ROOT / "solutions" / "perceptron.py", tmp_path / "solutions" / "perceptron.py")
    written = dict(build.build(course, ["perceptron"]))
    notebook = tmp_path / "student_template" / "perceptron.ipynb"
    assert written[notebook] in ("written", "unchanged") and notebook.is_file()
    assert dict(build.build(course, ["perceptron"]))[notebook] == "unchanged"
    assert validate.validate(course, ["perceptron"], students=0).ok
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="left over\n")]
    nbformat.write(nb, str(notebook))
    problems = validate.validate(course, ["perceptron"], students=0).problems
    assert problems == ["perceptron: student_template/perceptron.ipynb is out of date: run `grader build`"]
    notebook.unlink()
    problems = validate.validate(course, ["perceptron"], students=0).problems
    assert problems == ["perceptron: student_template/perceptron.ipynb is missing: run `grader build`"]


# -- checking and grading notebooks -------------------------------------------------------------
@pytest.mark.parametrize("slug", GRADABLE)
def test_filled_notebook_earns_full_marks_with_grader_check(slug, tmp_path, capsys):
    path = save(filled(slug), tmp_path / "work" / f"{COURSE.assignment(slug).module}.ipynb")
    code, out = run_check(capsys, slug, path)
    assert code == 0, out
    assert "(100%)" in out and "not run from your notebook" not in out


@pytest.mark.parametrize("slug", GRADABLE)
def test_filled_notebook_earns_full_marks_in_a_batch(slug, tmp_path):
    module = COURSE.assignment(slug).module
    raw = nbformat.writes(filled(slug)).encode()
    report = grade_folder(tmp_path, {f"alice/{module}.ipynb": raw}, slug)["alice"]
    assert report["status"] == "graded" and report["skipped"] == []
    assert report["points"] == report["max_points"] > 0, [c for c in report["cases"] if c["status"] != "passed"]


def test_stub_notebook_scores_zero_without_listing_its_check_cells(tmp_path, capsys):
    path = save(built("perceptron"), tmp_path / "perceptron.ipynb")
    code, out = run_check(capsys, "perceptron", path)
    assert code == 1 and "public score: 0/8 (0%)" in out and "TODO" in out
    assert "not run from your notebook" not in out


def test_syntax_error_in_one_cell_costs_that_function_and_is_reported(tmp_path, capsys):
    nb = filled("perceptron")
    cell_defining(nb, "predict").source = "def predict(w, X):\n    return sign(w[0] + X @ w[1:]\n"
    path = save(nb, tmp_path / "perceptron.ipynb")
    code, out = run_check(capsys, "perceptron", path)
    assert code == 1
    assert "syntax error on line 2" in out and "(the whole cell was skipped)" in out and "'def predict(w, X):'" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0].islower()}
    assert "PASS" in lines["sign_example"] and "PASS" in lines["update_example"]
    assert "your module has no function 'predict'" in lines["predict_and_gate"]
    report = grade_folder(tmp_path, {"bob/perceptron.ipynb": path.read_bytes()}, "perceptron")["bob"]
    assert report["status"] == "graded" and 0 < report["points"] < report["max_points"]
    assert any("syntax error" in s for s in report["skipped"])


def test_magics_shell_lines_and_experiments_are_skipped_and_listed(tmp_path, capsys):
    nb = filled("perceptron")
    extra = [
        "%matplotlib inline\nimport numpy as np",
        "!pip install numpy",
        "%%time\nwhile True:\n    pass",
        "X = np.array([[0.0, 0.0], [1.0, 1.0]])\nw, history = train(X, np.array([-1, 1]))\nprint(w)",
        "raise SystemExit('an experiment')",
    ]
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in extra)
    path = save(nb, tmp_path / "perceptron.ipynb")
    code, out = run_check(capsys, "perceptron", path)
    assert code == 0 and "public score: 8/8 (100%)" in out
    for shown in ("'%matplotlib inline'", "'!pip install numpy'", "cell magic '%%time'",
                  "not run ('w, history = train(X, np.array([-1, 1]))')", "not run ('print(w)')",
                  "not run (\"raise SystemExit('an experiment')\")"):
        assert shown in out
    report = grade_folder(tmp_path, {"cy/perceptron.ipynb": path.read_bytes()}, "perceptron")["cy"]
    assert report["points"] == report["max_points"] and len(report["skipped"]) == 7


@pytest.mark.parametrize("raw, message", [
    (b"this is not JSON {", "not a Jupyter notebook: the file is not JSON"),
    (b'{"cells": [], "metadata": {}}', "not a Jupyter notebook: the JSON has no 'nbformat' version"),
    (b'[1, 2, 3]', "not a Jupyter notebook: the JSON has no 'nbformat' version"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 7}', "not a valid Jupyter notebook"),
    (b"\xff\xfe\x00garbage", "not a notebook: the file is not UTF-8 text"),
])
def test_unreadable_notebook_gets_a_clear_message_and_zero_and_the_batch_goes_on(raw, message, tmp_path, capsys):
    bad = tmp_path / "perceptron.ipynb"
    bad.write_bytes(raw)
    code, out = run_check(capsys, "perceptron", bad)
    assert code == 1 and message in out and "public score: 0/8 (0%)" in out
    good = nbformat.writes(filled("perceptron")).encode()
    reports = grade_folder(tmp_path, {"dan/perceptron.ipynb": raw, "eve/perceptron.ipynb": good}, "perceptron")
    assert reports["dan"]["status"] == "invalid_submission" and message in reports["dan"]["message"]
    assert reports["dan"]["points"] == 0
    assert reports["eve"]["points"] == reports["eve"]["max_points"]


def test_check_cells_are_left_out_of_the_extracted_code_silently():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nfrom grader.inline import check_part\nimport grader.inline"),
        nbformat.v4.new_code_cell('check_part("perceptron", "sign", globals())\ngrader.inline.check_all("perceptron", globals())'),
        nbformat.v4.new_code_cell("check_other()"),
    ])
    extracted = extract_code(nbformat.writes(nb).encode(), "x.ipynb")
    assert extracted.source == "import numpy as np\n"
    assert extracted.skipped == ("code cell 3, line 1: not run ('check_other()')",)


# -- running in a real kernel -----------------------------------------------------------------------
def execute(nb: nbformat.NotebookNode, cwd: Path) -> list[dict]:
    """Run every cell in a fresh python3 kernel (an exception in any cell fails); the check cells' outputs."""
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("grader", {}).get("role") == "check"]
    outputs = []
    for cell in checks:
        shown = [o for o in cell.outputs if o.output_type == "display_data"]
        assert len(shown) == 1, cell.outputs
        outputs.append(shown[0]["data"])
    return outputs


@pytest.mark.parametrize("slug", GRADABLE)
def test_stub_notebook_runs_headless_and_each_check_cell_shows_not_implemented(slug, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(ROOT))
    assignment = COURSE.assignment(slug)
    shown = execute(built(slug), tmp_path)
    assert len(shown) == len(assignment.parts) + 1
    for data, part in zip(shown, [*assignment.parts, None]):
        assert "not implemented yet" in data["text/plain"] and "public score: 0/" in data["text/plain"]
        assert "<table>" in data["text/html"] and "TODO" in data["text/html"]
        if part is not None:
            names = [c.name for c in part.cases if c.public]
            assert all(n in data["text/plain"] for n in names)
            others = [c.name for c in assignment.cases if c.public and c.part != part.name]
            assert not any(f"\n{n} " in data["text/plain"] for n in others)


@pytest.mark.parametrize("slug", GRADABLE)
def test_filled_notebook_runs_headless_with_every_check_cell_at_full_marks(slug, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(ROOT))
    for data in execute(filled(slug), tmp_path):
        assert "(100%)" in data["text/plain"], data["text/plain"]
        assert "notes:" not in data["text/plain"] and "PASS" in data["text/html"]
