"""grader.diagnose.localise and leave_one_out: the first wrong building block of a composite case, and the honest measure."""
from __future__ import annotations

import pytest

from conftest import make_course
from grader.audits import mistake_source
from grader.audits.inprocess import InProcess
from grader.diagnose.leave_one_out import leave_one_out, related
from grader.grading import AssignmentGrader
from grader.sandbox import Sandbox

SOLUTION = '''
import numpy as np


def scale(x):
    return 3.0 * np.asarray(x, dtype=np.float64)


def shift(x):
    return np.asarray(x, dtype=np.float64) + 1.0


def pipeline(x):
    """shift(scale(x)) twice over: scale, shift, scale, shift."""
    y = x
    for _ in range(2):
        y = shift(scale(y))
    return y
'''

CASES = '''
import numpy as np
from grader.cases import call


def scale_case(rng):
    return call("scale", rng.standard_normal(5))


def shift_case(rng):
    return call("shift", rng.standard_normal(5))


def pipeline_case(rng):
    return call("pipeline", rng.standard_normal(5))
'''

MANIFEST = '''
schema_version: 1
title: Pipeline
limits: {time_seconds: 2, memory_mb: 256}
parts:
  - name: blocks
    functions: [scale, shift]
    cases:
      - {name: scale_case, points: 1, description: "scale on five random values"}
      - {name: shift_case, points: 1}
  - name: whole
    functions: [pipeline]
    cases:
      - {name: pipeline_case, points: 2, description: "the whole pipeline"}
'''

SHIFT_TWICE = '''
MISTAKE = "shift adds 2"
HINT = "Add one."
RELATED = "pipeline_three_rounds"


def shift(x):
    return np.asarray(x, dtype=np.float64) + 2.0
'''

THREE_ROUNDS = '''
MISTAKE = "pipeline runs three rounds"
HINT = "Two rounds."


def pipeline(x):
    y = x
    for _ in range(3):
        y = shift(scale(y))
    return y
'''


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


@pytest.fixture
def grader(tmp_path):
    course = make_course(tmp_path / "c", manifest=MANIFEST, cases=CASES, solution=SOLUTION,
                         mistakes={"shift_adds_two": SHIFT_TWICE, "pipeline_three_rounds": THREE_ROUNDS})
    return AssignmentGrader.with_solutions(course.assignment("tiny"), "s")


def source_with(mistake: str) -> str:
    return SOLUTION + "\n" + mistake


def case(result, name):
    return next(c for c in result.cases if c.name == name)


def test_the_wrong_building_block_is_named_in_a_composite_case(grader, sandbox):
    result = grader.grade(sandbox, "ann", source_with(SHIFT_TWICE), "<m.py>")
    whole = case(result, "pipeline_case")
    assert whole.status == "failed" and whole.located == "shift"
    assert "your shift (call 1 of 2)" in whole.hint and "fix shift first" in whole.hint
    # a mistake in the building block matched on the composite case is only "consistent with" it
    assert "Consistent with this mistake: shift adds 2" in whole.hint and "exactly" not in whole.hint
    assert case(result, "shift_case").hint.startswith("Your output is exactly what this mistake gives")


def test_blocks_that_agree_point_at_the_case_s_own_function(grader, sandbox):
    result = grader.grade(sandbox, "ann", source_with(THREE_ROUNDS), "<m.py>")
    whole = case(result, "pipeline_case")
    assert whole.located == "pipeline"
    assert "the error is in pipeline itself" in whole.hint
    assert whole.diagnosis == "pipeline_three_rounds"


def test_failed_cases_show_their_description_and_passed_cases_get_nothing(grader, sandbox):
    result = grader.grade(sandbox, "ann", source_with(SHIFT_TWICE), "<m.py>")
    assert "case: the whole pipeline" in case(result, "pipeline_case").details
    passed = case(result, "scale_case")
    assert passed.status == "passed" and passed.hint == "" and passed.located == "" and passed.details == ()


def test_a_correct_submission_gets_no_diagnosis_and_no_localisation(grader, sandbox):
    result = grader.grade(sandbox, "ann", SOLUTION, "<m.py>")
    assert all(c.status == "passed" and not c.diagnosis and not c.hint and not c.located for c in result.cases)


def test_the_in_process_sandbox_answers_like_the_sandbox(grader, sandbox):
    mistake = grader.catalogue["shift_adds_two"]
    real = grader.grade(sandbox, "ann", source_with(SHIFT_TWICE), "<m.py>")
    source = mistake_source(grader.assignment.solution_path.read_text(encoding="utf-8"), mistake)
    fake = grader.grade(InProcess(), "ann", source, "<m.py>")
    assert [(c.name, c.status, c.diagnosis, c.located) for c in real.cases] == \
        [(c.name, c.status, c.diagnosis, c.located) for c in fake.cases]


def test_leave_one_out_counts_a_related_entry_as_named_and_a_located_function_as_located(grader):
    assert related(grader.catalogue["shift_adds_two"]) == {"shift_adds_two", "pipeline_three_rounds"}
    shift = leave_one_out(grader, grader.catalogue["shift_adds_two"])
    assert shift.verdict == "located" and "@shift" in shift.told
    rounds = leave_one_out(grader, grader.catalogue["pipeline_three_rounds"])
    assert rounds.verdict == "located" and "@pipeline" in rounds.told


