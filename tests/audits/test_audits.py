"""Each audit of `grader validate` passes on a sound tiny course and fails on purpose on a flawed one."""
from __future__ import annotations

import pytest

from conftest import TINY_CASES, TINY_MANIFEST, TINY_MISTAKE, make_course
from grader import audits
from grader.audits import fairness, public_only, rewrites, trivial
from grader.audits.inprocess import grade_source, scores_only
from grader.grading import AssignmentGrader


def grader_for(course) -> AssignmentGrader:
    return AssignmentGrader.with_solutions(course.assignment("tiny"), "audit-test")


def problems(findings, audit=None):
    return [f for f in findings if not f.ok and (audit is None or f.audit == audit)]


def test_a_sound_course_passes_every_audit(tiny_course):
    findings = audits.audit_assignment(grader_for(tiny_course), students=20, mistake_students=20)
    assert {f.audit for f in findings} == {"trivial", "public_only", "rewrites", "fairness"}
    assert problems(findings) == []
    assert "returns zeros" in audits.render(findings)


# -- trivial answers -------------------------------------------------------------------------------
VACUOUS = TINY_CASES + '''

def is_finite_total(got, expected, probe):
    return Verdict.ok() if np.isfinite(got) else Verdict.fail("not finite")


def total_finite(rng):
    return call("total", rng.standard_normal(4))
'''


def test_a_vacuous_property_case_fails_the_trivial_answer_audit(tmp_path):
    manifest = TINY_MANIFEST + "      - {name: total_finite, points: 1, checks: [is_finite_total]}\n"
    course = make_course(tmp_path / "c", manifest=manifest, cases=VACUOUS)
    found = problems(trivial.audit(scores_only(grader_for(course)), grade_source, ["a", "b"]))
    assert found and all("total_finite" in f.problem for f in found)
    assert {f.subject for f in found} == {"returns zeros", "returns ones", "returns random", "returns first_input"}


def test_validation_cases_may_pay_do_nothing_answers_but_only_up_to_the_cap(tmp_path):
    cases = TINY_CASES + '''

def _rejects(student, x):
    try:
        student.total("not numbers")
        return "accepted"
    except Exception as exc:
        return type(exc).__name__


def total_rejects(rng):
    return run(_rejects, x=1)
'''
    small = TINY_MANIFEST + "      - {name: total_rejects, points: 0.5, kind: validation}\n"
    course = make_course(tmp_path / "small", manifest=small, cases=cases)
    assert problems(trivial.audit(scores_only(grader_for(course)), grade_source, ["a"])) == []
    large = TINY_MANIFEST + "      - {name: total_rejects, points: 3, kind: validation}\n"
    course = make_course(tmp_path / "large", manifest=large, cases=cases)
    found = problems(trivial.audit(scores_only(grader_for(course)), grade_source, ["a"]))
    assert any("validation cases hold 3 of 9 points" in f.problem for f in found)


def test_do_nothing_answers_keep_the_reference_structure_and_raise_where_it_raises():
    source = trivial.do_nothing_source("def f(x):\n    if x < 0:\n        raise ValueError('no')\n    return (x, [x * 2.0])\n",
                                       ("f",), "ones")
    namespace: dict = {}
    exec(source, namespace)
    assert namespace["f"](3) == (1, [1.0])
    with pytest.raises(ValueError):
        namespace["f"](-1)


# -- public answers alone --------------------------------------------------------------------------
def test_copied_public_answers_earn_nothing(tiny_course):
    assert problems(public_only.audit(grader_for(tiny_course), ["a", "b"])) == []


def test_public_points_without_hidden_evidence_fail_the_audit(tiny_course, monkeypatch):
    monkeypatch.setattr("grader.grading.settle", lambda results, calls, validation=(): results)
    found = problems(public_only.audit(grader_for(tiny_course), ["a"]))
    assert found and "double_public" in found[0].problem


def test_a_public_case_no_hidden_case_backs_costs_correct_code_its_points(tmp_path):
    manifest = TINY_MANIFEST.replace("      - {name: total_hidden, points: 1}\n", "").replace(
        "      - {name: total_positive, points: 1, checks: [reference, is_positive_total]}\n",
        "      - {name: total_positive, points: 1, visibility: public, checks: [reference, is_positive_total]}\n")
    course = make_course(tmp_path / "c", manifest=manifest)
    tally = rewrites.Tally("tiny", course.assignment("tiny").max_points)
    fast = scores_only(grader_for(course))
    tally.add("reference", grade_source(fast, "a", course.assignment("tiny").solution_path.read_text(), "ref"))
    row = next(f for f in tally.findings(["reference"]) if f.subject == "reference")
    assert not row.ok and "total_positive" in row.problem and "a hidden case of total()" in row.problem
    found = problems(public_only.audit(grader_for(course), ["a"]))
    assert [f.subject for f in found] == ["public case total_positive"] and "no hidden answer case" in found[0].problem


