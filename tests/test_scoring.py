"""grader.scoring: points from credit fractions, statuses, assignment totals and their JSON form."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from grader.checks import Tolerance
from grader.scoring import STATUSES, AssignmentResult, CaseResult, earned, status_for, whole_assignment
from grader.spec import CaseSpec


@pytest.mark.parametrize("points, fraction, expected", [
    (3, 1.0, 3.0), (3, 0.0, 0.0), (4, 0.25, 1.0),
    (3, 1.5, 3.0),                 # clamped above
    (3, -0.5, 0.0),                # clamped below
    (0.1, 0.3, 0.03),              # 0.1 * 0.3 is 0.030000000000000002 in floats
    (1, 1 / 3, 0.3333),            # rounded to 4 places
    (2, 2 / 3, 1.3333),
    (3, float("nan"), 0.0),        # NaN credit is no credit (min(1.0, nan) would be 1.0)
])
def test_earned_clamps_and_rounds(points, fraction, expected):
    assert earned(points, fraction) == expected


@pytest.mark.parametrize("fraction, status", [
    (1.0, "passed"), (1.2, "passed"), (0.999, "partial"), (1e-9, "partial"), (0.0, "failed"), (-1.0, "failed"),
    (float("nan"), "failed"),
])
def test_status_for(fraction, status):
    assert status_for(fraction) == status
    assert status in STATUSES


def case(name: str, points: float, max_points: float, status: str = "passed", **extra) -> CaseResult:
    return CaseResult(name, "part", "hidden", points, max_points, status, "feedback", **extra)


def test_assignment_points_sum_the_cases_without_float_noise():
    result = AssignmentResult("ann", "demo", "Demo", tuple(case(f"c{i}", 0.1, 0.1) for i in range(3)), 0.3)
    assert result.points == 0.3
    assert sum(c.points for c in result.cases) != 0.3  # what the rounding protects against


def test_assignment_passed_only_when_every_case_passed():
    good = AssignmentResult("ann", "demo", "Demo", (case("a", 1, 1), case("b", 2, 2)), 3)
    partial = AssignmentResult("ann", "demo", "Demo", (case("a", 1, 1), case("b", 1, 2, "partial")), 3)
    assert good.passed and not partial.passed
    assert (good.points, partial.points) == (3, 2)


def test_json_round_trip_keeps_every_field():
    result = AssignmentResult(
        "ann", "demo", "Demo",
        (case("a", 1.5, 2.0, "partial", details=("line one", "line two"), diagnosis="factor_2", hint="Halve it.",
              seconds=0.25),
         CaseResult("b", "other", "public", 0.0, 1.0, "timeout", "time limit exceeded")),
        3.0, status="graded", message="note", isolation="namespace", submission="ann/demo.py", digest="abc123",
        skipped=("cell 3, line 1: not run ('train()')",),
    )
    data = json.loads(json.dumps(result.to_json()))  # must be plain JSON
    assert data["points"] == 1.5 and data["assignment"] == "demo"
    assert data["cases"][0]["details"] == ["line one", "line two"]
    assert AssignmentResult.from_json(data) == result


def test_from_json_fills_optional_fields_with_defaults():
    data = {"student": "ann", "assignment": "demo", "max_points": 1.0,
            "cases": [{"name": "a", "part": "p", "visibility": "hidden", "points": 1.0, "max_points": 1.0,
                       "status": "passed", "feedback": "correct"}]}
    result = AssignmentResult.from_json(data)
    assert result.status == "graded" and result.skipped == () and result.cases[0].details == ()
    assert result.points == 1.0


def spec(name: str, points: float, visibility: str = "hidden") -> CaseSpec:
    return CaseSpec(name, "part", points, visibility, name, ("reference",), Tolerance(), 5.0)


def test_whole_assignment_gives_every_case_zero_with_the_reason():
    assignment = SimpleNamespace(slug="demo", title="Demo")
    specs = [spec("a", 1.0, "public"), spec("b", 2.5)]
    result = whole_assignment("ann", assignment, specs, "invalid_submission", "syntax error on line 3",
                              submission="ann/demo.py")
    assert result.points == 0 and result.max_points == 3.5
    assert result.status == "invalid_submission" and result.message == "syntax error on line 3"
    assert result.submission == "ann/demo.py"
    assert [(c.name, c.visibility, c.points, c.max_points) for c in result.cases] == [
        ("a", "public", 0.0, 1.0), ("b", "hidden", 0.0, 2.5)]
    assert all(c.status == "invalid_submission" and c.feedback == "syntax error on line 3" for c in result.cases)
    assert not result.passed


# --- settle: public points need hidden evidence; a slip is explained once -------------------------
from grader.scoring import settle  # noqa: E402


def _case(name, visibility, points, max_points=1.0, feedback="correct", status=None):
    status = status or ("passed" if points == max_points else "failed")
    return CaseResult(name, "p", visibility, points, max_points, status, feedback, details=("detail",))


CALLS = {"pub": frozenset({"f"}), "hid": frozenset({"f"}), "other": frozenset({"g"}), "val": frozenset({"f"})}


def test_a_public_case_counts_only_when_a_hidden_case_of_its_function_earned_points():
    held = settle((_case("pub", "public", 1.0), _case("hid", "hidden", 0.0), _case("other", "hidden", 1.0)), CALLS)
    assert held[0].points == 0 and held[0].status == "unconfirmed" and "f()" in held[0].feedback
    kept = settle((_case("pub", "public", 1.0), _case("hid", "hidden", 1.0)), CALLS)
    assert kept[0].points == 1.0 and kept[0].status == "passed"


def test_validation_cases_are_no_evidence_and_public_only_grading_keeps_public_points():
    held = settle((_case("pub", "public", 1.0), _case("val", "hidden", 1.0)), CALLS, {"val"})
    assert held[0].points == 0
    assert settle((_case("pub", "public", 1.0),), CALLS)[0].points == 1.0  # a student's local check


def test_the_same_slip_is_explained_once_per_function():
    slip = "right values, wrong dtype: output is float64"
    out = settle((_case("hid", "hidden", 0.5, feedback=slip, status="partial"),
                  _case("pub", "public", 0.5, feedback=slip, status="partial")), CALLS)
    assert out[0].feedback == slip and out[0].details == ("detail",)
    assert out[1].feedback == "right values, wrong dtype (the same slip as in case hid: half credit)" and out[1].details == ()
