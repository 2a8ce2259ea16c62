"""Grading throughput: a synthetic class graded end to end, against the cost of a fresh interpreter.

Usage: python benchmarks/grade_throughput.py [--students 200] [--jobs 2] [--assignment perceptron ...]

Each synthetic student submits, for every assignment, either the reference or one catalogued
mistake (round robin), so the run exercises passing, failing and diagnosing. Prints seconds per
(student x assignment) and what a fresh `python -c "import numpy"` per submission would add.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.commands.grade import grade  # noqa: E402
from grader.diagnosis import load_catalogue  # noqa: E402
from grader.spec import Course  # noqa: E402


def make_class(course: Course, slugs: list[str], students: int, root: Path) -> None:
    """Write ``students`` folders, each holding a reference or mistake variant per assignment."""
    for slug in slugs:
        assignment = course.assignment(slug)
        reference = assignment.solution_path.read_text()
        variants = [reference] + [f"{reference}\n\n{m.source}" for m in load_catalogue(assignment.mistakes_dir)]
        for i in range(students):
            folder = root / f"student{i:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{assignment.module}.py").write_text(variants[i % len(variants)])


def fresh_interpreter_seconds(repeats: int = 10) -> float:
    """Mean wall time of starting Python and importing numpy (what a non-forking sandbox pays)."""
    started = time.perf_counter()
    for _ in range(repeats):
        subprocess.run([sys.executable, "-I", "-c", "import numpy"], check=True)
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", action="append", dest="slugs")
    args = parser.parse_args()
    course = Course(REPO)
    slugs = args.slugs or course.slugs()
    with tempfile.TemporaryDirectory() as tmp:
        subs, out = Path(tmp) / "subs", Path(tmp) / "out"
        make_class(course, slugs, args.students, subs)
        started = time.perf_counter()
        run = grade(course, subs, out, slugs, jobs=args.jobs, fresh=True, progress=False)
        elapsed = time.perf_counter() - started
    runs = args.students * len(slugs)
    cases = sum(len(r.cases) for rows in run.rows.values() for r in rows)
    spawn = fresh_interpreter_seconds()
    print(f"assignments: {', '.join(slugs)}; students: {args.students}; jobs: {args.jobs}; isolation: {run.isolation}")
    print(f"graded {runs} submissions ({cases} cases) in {elapsed:.1f} s: "
          f"{1000 * elapsed / runs:.1f} ms per submission, {runs / elapsed:.1f} submissions/s")
    print(f"a fresh interpreter with numpy costs {1000 * spawn:.0f} ms each: "
          f"{spawn * runs / args.jobs:.1f} s more for this class without the fork server")


if __name__ == "__main__":
    main()
