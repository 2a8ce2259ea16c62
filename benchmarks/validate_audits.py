"""What validate's audits cost: wall and CPU seconds of each assignment's audits, in this process.

Usage: python benchmarks/validate_audits.py [--students 20] [--assignment perceptron ...]

Prints, per assignment, the seconds the four audits take with ``--students`` ids per correct
implementation (and ``audits.mistake_students(students)`` per catalogued mistake), and the total.
`grader validate` runs the assignments' audits and the leave-one-out measure in worker processes
(one per core) beside the sandboxed checks, so on two idle cores its wall time is roughly all
their CPU time over two.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.audits import STUDENTS, audit_slug  # noqa: E402
from grader.spec import Course  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--assignment", action="append", dest="slugs")
    args = parser.parse_args()
    course = Course(REPO)
    total_wall = total_cpu = 0.0
    for slug in args.slugs or course.slugs():
        wall, cpu = time.perf_counter(), time.process_time()
        findings = audit_slug(str(REPO), slug, args.students)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        failed = sum(not f.ok for f in findings)
        print(f"{slug:<12} {wall:7.1f} s wall {cpu:7.1f} s CPU  {len(findings)} rows, {failed} failed")
    print(f"{'total':<12} {total_wall:7.1f} s wall {total_cpu:7.1f} s CPU  ({args.students} students)")


if __name__ == "__main__":
    main()
