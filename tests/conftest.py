"""Shared fixtures: the real course, and tiny throwaway courses built in code."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.spec import Course

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course() -> Course:
    """The course in this repository."""
    return Course(REPO)


TINY_SOLUTION = '''
"""A tiny assignment for engine tests."""
import numpy as np


def double(x):
    """Return 2 x as float64; x is an array of any shape."""
    return 2.0 * np.asarray(x, dtype=np.float64)


def total(x):
    """The sum of x's entries, a float."""
    return float(np.sum(x))
'''

TINY_CASES = '''
"""Cases of the tiny assignment."""
import numpy as np
from grader.cases import call, run
from grader.checks import Verdict


def double_public(rng):
    return call("double", np.array([1.0, -2.0, 3.5]))


def double_hidden(rng):
    return call("double", rng.standard_normal((3, 4)))


def total_hidden(rng):
    return call("total", rng.standard_normal(5))


def _twice(student, x):
    return [student.double(x), student.double(x)]


def double_twice(rng):
    return run(_twice, x=rng.standard_normal(4))


def is_positive_total(got, expected, probe):
    return Verdict.ok() if isinstance(got, float) and got > 0 else Verdict.fail("not positive")


def total_positive(rng):
    return call("total", np.abs(rng.standard_normal(6)) + 0.1)
'''

TINY_MANIFEST = '''
schema_version: 1
title: Tiny
limits: {time_seconds: 1.5, memory_mb: 256}
parts:
  - name: double
    functions: [double]
    cases:
      - {name: double_public, points: 1, visibility: public}
      - {name: double_hidden, points: 2}
      - {name: double_twice, points: 1}
  - name: total
    functions: [total]
    cases:
      - {name: total_hidden, points: 1}
      - {name: total_positive, points: 1, checks: [reference, is_positive_total]}
'''

TINY_MISTAKE = '''
"""Doubling forgotten."""
MISTAKE = "Returns x instead of 2 x"
RELATED = "factor_half"
HINT = "Multiply by two."


def double(x):
    return np.asarray(x, dtype=np.float64) * 1.0
'''


TINY_VARIANTS = {
    "loops": '''
"""Correct rewrite: loops."""


def double(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    for i in np.ndindex(x.shape):
        out[i] = x[i] + x[i]
    return out


def total(x):
    result = 0.0
    for value in np.asarray(x, dtype=np.float64).ravel():
        result += value
    return result
''',
    "backwards": '''
"""Correct rewrite: another order."""


def double(x):
    return np.multiply(np.asarray(x, dtype=np.float64), 2.0)


def total(x):
    return float(np.sum(np.asarray(x, dtype=np.float64).ravel()[::-1]))
''',
}


def make_course(root: Path, *, manifest: str = TINY_MANIFEST, cases: str = TINY_CASES,
                solution: str = TINY_SOLUTION, mistakes: dict[str, str] | None = None,
                variants: dict[str, str] | None = None) -> Course:
    """A course folder with one assignment, `tiny`, written from the given texts (and its correct
    rewrites under solutions/variants/tiny/)."""
    folder = root / "assignments" / "tiny"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(textwrap.dedent(manifest))
    (folder / "cases.py").write_text(textwrap.dedent(cases))
    (root / "solutions" / "mistakes" / "tiny").mkdir(parents=True)
    (root / "solutions" / "tiny.py").write_text(textwrap.dedent(solution))
    for name, text in (mistakes if mistakes is not None else {"no_doubling": TINY_MISTAKE}).items():
        (root / "solutions" / "mistakes" / "tiny" / f"{name}.py").write_text(textwrap.dedent(text))
    (root / "solutions" / "variants" / "tiny").mkdir(parents=True)
    for name, text in (TINY_VARIANTS if variants is None else variants).items():
        (root / "solutions" / "variants" / "tiny" / f"{name}.py").write_text(textwrap.dedent(text))
    (root / "student_template").mkdir()
    return Course(root)


@pytest.fixture
def tiny_course(tmp_path: Path) -> Course:
    """A freshly written tiny course (no stub or fixtures yet: run build)."""
    return make_course(tmp_path / "course")


@pytest.fixture(autouse=True)
def _no_course_secret_from_the_environment(monkeypatch):
    """Tests expect the built-in default secret: a developer's GRADER_SECRET must not change hidden inputs."""
    monkeypatch.delenv("GRADER_SECRET", raising=False)
    monkeypatch.delenv("GRADER_COURSE", raising=False)
