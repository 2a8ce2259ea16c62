"""What localisation needs from the reference, stored with the public fixtures so `grader check` localises like `grader grade`.

A student's local check has no solutions/. To point at the same building block as the TA's
grading, the fixtures keep, for the public cases only (whose inputs every student holds), the
calls the reference's building blocks receive and return, which public functions reach which
(the call graph, reduced to the student-facing functions), and which functions each catalogued
mistake changes. Localisation reads these when the grader has no reference.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.sandbox.channel import decode, encode


@dataclass(frozen=True)
class Traces:
    """The stored reference knowledge of one assignment's public cases."""

    reach: dict[str, frozenset]  # public function -> the public functions it reaches (itself included)
    calls: dict[str, list]  # public case name -> its building-block calls (calls.Call)
    changes: dict[str, frozenset]  # mistake id -> the public functions it changes


def render(grader, prepared: list) -> dict[str, Any]:
    """The ``localisation`` entry of the fixtures: reach, the public cases' calls, and each mistake's functions."""
    from grader.diagnose.calls import building_blocks, mistake_functions, public_reach, record_calls

    calls = {}
    for case in prepared:
        blocks = building_blocks(grader, case.probe)
        if blocks:
            calls[case.spec.name] = [
                {"index": c.index, "parent": c.parent, "function": c.function, "nth": c.nth, "usable": c.usable,
                 "args": encode(list(c.args)) if c.usable else None,
                 "kwargs": encode(dict(c.kwargs)) if c.usable else None,
                 "output": encode(c.output) if c.usable else None}
                for c in record_calls(grader, case.probe, blocks)]
    return {
        "reach": {name: sorted(reached) for name, reached in sorted(public_reach(grader).items())},
        "calls": calls,
        "changes": {m.id: sorted(mistake_functions(grader, m)) for m in grader.catalogue.values()},
    }


def load(path: Path) -> Traces | None:
    """The stored traces of a fixtures file, or None (an older file without them: no localisation then)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: int) -> Traces | None:
    from grader.diagnose.calls import Call

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8")).get("localisation")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    calls = {}
    for case, stored in data.get("calls", {}).items():
        calls[case] = [Call(c["index"], c["parent"], c["function"], c["nth"],
                            tuple(decode(c["args"])) if c["usable"] else (),
                            decode(c["kwargs"]) if c["usable"] else {},
                            decode(c["output"]) if c["usable"] else None, c["usable"]) for c in stored]
    return Traces({k: frozenset(v) for k, v in data.get("reach", {}).items()}, calls,
                  {k: frozenset(v) for k, v in data.get("changes", {}).items()})
