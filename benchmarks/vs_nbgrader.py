"""Side by side with nbgrader: the same 20-student perceptron class graded by both; wall and CPU ratios.

Usage: python benchmarks/vs_nbgrader.py [--students 20] [--jobs N] [--keep DIR]

Installs nbgrader (and numpy) into a throwaway virtual environment from the package index; when
that fails (no network, no index), says so and stops: nothing is measured. The class is 70 % the
reference, 20 % a catalogued mistake, 5 % the stub, 5 % code that raises (as realistic_class.py).
nbgrader grades each student's notebook (the code in one solution cell, one autograder test cell of
two checks: training on AND and predicting); ours grades the same code with every perceptron case
(sandboxed, hidden inputs per student, diagnosis). CPU is the machine's busy time during each run
(/proc/stat; run it on an otherwise idle machine): a process tree's own count misses what runs in
sandboxes and kernel threads, for both. Not run in CI: it downloads nbgrader and its
Jupyter stack and takes minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from realistic_class import MIX, _machine_busy  # noqa: E402
from grader.commands.grade import grade  # noqa: E402
from grader.diagnosis import load_catalogue  # noqa: E402
from grader.spec import Course  # noqa: E402

TEST_CELL = textwrap.dedent("""\
    import numpy as np
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    w, _ = train(X, np.array([-1, -1, -1, 1]), lr=1.0, max_iter=100)
    assert np.allclose(w, [-4, 4, 2]), w
    assert list(predict(np.array(w), X)) == [-1, -1, -1, 1]
""")


def _cell(source: str, grade_id: str, *, solution: bool, points: int = 0) -> dict:
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if not solution:
        meta["points"] = points
    return {"cell_type": "code", "execution_count": None, "id": grade_id, "metadata": {"nbgrader": meta},
            "outputs": [], "source": source}


def notebook(code: str) -> dict:
    return {"cells": [_cell(code, "perceptron_code", solution=True), _cell(TEST_CELL, "test_and_gate", solution=False, points=2)],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def codes(course: Course, students: int) -> dict[str, str]:
    """Each student's perceptron.py, mixed as in realistic_class.py."""
    assignment = course.assignment("perceptron")
    reference = assignment.solution_path.read_text()
    mistakes = [m.source for m in load_catalogue(assignment.mistakes_dir)]
    stub = assignment.template_path.read_text()
    broken = assignment.functions[len(assignment.functions) // 2]
    out, wrong = {}, 0
    for i in range(students):
        kind = MIX[(i * 7) % len(MIX)]
        if kind == "mistake":
            out[f"student{i:03d}"] = f"{reference}\n\n{mistakes[wrong % len(mistakes)]}"
            wrong += 1
        elif kind == "reference":
            out[f"student{i:03d}"] = reference
        elif kind == "stub":
            out[f"student{i:03d}"] = stub
        else:
            out[f"student{i:03d}"] = f"{reference}\n\ndef {broken}(*args, **kwargs):\n    raise ValueError('not today')\n"
    return out


def install_nbgrader(env_dir: Path) -> Path | None:
    """A venv with nbgrader and numpy; None (with the reason printed) when it cannot be installed."""
    print(f"installing nbgrader into {env_dir} (a few minutes) ...", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    except Exception as exc:  # noqa: BLE001 - any failure means: cannot compare
        print(f"nbgrader comparison skipped: cannot create a virtual environment ({exc})")
        return None
    python = env_dir / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "nbgrader", "numpy", "ipykernel"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print("nbgrader comparison skipped: `pip install nbgrader` failed (is the package index reachable?)")
        print(textwrap.indent(done.stderr.strip()[-1500:], "  "))
        return None
    return env_dir / "bin"


def run_nbgrader(bin_dir: Path, root: Path, students: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """Autograde every student's notebook with nbgrader; (wall, CPU, scores)."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.CourseDirectory.course_id = 'dl'\n"
        "c.ExecutePreprocessor.timeout = 60\n" % str(root))
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    (source / "perceptron.ipynb").write_text(json.dumps(notebook("# YOUR CODE HERE\nraise NotImplementedError()")))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "JUPYTER_PLATFORM_DIRS": "1"}
    subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", "ps1", "--force", "--create"],
                   cwd=root, env=env, check=True, capture_output=True)
    for student, code in students.items():
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        (folder / "perceptron.ipynb").write_text(json.dumps(notebook(code)))
    cpu0, wall0 = _machine_busy(), time.perf_counter()
    done = subprocess.run([str(bin_dir / "nbgrader"), "autograde", "ps1", "--create", "--force"],
                          cwd=root, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall0, _machine_busy() - cpu0
    if done.returncode != 0:
        print(textwrap.indent(done.stderr[-2000:], "  nbgrader: "))
    scores = {}
    for student in students:
        graded = root / "autograded" / student / "ps1" / "perceptron.ipynb"
        scores[student] = float(graded.is_file())
    return wall, cpu, scores


def run_ours(course: Course, root: Path, students: dict[str, str], jobs: int | None) -> tuple[float, float]:
    subs = root / "subs"
    for student, code in students.items():
        (subs / student).mkdir(parents=True)
        (subs / student / "perceptron.py").write_text(code)
    cpu0, wall0 = _machine_busy(), time.perf_counter()
    grade(course, subs, root / "out", ["perceptron"], jobs=jobs, fresh=True, progress=False)
    return time.perf_counter() - wall0, _machine_busy() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None, help="ours: worker processes (default: as `grader grade` chooses)")
    parser.add_argument("--keep", type=Path, help="keep the nbgrader environment here (reused when present)")
    args = parser.parse_args()
    course = Course(REPO)
    students = codes(course, args.students)
    with tempfile.TemporaryDirectory() as tmp:
        env_dir = args.keep or Path(tmp) / "nbgrader-venv"
        bin_dir = env_dir / "bin" if (env_dir / "bin" / "nbgrader").exists() else install_nbgrader(env_dir)
        if bin_dir is None:
            sys.exit(0)
        version = subprocess.run([str(bin_dir / "nbgrader"), "--version"], capture_output=True, text=True).stdout.strip().splitlines()[-1]
        ours_wall, ours_cpu = run_ours(course, Path(tmp) / "ours", students, args.jobs)
        nb_wall, nb_cpu, _ = run_nbgrader(bin_dir, Path(tmp) / "nbgrader", students)
    cases = len(course.assignment("perceptron").cases)
    print(f"{args.students} perceptron students; nbgrader {version}: 1 test cell of 2 checks; ours: {cases} cases, "
          f"jobs {args.jobs or 'default'}")
    print(f"nbgrader  wall {nb_wall:7.1f} s   CPU {nb_cpu:7.1f} s")
    print(f"ours      wall {ours_wall:7.1f} s   CPU {ours_cpu:7.1f} s")
    print(f"ratio     wall {nb_wall / ours_wall:7.1f} x   CPU {nb_cpu / ours_cpu:7.1f} x   (goal >= 20x)")


if __name__ == "__main__":
    main()