# -- correct rewrites ------------------------------------------------------------------------------
BOUNDARY_SOLUTION = '''
import numpy as np


def side(w, x):
    """+1 when w[0] + x . w[1:] > 0, else -1."""
    return 1 if w[0] + np.asarray(x) @ np.asarray(w[1:]) > 0 else -1
'''

INEXACT_CASES = '''
import numpy as np
from grader.cases import call


def side_boundary(rng):
    w = rng.uniform(-3, 3, size=4)
    x = rng.uniform(-3, 3, size=3)
    x[0] = -(w[0] + x[1] * w[2] + x[2] * w[3]) / w[1]  # "on the boundary", but not exactly
    return call("side", w, x)
'''

BOUNDARY_MANIFEST = '''
schema_version: 1
title: Boundary
parts:
  - name: side
    functions: [side]
    cases:
      - {name: side_boundary, points: 2}
'''

LOOP_SIDE = '''
def side(w, x):
    z = 0.0
    for xi, wi in zip(x[::-1], w[:0:-1]):
        z += xi * wi
    return 1 if z + w[0] > 0 else -1
'''


def test_a_generator_with_an_inexact_boundary_fails_the_rewrite_audit(tmp_path):
    course = make_course(tmp_path / "c", manifest=BOUNDARY_MANIFEST, cases=INEXACT_CASES, solution=BOUNDARY_SOLUTION,
                         mistakes={}, variants={"loop": LOOP_SIDE, "same": "\n"})
    findings = audits.audit_assignment(grader_for(course), students=60, mistake_students=0)
    loop = next(f for f in findings if f.audit == "rewrites" and f.subject == "loop")
    assert not loop.ok and "lose points" in loop.problem and "side_boundary" in loop.problem


def test_fewer_than_two_rewrites_fail_the_audit(tmp_path):
    course = make_course(tmp_path / "c", variants={"only": "\n"})
    found = problems(audits.audit_assignment(grader_for(course), students=2, mistake_students=2), "rewrites")
    assert any("at least 2 correct rewrites" in f.problem for f in found)


# -- fair mistakes ---------------------------------------------------------------------------------
SOMETIMES = TINY_MISTAKE.replace("np.asarray(x, dtype=np.float64) * 1.0", "np.abs(np.asarray(x, dtype=np.float64)) * 2.0").replace(
    "Returns x instead of 2 x", "Doubles the absolute value")

ONE_NUMBER = TINY_CASES.replace("return call(\"double\", rng.standard_normal((3, 4)))", "return call(\"double\", rng.standard_normal(1))")


def test_a_mistake_whose_cost_depends_on_the_student_fails_the_fairness_audit(tmp_path):
    course = make_course(tmp_path / "c", cases=ONE_NUMBER, mistakes={"abs": SOMETIMES})
    findings = audits.audit_assignment(grader_for(course), students=2, mistake_students=20)
    row = next(f for f in findings if f.audit == "fairness")
    assert row.subject == "abs" and not row.ok and "over 20 students" in row.problem
    assert row.score.startswith("1-") or "-" in row.score


def test_the_allowed_spread_is_one_point_or_five_percent():
    assert fairness.allowed_spread(10) == 1.0
    assert fairness.allowed_spread(40) == 2.0


# -- cost ------------------------------------------------------------------------------------------
COUNTING = '''
import builtins


def double(x):
    builtins.tiny_public_runs = getattr(builtins, "tiny_public_runs", 0) + (np.asarray(x).tolist() == [1.0, -2.0, 3.5])
    return 2.0 * np.asarray(x, dtype=np.float64)
'''


def test_a_public_case_runs_once_per_implementation_however_many_students(tiny_course):
    import builtins

    fast = scores_only(grader_for(tiny_course))
    reference = tiny_course.assignment("tiny").solution_path.read_text(encoding="utf-8")
    source = f"{reference}\n{COUNTING}"
    builtins.tiny_public_runs = 0
    try:
        results = [grade_source(fast, f"s{i}", source, "<counting>") for i in range(5)]
        assert builtins.tiny_public_runs == 1
        assert all(r.points == r.max_points for r in results)  # the kept outcome scores like a fresh one
        assert {c.name for c in results[-1].cases if c.status == "passed"} >= {"double_public", "double_hidden"}
    finally:
        del builtins.tiny_public_runs
