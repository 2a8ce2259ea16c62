"""Every assignment end to end through the CLI: reference, stub, a named mistake, and validate."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.cli import main
from grader.diagnosis import load_catalogue
from grader.spec import Course

REPO = Path(__file__).resolve().parents[2]
COURSE = Course(REPO)
SLUGS = COURSE.slugs()


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(["--course", str(REPO), *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_all_five_assignments_are_present():
    assert SLUGS == ["backprop", "char_rnn", "conv", "dropout", "perceptron"]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_reference_passes_every_public_case(slug, capsys, tmp_path):
    assignment = COURSE.assignment(slug)
    mine = tmp_path / f"{assignment.module}.py"
    mine.write_text(assignment.solution_path.read_text())
    code, out = run_cli(capsys, "check", slug, "--path", str(mine))
    assert code == 0, out
    assert "(100%)" in out


@pytest.mark.parametrize("slug", SLUGS)
def test_the_stub_scores_zero_and_says_not_implemented(slug, capsys):
    code, out = run_cli(capsys, "check", slug, "--path", str(COURSE.assignment(slug).template_path))
    assert code == 1
    assert "public score: 0/" in out and "not implemented yet" in out
    assert "Traceback" not in out


def _first_public_diagnosis(slug: str) -> tuple[str, str]:
    """A catalogued mistake whose output the public fixtures store (so `check` can name it)."""
    import json

    assignment = COURSE.assignment(slug)
    fixtures = json.loads(assignment.fixtures_path.read_text())
    for case in fixtures["cases"]:
        for mistake_id in sorted(case["mistakes"]):
            return mistake_id, fixtures["mistakes"][mistake_id]["name"]
    raise AssertionError(f"{slug}: no mistake output stored in the public fixtures")


@pytest.mark.parametrize("slug", SLUGS)
def test_check_names_a_catalogued_mistake_from_the_public_fixtures(slug, capsys, tmp_path):
    assignment = COURSE.assignment(slug)
    mistake_id, name = _first_public_diagnosis(slug)
    mistake = next(m for m in load_catalogue(assignment.mistakes_dir) if m.id == mistake_id)
    mine = tmp_path / f"{assignment.module}.py"
    mine.write_text(assignment.solution_path.read_text() + "\n\n" + mistake.source)
    code, out = run_cli(capsys, "check", slug, "--path", str(mine))
    assert code == 1
    assert name[:40] in " ".join(out.split())


@pytest.mark.parametrize("slug", SLUGS)
def test_validate_passes(slug, capsys):
    code, out = run_cli(capsys, "validate", "--assignment", slug, "--students", "3")  # CI's validate runs 200
    assert code == 0, out
    assert "mistakes caught:" in out and "OK:" in out and "audits (every point means what it says)" in out


@pytest.mark.parametrize("slug", SLUGS)
def test_hints_never_quote_the_reference(slug):
    """A wrong answer's hint explains the misconception; it must not hand over solution code."""
    assignment = COURSE.assignment(slug)
    source = assignment.solution_path.read_text()
    body_lines = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            first = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
            for stmt in first:
                for line in ast.get_source_segment(source, stmt).splitlines():
                    line = line.strip()
                    if len(line) >= 16 and not line.startswith(("#", "return ", "raise ", "if ", "for ")):
                        body_lines.add(line)
    for mistake in load_catalogue(assignment.mistakes_dir):
        for line in body_lines:
            assert line not in mistake.hint, f"{mistake.id}: hint quotes the reference: {line!r}"
