"""Audit: do-nothing answers derived from the reference score 0 outside input-validation cases."""
from __future__ import annotations

from grader.audits.findings import Finding

MODES = ("zeros", "ones", "random", "first_input")
VALIDATION_CAP = 0.10  # share of an assignment that input-validation cases may hold

# Appended to nothing: a module whose public functions call the reference (so they raise where it
# raises and leave a generator's state as it would) and then throw the answer away.
TEMPLATE = '''
"""A do-nothing answer ({mode}) generated from the reference by `grader validate`."""
import functools as _functools
import numpy as _np

_REFERENCE = {{"__name__": "grader_audit_reference"}}
exec(compile({source!r}, "<reference>", "exec"), _REFERENCE)
_NOISE = _np.random.default_rng(12345)


def _like(value, first, mode):
    if isinstance(value, _np.ndarray):
        if mode == "first_input" and isinstance(first, _np.ndarray) and first.shape == value.shape:
            return first.astype(value.dtype)
        if value.dtype.kind == "b":
            return _np.ones_like(value) if mode == "ones" else (_NOISE.random(value.shape) < 0.5 if mode == "random" else _np.zeros_like(value))
        if mode == "ones":
            return _np.ones_like(value)
        if mode == "random":
            return (_NOISE.integers(-3, 4, value.shape) if value.dtype.kind in "iu" else _NOISE.standard_normal(value.shape)).astype(value.dtype)
        return _np.zeros_like(value)
    if isinstance(value, bool):
        return mode == "ones" or (mode == "random" and bool(_NOISE.random() < 0.5))
    if isinstance(value, (int, float, _np.generic)) and not isinstance(value, (str, bytes)):
        kind = type(value)
        if mode == "first_input" and isinstance(first, (int, float)) and not isinstance(first, bool):
            return kind(first)
        return kind({{"ones": 1, "random": _NOISE.integers(-3, 4) if isinstance(value, (int, _np.integer)) else _NOISE.standard_normal()}}.get(mode, 0))
    if isinstance(value, (list, tuple)):
        return type(value)(_like(v, first, mode) for v in value)
    if isinstance(value, dict):
        return {{k: _like(v, first, mode) for k, v in value.items()}}
    return value


def _do_nothing(name, mode):
    real = _REFERENCE[name]

    @_functools.wraps(real)
    def answer(*args, **kwargs):
        value = real(*args, **kwargs)
        return _like(value, args[0] if args else None, mode)
    return answer


for _name in {functions!r}:
    globals()[_name] = _do_nothing(_name, {mode!r})
'''


def do_nothing_source(reference_source: str, functions: tuple[str, ...], mode: str) -> str:
    """A submission whose every public function answers like the reference, structurally, with nothing in it."""
    return TEMPLATE.format(mode=mode, source=reference_source, functions=list(functions))


def audit(grader, grade, students: list[str]) -> list[Finding]:
    """Grade each do-nothing answer; only validation cases may pay, and those at most VALIDATION_CAP."""
    assignment = grader.assignment
    reference = assignment.solution_path.read_text(encoding="utf-8")
    validation = {c.name for c in assignment.cases if c.kind == "validation"}
    cap = VALIDATION_CAP * assignment.max_points
    findings = []
    held = sum(c.points for c in assignment.cases if c.name in validation)
    if held > cap + 1e-9:
        findings.append(Finding("trivial", assignment.slug, "validation cases", f"{held:g} points",
                                f"input-validation cases hold {held:g} of {assignment.max_points:g} points (at most {cap:g})"))
    for mode in MODES:
        source = do_nothing_source(reference, assignment.functions, mode)
        worst, paying = 0.0, {}
        for student in students:
            result = grade(grader, student, source, f"<do-nothing {mode}>")
            worst = max(worst, result.points)
            for case in result.cases:
                if case.points > 0 and case.name not in validation:
                    paying[case.name] = max(paying.get(case.name, 0.0), case.points)
        problem = ""
        if paying:
            problem = "earns points on " + ", ".join(f"{n} ({p:g})" for n, p in sorted(paying.items()))
        elif worst > cap + 1e-9:
            problem = f"earns {worst:g} on validation cases (cap {cap:g})"
        findings.append(Finding("trivial", assignment.slug, f"returns {mode}", f"{worst:g}/{assignment.max_points:g}", problem))
    return findings
