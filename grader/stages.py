"""Wall time per grading stage and submission, collected for benchmarks (off unless GRADER_STAGE_TIMES=1)."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterator

ENABLED = os.environ.get("GRADER_STAGE_TIMES") == "1"  # read at import: worker processes inherit it
_TIMES: dict[tuple[str, str], dict[str, float]] = {}  # (student, slug) -> stage -> seconds
_STACK: list[list] = []  # open stages: [key, stage, started, seconds spent in nested stages]


def enable() -> None:
    """Collect from now on, in this process and in worker processes started later."""
    global ENABLED
    ENABLED = True
    os.environ["GRADER_STAGE_TIMES"] = "1"


def add(student: str, slug: str, stage: str, seconds: float) -> None:
    """Count ``seconds`` to a stage of one submission."""
    if ENABLED:
        times = _TIMES.setdefault((student, slug), {})
        times[stage] = times.get(stage, 0.0) + seconds


@contextmanager
def timed(student: str, slug: str, stage: str) -> Iterator[None]:
    """Time a block as ``stage``; time spent in stages nested inside it counts only to those."""
    if not ENABLED:
        yield
        return
    frame = [(student, slug), stage, time.perf_counter(), 0.0]
    _STACK.append(frame)
    try:
        yield
    finally:
        _STACK.pop()
        elapsed = time.perf_counter() - frame[2]
        add(student, slug, stage, elapsed - frame[3])
        if _STACK:
            _STACK[-1][3] += elapsed


def drain() -> list[tuple[str, str, dict[str, float]]]:
    """What was collected so far, as plain data (to send from a worker), and forget it."""
    items = [(student, slug, times) for (student, slug), times in _TIMES.items()]
    _TIMES.clear()
    return items


def merge(items: list[tuple[str, str, dict[str, float]]]) -> None:
    """Add what a worker collected."""
    for student, slug, times in items:
        for stage, seconds in times.items():
            add(student, slug, stage, seconds)
