"""The catalogue's runs: a mistake's output on a case is the same whatever ran before it."""
from __future__ import annotations

from grader.checks import matches
from grader.diagnose.runs import CatalogueRuns
from grader.grading import AssignmentGrader


def test_a_stateful_mistake_gives_the_same_output_on_a_case_whatever_ran_before(course):
    grader = AssignmentGrader.with_solutions(course.assignment("char_rnn"))
    cases = {c.spec.name: c for c in grader.prepare("student0001")}
    case = cases["loss_random"]
    first = CatalogueRuns(grader).run(case, "hidden_state_kept", watch=False)  # leaves its final state behind, if it could
    again = CatalogueRuns(grader).run(case, "hidden_state_kept", watch=False)  # another student's grading, same inputs
    assert first.ok and again.ok
    assert matches(again.output, first.output, case.spec.tolerance)


def test_a_stateful_mistakes_outputs_do_not_depend_on_the_order_of_the_runs(course):
    grader = AssignmentGrader.with_solutions(course.assignment("char_rnn"))
    cases = [c for c in grader.prepare("student0002") if c.spec.name.startswith(("loss_", "no_hidden"))]
    forward = [CatalogueRuns(grader).run(c, "hidden_state_kept", watch=False).output for c in cases]
    backward = [CatalogueRuns(grader).run(c, "hidden_state_kept", watch=False).output for c in reversed(cases)]
    assert all(matches(a, b, c.spec.tolerance) for a, b, c in zip(forward, reversed(backward), cases))
