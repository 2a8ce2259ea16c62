"""How many worker processes `grader grade` starts when --jobs is not given."""
from __future__ import annotations

import pytest

from grader.batch import Job
from grader.commands import grade as grade_command


def _batch(students: int, assignments: int) -> list[Job]:
    return [Job(f"s{i}", {}, tuple(f"a{k}" for k in range(assignments))) for i in range(students)]


@pytest.fixture
def eight_cpus(monkeypatch):
    monkeypatch.setattr(grade_command.os, "cpu_count", lambda: 8)


def test_a_small_batch_grades_in_one_process(eight_cpus):
    assert grade_command.default_workers(_batch(20, 1)) == 1
    assert grade_command.default_workers(_batch(1, 5)) == 1


def test_workers_grow_with_the_batch_up_to_one_per_cpu(eight_cpus):
    per = grade_command.SUBMISSIONS_PER_WORKER
    assert grade_command.default_workers(_batch(3 * per, 1)) == 3
    assert grade_command.default_workers(_batch(1000, 5)) == 8


def test_rlimits_only_always_grades_in_replaceable_workers(eight_cpus, monkeypatch):
    assert grade_command.default_workers(_batch(1, 1), "rlimits-only") == 8
    monkeypatch.setattr(grade_command.os, "cpu_count", lambda: 1)
    assert grade_command.default_workers(_batch(1, 1), "rlimits-only") == 2
