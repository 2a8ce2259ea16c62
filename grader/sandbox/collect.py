"""One run's results as they stream from a child: frames read, checked, and each case held to its CPU-time limit."""
from __future__ import annotations

import select
import time
from dataclasses import dataclass, field
from typing import Any

from grader.errors import ChannelError
from grader.sandbox.forkserver import JobHandle
from grader.sandbox.frames import FrameReader, checked_frame
from grader.sanitise import clean_text

GRACE_SECONDS = 5.0  # between cases (sending results, starting the next); not the student's time
WALL_FACTOR, WALL_EXTRA = 4.0, 10.0  # wall-clock backstop of a case: 4 x its CPU limit + 10 s
POLL = 0.05  # seconds between looks at a running case's CPU time
CPU_EVERY = 0.01  # at most one read of a job's CPU time per this many seconds (/proc counts 10 ms ticks)
FOLLOW_UP_STALL = 2.0  # seconds a kept child may hold a follow-up unanswered without using any CPU time
MAX_JOB_BYTES = 64 * 1024 * 1024  # all a child may send back in one run (the largest real output is ~3 MB)


@dataclass(frozen=True)
class ChildCase:
    """One case as the child sees it: its name, the encoded probe and its time limit."""

    name: str
    probe: dict
    time_seconds: float


@dataclass(frozen=True)
class Outcome:
    """What happened when a case ran in the child. ``value`` is rebuilt, validated plain data."""

    case: str
    status: str  # ok | error | timeout | crashed | not_run
    value: Any = None
    mutations: tuple = ()
    error_type: str = ""
    message: str = ""
    traceback: tuple = ()
    seconds: float = 0.0
    printed: str = ""
    inputs: Any = None  # [args, kwargs] as the run left them (checked against the originals in the parent)


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    current: str | None = None
    stop: str | None = None  # why the child stopped early
    timed_out: bool = False  # the case in progress ran past its limit
    import_error: dict | None = None
    spans: dict = field(default_factory=dict)  # case -> (first byte, end byte or None) of what it printed
    idle: bool = False  # a kept child finished every case and waits for a follow-up
    stalled: bool = False  # a kept child did not start its follow-up (it was stopped)


