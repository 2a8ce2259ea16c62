"""Batch grading: a student whose grading runs past the per-student cap is stopped and marked; the batch completes."""
from __future__ import annotations

import pytest

from grader.batch import Job, Settings, run_jobs
from grader.submissions import SubmittedFile

LOOPER = b"def sign(z):\n    while True:\n        pass\n"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_student_past_the_cap_is_stopped_and_the_others_are_graded(course, workers):
    reference = (course.root / "solutions" / "perceptron.py").read_bytes()
    jobs = [Job("looper", {"perceptron": SubmittedFile("looper/perceptron.py", LOOPER)}, ("perceptron",)),
            Job("honest", {"perceptron": SubmittedFile("honest/perceptron.py", reference)}, ("perceptron",))]
    settings = Settings(str(course.root), ("perceptron",), "a-test-secret-of-16+", (str(course.root),), "auto",
                        cap_seconds=4.0)
    results = dict(run_jobs(jobs, settings, workers))
    (looper,) = results["looper"]
    (honest,) = results["honest"]
    assert looper.points == 0 and "grading stopped: it took too long" in looper.cases[0].feedback
    assert honest.points == honest.max_points
