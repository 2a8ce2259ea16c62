"""Batch grading: a student whose grading runs past the per-student cap is stopped and marked; the batch completes."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.batch import Job, Settings, run_jobs
from grader.submissions import SubmittedFile

REPO = Path(__file__).resolve().parents[1]

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


def test_a_stopped_student_leaves_no_process_running(course):
    import os
    import time

    marker = b"def sign(z):\n    while True:  # hx-watchdog-marker\n        pass\n"
    job = Job("looper", {"perceptron": SubmittedFile("looper/perceptron.py", marker)}, ("perceptron",))
    settings = Settings(str(course.root), ("perceptron",), "a-test-secret-of-16+", (str(course.root),), "auto",
                        cap_seconds=2.0)
    for workers in (1, 2):
        dict(run_jobs([job, job], settings, workers))
    time.sleep(1.0)
    me = os.getpid()
    running = [p for p in os.listdir("/proc") if p.isdigit() and _busy_sandbox_child(int(p), me)]
    assert not running


def _busy_sandbox_child(pid: int, me: int) -> bool:
    """A process still running this checkout's sandbox code, outside this test process."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    root = str(__import__("pathlib").Path(__file__).resolve().parents[1]).encode()
    return pid != me and b"grader.sandbox.zygote" in cmdline and root in cmdline and state == b"R"


def test_a_grading_process_keeps_freed_large_blocks_for_reuse():
    script = textwrap.dedent('''
        import resource, numpy as np
        from grader.batch import keep_freed_memory

        def faults(base):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for i in range(10):
                np.empty(base + 512 * i).fill(1.0)  # a little larger each time
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

        untuned = faults(3 * 131072)
        keep_freed_memory()
        print(untuned, faults(3 * 131072 + 65536))
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    untuned, tuned = map(int, done.stdout.split())
    pages = (3 * 2**20 + 2**19) // os.sysconf("SC_PAGE_SIZE")
    assert untuned > 5 * pages  # glibc's default maps each growing array afresh
    assert tuned < 3 * pages  # kept blocks fault in about once
