"""What the structural rules look at and say: a finding, its context, the components of two outputs, and the numeric views rules share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from grader.checks import Tolerance, matches


@dataclass(frozen=True)
class Finding:
    """What a rule saw: its id (stable, for reports and the leave-one-out measure), a name and a hint."""

    id: str
    name: str
    hint: str
    where: str = ""  # the output component it concerns ("" for the whole output)


@dataclass(frozen=True)
class Context:
    """What the rules may know besides the two values: the case's tolerance and what factors mean here."""

    tol: Tolerance = field(default_factory=Tolerance)
    factor_meanings: dict = field(default_factory=dict)  # twice | half | sign | whole_number | other -> sentence


def leaves(got: Any, expected: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, got, expected) for each component of two nested outputs, where both have the same structure."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected:
            if key in got:
                yield from leaves(got[key], expected[key], f"{path}[{key!r}]")
    elif (isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)) and len(got) == len(expected)
          and not numeric_sequence(expected)):
        for i, (g, e) in enumerate(zip(got, expected)):
            yield from leaves(g, e, f"{path}[{i}]")
    else:
        yield path, got, expected


def differing(got: Any, expected: Any, tol: Tolerance) -> list[tuple[str, Any, Any]]:
    """Every component of the output that is wrong, in order (``output`` names a whole-value difference)."""
    return [(p or "output", g, e) for p, g, e in leaves(got, expected) if not matches(g, e, tol)]


def numeric_sequence(value: Any) -> bool:
    return len(value) > 0 and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in value)


def as_array(value: Any) -> np.ndarray | None:
    """A float64 array of a numeric value (array, number or list of numbers), else None."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return np.asarray(float(value))
    if isinstance(value, (list, tuple)) and numeric_sequence(value):
        return np.asarray(value, dtype=np.float64)
    return None


def is_integer(value: Any) -> bool:
    """An integer or index output (class labels, character indices, sizes): no factor hints there."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biu"
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(isinstance(v, (int, np.integer)) for v in value)
    return isinstance(value, (int, np.integer))


def close(a: np.ndarray, b: np.ndarray, tol: Tolerance) -> bool:
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size and np.all(np.isfinite(b)) else 1.0
    return bool(np.all(np.abs(a - b) <= tol.atol * scale + tol.rtol * np.abs(b)))


def varied(a: np.ndarray) -> bool:
    """Mostly distinct values: a pattern among labels or 0/1 values is a coincidence, not a structure."""
    return a.size >= 4 and np.unique(np.round(a.ravel(), 9)).size >= 0.5 * a.size