def collect(fd: int, job: JobHandle, cases: list[ChildCase], *, expect_idle: bool = False,
            follow_up: bool = False) -> Run:
    """Read the child's frames; stop it when a case uses up its CPU time or the wall-clock backstop.

    Limits are charged in CPU time of the job (its threads included), so a neighbour hogging
    the machine slows a case down without costing it anything; the wall clock only backs up
    (WALL_FACTOR x the limit + WALL_EXTRA). Nothing the child sends moves a running case's
    deadline. A kept child given a ``follow_up`` that does not start it (no word within its
    start-up budget, or neither a word nor CPU time for FOLLOW_UP_STALL seconds: its code hid the
    follow-up pipe or took its bytes) is stopped as ``stalled``, and the run goes to a fresh child:
    the module loaded in this child before, so the wait is not its loading's to be charged for.
    """
    run = Run()
    limits = {c.name: c.time_seconds for c in cases}
    order = [c.name for c in cases]
    position = 0
    reader = FrameReader(MAX_JOB_BYTES)  # bounds everything the child sends or announces in this run
    started_at = time.monotonic()
    imported = False
    # the whole job's wall-clock budget: nothing the child sends moves a deadline past it
    hard = started_at + WALL_FACTOR * (sum(limits.values()) + GRACE_SECONDS * (len(cases) + 1)) + WALL_EXTRA
    clock = _Clock(job)
    cpu_end, wall_end = _budget(clock, cases[0].time_seconds + GRACE_SECONDS, hard)
    last_cpu, busy_at = None, started_at  # a follow-up's wait for its first word: the CPU time last seen, and when
    while True:
        now = time.monotonic()
        cpu = clock.cpu()
        starting = follow_up and not imported
        if starting and cpu is not None and cpu != last_cpu:
            last_cpu, busy_at = cpu, now
        quiet = starting and cpu is not None and now - busy_at >= FOLLOW_UP_STALL
        if quiet or now >= wall_end or (cpu is not None and cpu >= cpu_end):
            job.kill()
            if starting:  # the module was built once already: its code, not loading it, kept the follow-up away
                run.stalled = True
                run.stop = "the kept child did not take up its follow-up"
            elif run.current is not None:
                run.timed_out = True
                run.stop = f"time limit of {limits[run.current]:g} s exceeded (an infinite loop, or far too slow)"
            elif position == 0 and not run.outcomes:
                run.import_error = {"error_type": "TimeoutError", "status": "timeout",
                                    "message": "time limit exceeded while loading your module (top-level code "
                                               "must not run experiments or loop forever)"}
            else:
                run.stop = "the run stopped responding between cases"
            return run
        ready, _, _ = select.select([fd], [], [], min(POLL, wall_end - now))
        if not ready:
            continue
        try:
            count, frames = reader.read_from(fd)
            if not count:
                return run
            for frame in frames:
                frame = checked_frame(frame)  # every field type-checked, every text sanitised
                event = frame["event"]
                # deadlines come from the parent's clock and the cases' limits: nothing the child
                # sends moves one later than `hard`, the whole job's budget
                if event == "imported":
                    if imported or position or run.current:
                        raise ChannelError("'imported' sent twice or after the first case")
                    imported = True
                    cpu_end, wall_end = _budget(clock, GRACE_SECONDS, hard)
                elif event in ("import_error", "setup_error"):
                    if position or run.current:
                        raise ChannelError(f"{event!r} sent after the first case")
                    run.import_error = frame if event == "import_error" else {
                        "error_type": "SandboxError", "message": frame["message"]}
                    job.kill()
                    return run
                elif event == "start":
                    if not imported or position >= len(order) or frame["case"] != order[position] or run.current:
                        raise ChannelError("out-of-order message")
                    run.current = order[position]
                    # what module-level code printed belongs to the first case run
                    run.spans[run.current] = (0 if position == 0 and not follow_up else frame["printed_at"], None)
                    started_at = time.monotonic()
                    cpu_end, wall_end = _budget(clock, limits[run.current], hard)
                elif event == "done":
                    if run.current is None or frame["case"] != run.current:
                        raise ChannelError("out-of-order message")
                    run.outcomes.append(_outcome(frame, run.current, time.monotonic() - started_at))
                    run.spans[run.current] = (run.spans[run.current][0], frame.get("printed_to", 0))
                    run.current = None
                    position += 1
                    cpu_end, wall_end = _budget(clock, GRACE_SECONDS, hard)
                elif event == "idle":
                    if not expect_idle or run.current is not None or position != len(order):
                        raise ChannelError("'idle' before the run's last case")
                    run.idle = True
                    return run
        except Exception as exc:  # noqa: BLE001 - whatever a child's data does, it costs that case only
            if not isinstance(exc, ChannelError):
                exc = ChannelError(f"{type(exc).__name__}: {clean_text(exc, 200)}")
            job.kill()
            name = run.current or (order[position] if position < len(order) else order[-1])
            run.outcomes = [o for o in run.outcomes if o.case != name]
            run.outcomes.append(Outcome(name, "error", error_type="ProtocolError",
                                        message=f"the run sent invalid data: {exc}"))
            run.current = None
            run.stop = str(exc)
            return run


def _outcome(frame: dict, name: str, wall: float) -> Outcome:
    """An Outcome from a ``done`` message already checked by :func:`checked_frame`."""
    mutations = tuple(frame["mutations"])
    inputs = frame.get("inputs")
    if frame["status"] == "ok":
        return Outcome(name, "ok", value=frame["value"], mutations=mutations, inputs=inputs, seconds=wall)
    return Outcome(name, "error", mutations=mutations, inputs=inputs, error_type=frame["error_type"] or "Error",
                   message=frame["message"], traceback=tuple(frame.get("traceback", ())), seconds=wall)


class _Clock:
    """A job's CPU time, read from /proc at most every CPU_EVERY seconds; in between, the last reading.

    A case that streams frames quickly would otherwise cost two /proc reads per case. The last
    reading is never ahead of the job's real CPU time, so a budget set from it is, if anything,
    shorter; a limit is noticed at most CPU_EVERY later than with a fresh read (POLL already
    bounds how often a busy job is looked at).
    """

    def __init__(self, job: JobHandle) -> None:
        self.job, self.read_at, self.value = job, float("-inf"), None

    def cpu(self) -> float | None:
        now = time.monotonic()
        if now - self.read_at >= CPU_EVERY:
            self.read_at, self.value = now, self.job.cpu()
        return self.value


def _budget(clock: _Clock, seconds: float, hard: float) -> tuple[float, float]:
    """(CPU-time end, wall-clock end) of a phase allowed ``seconds`` of CPU time from now, never past ``hard``."""
    cpu = clock.cpu() or 0.0
    return cpu + seconds, min(hard, time.monotonic() + WALL_FACTOR * seconds + WALL_EXTRA)
