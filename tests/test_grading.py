"""The grading pipeline on a tiny throwaway assignment: seeds, scoring, diagnosis, build and validate."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import TINY_CASES, TINY_MANIFEST, TINY_MISTAKE, make_course
from grader.commands.build import build
from grader.commands.validate import validate
from grader.errors import SpecError
from grader.grading import AssignmentGrader
from grader.sandbox import Sandbox

CORRECT = "import numpy as np\n\ndef double(x):\n    return 2.0 * np.asarray(x, dtype=np.float64)\n\ndef total(x):\n    return float(np.sum(x))\n"


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def grader_for(course, secret="s") -> AssignmentGrader:
    return AssignmentGrader.with_solutions(course.assignment("tiny"), secret)


def test_a_correct_submission_gets_every_point(tiny_course, sandbox):
    result = grader_for(tiny_course).grade(sandbox, "ann", CORRECT, "<tiny.py>")
    assert result.points == result.max_points == 6
    assert all(c.status == "passed" for c in result.cases)


def test_hidden_inputs_differ_between_students_and_secrets_but_not_between_runs(tiny_course):
    grader = grader_for(tiny_course)
    spec = grader.assignment.case("double_hidden")
    ann = grader.probe_for(spec, "ann").args[0]
    assert np.array_equal(ann, grader.probe_for(spec, "ann").args[0])
    assert not np.array_equal(ann, grader.probe_for(spec, "bob").args[0])
    assert not np.array_equal(ann, grader_for(tiny_course, "other").probe_for(spec, "ann").args[0])
    public = grader.assignment.case("double_public")
    assert np.array_equal(grader.probe_for(public, "ann").args[0], grader.probe_for(public, "bob").args[0])


def test_a_hard_coded_answer_fails_the_hidden_cases(tiny_course, sandbox):
    grader = grader_for(tiny_course)
    expected = grader.prepare("ann")[1].expected  # what ann's hidden case expects
    cheat = f"import numpy as np\n\ndef double(x):\n    return np.array({expected.tolist()!r})\n\ndef total(x):\n    return 0.0\n"
    on_ann = {c.name: c.status for c in grader.grade(sandbox, "ann", cheat, "<tiny.py>").cases}
    on_bob = {c.name: c.status for c in grader.grade(sandbox, "bob", cheat, "<tiny.py>").cases}
    assert on_ann["double_hidden"] == "passed"  # the numbers leaked for ann...
    assert on_bob["double_hidden"] == "failed"  # ...say nothing about bob's


def test_a_wrong_answer_is_named_by_the_catalogue(tiny_course, sandbox):
    wrong = CORRECT.replace("2.0 * np.asarray", "1.0 * np.asarray")
    result = grader_for(tiny_course).grade(sandbox, "ann", wrong, "<tiny.py>")
    failed = [c for c in result.cases if c.part == "double"]
    assert all(c.status == "failed" and c.diagnosis == "no_doubling" for c in failed)
    assert "Returns x instead of 2 x" in failed[0].hint and "Multiply by two." in failed[0].hint


def test_a_constant_factor_is_diagnosed_without_a_catalogue_entry(tiny_course, sandbox):
    wrong = CORRECT.replace("2.0 * np.asarray", "4.0 * np.asarray")
    result = grader_for(tiny_course).grade(sandbox, "ann", wrong, "<tiny.py>")
    assert {c.diagnosis for c in result.cases if c.part == "double"} == {"factor_2"}


def test_a_property_check_runs_besides_the_reference(tiny_course, sandbox):
    wrong = CORRECT.replace("return float(np.sum(x))", "return -float(np.sum(x))")
    result = grader_for(tiny_course).grade(sandbox, "ann", wrong, "<tiny.py>")
    case = next(c for c in result.cases if c.name == "total_positive")
    assert case.status == "failed" and case.points == 0


def test_a_failing_generator_is_a_spec_error_naming_the_case(tmp_path):
    course = make_course(tmp_path / "c", cases=TINY_CASES.replace('return call("total", rng.standard_normal(5))', "return 1 / 0"))
    with pytest.raises(SpecError) as info:
        grader_for(course).prepare("ann")
    assert "cases.py" in str(info.value) and "total_hidden" in str(info.value) and "ZeroDivisionError" in str(info.value)


def test_a_property_check_that_returns_no_verdict_is_a_spec_error(tmp_path, sandbox):
    course = make_course(tmp_path / "c", cases=TINY_CASES.replace('return Verdict.ok() if', 'return True if'))
    with pytest.raises(SpecError, match="must return a Verdict"):
        grader_for(course).grade(sandbox, "ann", CORRECT, "<tiny.py>")


def test_build_then_validate_passes_on_a_consistent_course(tiny_course):
    written = dict((p.name, state) for p, state in build(tiny_course))
    assert written == {"tiny.py": "written", "fixtures.json": "written", "tiny.ipynb": "written"}
    report = validate(tiny_course, students=20)
    assert report.ok, report.problems
    assert [c.mistake for c in report.coverage] == ["no_doubling"] and report.coverage[0].diagnosed


def test_validate_fails_on_a_mistake_no_case_catches(tmp_path):
    harmless = TINY_MISTAKE.replace("* 1.0", "* 2.0").replace("Returns x instead of 2 x", "Harmless")
    course = make_course(tmp_path / "c", mistakes={"no_doubling": TINY_MISTAKE, "harmless": harmless})
    build(course)
    report = validate(course, students=0)
    assert any("mistake 'harmless'" in p and "loses no points" in p for p in report.problems)


def test_validate_fails_when_the_stub_or_fixtures_are_stale(tiny_course):
    build(tiny_course)
    solution = tiny_course.solutions_dir / "tiny.py"
    solution.write_text(solution.read_text().replace('"""Return 2 x', '"""Return twice x'))
    problems = validate(tiny_course, students=0).problems
    assert any("student_template/tiny.py is out of date" in p for p in problems)
    build(tiny_course)
    fixtures = tiny_course.assignment("tiny").fixtures_path
    fixtures.write_text(fixtures.read_text().replace("-4.0", "-4.5"))
    assert any("fixtures.json is out of date" in p for p in validate(tiny_course, students=0).problems)


def test_validate_fails_when_the_reference_misses_a_case(tmp_path):
    course = make_course(tmp_path / "c", cases=TINY_CASES.replace('got > 0 else', 'got > 1e9 else'))
    build(course)
    problems = validate(course, students=0).problems
    assert any("the reference fails case total_positive" in p for p in problems)


def test_a_failed_hidden_case_describes_what_is_wrong_without_the_expected_array(tmp_path, sandbox):
    manifest = TINY_MANIFEST.replace("{name: double_hidden, points: 2}", "{name: double_hidden, points: 2, description: doubles a 3x4 array}")
    course = make_course(tmp_path / "c", manifest=manifest)
    wrong = CORRECT.replace("2.0 * np.asarray", "3.0 * np.asarray")
    case = next(c for c in grader_for(course).grade(sandbox, "ann", wrong, "<tiny.py>").cases if c.name == "double_hidden")
    assert "case: doubles a 3x4 array" in case.details and "12 of 12 values wrong" in case.feedback
    assert not any(line.startswith("expected:") for line in case.details)
    full = make_course(tmp_path / "full", manifest="hidden_feedback: full\n" + manifest.lstrip("\n"))
    case = next(c for c in grader_for(full).grade(sandbox, "ann", wrong, "<tiny.py>").cases if c.name == "double_hidden")
    assert any(line.startswith("expected:") for line in case.details)