def test_leave_one_out_calls_an_unrelated_name_misnamed(tmp_path):
    unrelated = SHIFT_TWICE.replace('RELATED = "pipeline_three_rounds"\n', "")
    copy = THREE_ROUNDS.replace("range(3)", "range(2)").replace("def pipeline", "def shift_unused_helper")
    look_alike = unrelated.replace('MISTAKE = "shift adds 2"', 'MISTAKE = "look-alike"')
    course = make_course(tmp_path / "c", manifest=MANIFEST, cases=CASES, solution=SOLUTION,
                         mistakes={"a": unrelated, "b": look_alike, "c": copy})
    grader = AssignmentGrader.with_solutions(course.assignment("tiny"), "s")
    # b gives exactly a's output but is not declared related: naming it for a is a wrong name
    assert leave_one_out(grader, grader.catalogue["a"]).verdict == "misnamed"


class CountingSandbox:
    """The sandbox, counting its jobs and the cases each ran."""

    def __init__(self, box: Sandbox) -> None:
        self.box, self.jobs = box, []
        self.level = box.level

    def run(self, source, filename, module, cases, limits):
        self.jobs.append([c.name for c in cases])
        return self.box.run(source, filename, module, cases, limits)


def test_a_wrong_early_call_is_settled_by_the_first_calls_alone(grader, sandbox, monkeypatch):
    from grader.diagnose import localise

    monkeypatch.setattr(localise, "FIRST_CALLS", 2)  # scale, shift of the first round; shift (call 1) is wrong
    counting = CountingSandbox(sandbox)
    result = grader.grade(counting, "ann", source_with(SHIFT_TWICE), "<m.py>")
    assert case(result, "pipeline_case").located == "shift"
    grading, *localising = counting.jobs
    assert localising == [["pipeline_case#0", "pipeline_case#1"]]


@pytest.mark.parametrize("first_calls", [1, 2, 3])
@pytest.mark.parametrize("mistake", [SHIFT_TWICE, THREE_ROUNDS])
def test_two_rounds_localise_exactly_as_one_job_with_every_call(grader, sandbox, monkeypatch, mistake, first_calls):
    from grader.diagnose import localise

    monkeypatch.setattr(localise, "FIRST_CALLS", 10_000)
    whole = case(grader.grade(sandbox, "ann", source_with(mistake), "<m.py>"), "pipeline_case")
    monkeypatch.setattr(localise, "FIRST_CALLS", first_calls)
    counting = CountingSandbox(sandbox)
    split = case(grader.grade(counting, "ann", source_with(mistake), "<m.py>"), "pipeline_case")
    assert (split.located, split.hint, split.diagnosis) == (whole.located, whole.hint, whole.diagnosis)
    ran = sorted(name for job in counting.jobs[1:] for name in job)
    assert ran == [f"pipeline_case#{i}" for i in range(4)] \
        or (mistake is SHIFT_TWICE and first_calls >= 2)  # settled early: the rest never ran


NESTED_SOLUTION = SOLUTION.replace('''def pipeline(x):
    """shift(scale(x)) twice over: scale, shift, scale, shift."""
    y = x
    for _ in range(2):
        y = shift(scale(y))
    return y''', '''def step(x):
    return shift(scale(x))


def pipeline(x):
    """step(x) twice over: each step calls scale, then shift."""
    return step(step(x))''')

NESTED_MANIFEST = MANIFEST.replace("functions: [scale, shift]", "functions: [scale, shift, step]")


def test_a_first_wrong_call_whose_inner_calls_are_not_all_in_the_first_round_gets_the_second(tmp_path, sandbox, monkeypatch):
    from grader.diagnose import localise

    course = make_course(tmp_path / "n", manifest=NESTED_MANIFEST, cases=CASES, solution=NESTED_SOLUTION,
                         mistakes={"shift_adds_two": SHIFT_TWICE})
    grader = AssignmentGrader.with_solutions(course.assignment("tiny"), "s")
    source = NESTED_SOLUTION + "\n" + SHIFT_TWICE
    monkeypatch.setattr(localise, "FIRST_CALLS", 2)  # step (wrong) and its scale; its shift is call 2
    counting = CountingSandbox(sandbox)
    whole = case(grader.grade(counting, "ann", source, "<m.py>"), "pipeline_case")
    assert whole.located == "shift" and "your shift (call 1 of 2)" in whole.hint
    assert len(counting.jobs) == 3  # grading, then the two rounds
    # the second round runs the rest of the first wrong call (the first step's shift), not the second step
    assert counting.jobs[2] == ["pipeline_case#2"]


def test_the_second_round_runs_only_the_rest_of_the_first_wrong_call_and_localises_as_every_call_would(
        tmp_path, sandbox, monkeypatch):
    from grader.diagnose import localise

    course = make_course(tmp_path / "n", manifest=NESTED_MANIFEST, cases=CASES, solution=NESTED_SOLUTION,
                         mistakes={"shift_adds_two": SHIFT_TWICE})
    grader = AssignmentGrader.with_solutions(course.assignment("tiny"), "s")
    source = NESTED_SOLUTION + "\n" + SHIFT_TWICE
    monkeypatch.setattr(localise, "FIRST_CALLS", 10_000)
    every = case(grader.grade(sandbox, "ann", source, "<m.py>"), "pipeline_case")
    for first_calls in (1, 2):
        monkeypatch.setattr(localise, "FIRST_CALLS", first_calls)
        counting = CountingSandbox(sandbox)
        split = case(grader.grade(counting, "ann", source, "<m.py>"), "pipeline_case")
        assert (split.located, split.hint) == (every.located, every.hint)
        assert not any(name in ("pipeline_case#3", "pipeline_case#4", "pipeline_case#5")
                       for job in counting.jobs[1:] for name in job)  # the second step: never needed
