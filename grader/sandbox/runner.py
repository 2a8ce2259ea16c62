"""The grader's side of the sandbox: send jobs to the fork server, enforce CPU-time limits, read results."""
from __future__ import annotations

import os
import select
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.compiled import code_bytes
from grader.errors import ChannelError, SandboxError
from grader.sandbox.frames import FrameReader, checked_frame, job_pieces
from grader.sandbox.forkserver import ForkServer, JobHandle, memfd
from grader.sandbox.isolation import LEVELS
from grader.sanitise import clean_text

PATIENCE = 2  # timed-out cases before the rest of a submission's cases get SHORT_LIMIT
SHORT_LIMIT = 0.5  # seconds
GRACE_SECONDS = 5.0  # between cases (sending results, starting the next); not the student's time
WALL_FACTOR, WALL_EXTRA = 4.0, 10.0  # wall-clock backstop of a case: 4 x its CPU limit + 10 s
SUBMISSION_WALL = 600.0  # seconds one submission may take in all, whatever its limits
POLL = 0.05  # seconds between looks at a running case's CPU time
CPU_EVERY = 0.01  # at most one read of a job's CPU time per this many seconds (/proc counts 10 ms ticks)
MAX_JOB_BYTES = 64 * 1024 * 1024  # all a child may send back in one run (the largest real output is ~3 MB)
MAX_PRINTED = 65536  # bytes of a run's printed output kept


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
class _Run:
    outcomes: list[Outcome] = field(default_factory=list)
    current: str | None = None
    stop: str | None = None  # why the child stopped early
    timed_out: bool = False  # the case in progress ran past its limit
    import_error: dict | None = None
    spans: dict = field(default_factory=dict)  # case -> (first byte, end byte or None) of what it printed


def describe_exit(status: int) -> str:
    """Words for a child's wait status."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        reason = {
            signal.SIGKILL: "killed (SIGKILL: a limit was exceeded or the run was stopped)",
            signal.SIGXCPU: "stopped: CPU time limit exceeded",
            signal.SIGXFSZ: "stopped: file size limit exceeded",
            signal.SIGSEGV: "crashed with a segmentation fault",
            signal.SIGABRT: "aborted",
        }.get(sig)
        return reason or f"killed by signal {signal.Signals(sig).name}"
    if os.WIFEXITED(status):
        return f"exited with code {os.WEXITSTATUS(status)} (sys.exit/os._exit end the whole run: don't call them)"
    return f"ended with status {status}"


class Sandbox:
    """One slot: a warm fork server and the children it forks, one job at a time.

    ``hide`` lists paths children must not see (solutions, cases, other submissions, outputs):
    under bubblewrap nothing outside the whitelist is visible anyway, so it only documents intent.
    ``isolation`` is "auto" (bubblewrap, or a SandboxError naming what is missing), "bubblewrap"
    or "rlimits-only" (weaker, chosen explicitly; ``level`` then says so).
    """

    def __init__(self, *, hide: tuple[str, ...] | list[str] = (), isolation: str = "auto", slot: int = 0):
        self.hide = [str(Path(p).resolve()) for p in hide]
        self.isolation = isolation
        self.slot = slot
        self.level = ""
        self._server: ForkServer | None = None
        self._scratch = tempfile.mkdtemp(prefix="grader-scratch-")
        self._start()

    # -- fork server -------------------------------------------------------------------------
    def _start(self) -> None:
        os.makedirs(self._scratch, mode=0o700, exist_ok=True)
        self._server = ForkServer(self.isolation, self._scratch)
        self.level = self._server.level

    @property
    def level_description(self) -> str:
        """What the isolation level in force means."""
        return LEVELS.get(self.level, self.level)

    def close(self) -> None:
        """Stop the fork server (and, with it, anything still running in its sandbox)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    def restart(self) -> None:
        """Kill the fork server (and whatever job it runs) and start a fresh one; SandboxError if it cannot start."""
        self._discard()
        self._start()

    def _discard(self) -> None:
        """Drop a fork server that stopped answering; the next job starts a fresh one."""
        if self._server is not None:
            self._server.kill()
            self._server = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- jobs --------------------------------------------------------------------------------
    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> list[Outcome]:
        """Run ``cases`` against the submission ``source``; one Outcome per case, in order.

        A case that hangs or kills its child costs that case only: the remaining cases run in a
        fresh child.
        """
        outcomes: dict[str, Outcome] = {}
        remaining = list(cases)
        shortened: set[str] = set()
        started = time.monotonic()
        while remaining:
            if time.monotonic() - started > SUBMISSION_WALL:
                for case in remaining:
                    outcomes[case.name] = Outcome(case.name, "timeout", message=f"not run: this submission used up its "
                                                  f"{SUBMISSION_WALL:g} s in all")
                break
            run = self._run_once(source, filename, module, remaining, limits)
            for outcome in run.outcomes:
                outcomes[outcome.case] = outcome
            if run.import_error is not None:
                err = run.import_error
                for case in remaining:  # the module loads the same way for every case
                    outcomes.setdefault(case.name, Outcome(
                        case.name, err.get("status", "error"), error_type=err.get("error_type", "ImportError"),
                        message=err.get("message", ""), traceback=tuple(err.get("traceback", ())),
                    ))
                break
            done = {o.case for o in run.outcomes}
            if not run.outcomes and run.current is None:
                # The child died before starting any case: charge every remaining case.
                for case in remaining:
                    outcomes[case.name] = Outcome(case.name, "crashed", message=run.stop or "the run did not start")
                break
            remaining = [c for c in remaining if c.name not in done]
            timeouts = sum(1 for o in outcomes.values() if o.status == "timeout")
            if timeouts >= PATIENCE and any(c.time_seconds > SHORT_LIMIT for c in remaining):
                # a submission that keeps looping must not hold the batch up: a correct case takes
                # milliseconds, so the rest get a short limit
                shortened.update(c.name for c in remaining if c.time_seconds > SHORT_LIMIT)
                remaining = [replace(c, time_seconds=min(c.time_seconds, SHORT_LIMIT)) for c in remaining]
        results = [outcomes.get(c.name, Outcome(c.name, "not_run", message="not run")) for c in cases]
        return [replace(o, message=f"{o.message}; the limit was cut to {SHORT_LIMIT:g} s after {PATIENCE} earlier "
                                   "cases of this submission timed out")
                if o.status == "timeout" and o.case in shortened else o for o in results]

    def _run_once(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> _Run:
        if self._server is None or not self._server.alive():
            self._discard()
            self._start()
        limits = dict(limits)
        limits["cpu_seconds"] = sum(c.time_seconds for c in cases) + GRACE_SECONDS
        job = {"source": source, "filename": filename, "module": module,
               "cases": [{"name": c.name, "probe": c.probe} for c in cases]}
        try:
            job["code"] = code_bytes(source, filename)  # the child loads it instead of compiling again
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # the child compiles it and reports the error as the student's import error
        request = job_pieces({"job": job, "limits": limits})
        output_fd = memfd("output", [])
        read_fd, handle = -1, None
        try:
            try:
                read_fd, handle = self._server.submit(request, output_fd)
            except (SandboxError, OSError):  # the fork server died between jobs: one fresh start
                self._discard()
                self._start()
                read_fd, handle = self._server.submit(request, output_fd)
            run = self._collect(read_fd, handle, cases)
            try:
                exit_words = describe_exit(self._server.exit_status(timeout=60))
            except SandboxError:  # the fork server itself died
                handle.kill()
                self._discard()
                exit_words = "stopped: the sandbox was killed during this run (do not signal other processes)"
            log = os.pread(output_fd, MAX_PRINTED, 0).decode("latin-1")
        finally:
            os.close(output_fd)
            if read_fd >= 0:
                os.close(read_fd)
            if handle is not None:
                handle.close()
        if run.current is not None:
            run.stop = run.stop or exit_words
            run.outcomes.append(Outcome(run.current, "timeout" if run.timed_out else "crashed", message=run.stop))
            run.spans[run.current] = (run.spans.get(run.current, (0, None))[0], None)
        if log:
            run.outcomes = [replace(o, printed=_slice(log, run.spans.get(o.case))) for o in run.outcomes]
        if run.stop is None and not run.outcomes and run.import_error is None:
            run.stop = exit_words
        return run

    def _collect(self, fd: int, job: JobHandle, cases: list[ChildCase]) -> _Run:
        """Read the child's frames; stop it when a case uses up its CPU time or the wall-clock backstop.

        Limits are charged in CPU time of the job (its threads included), so a neighbour hogging
        the machine slows a case down without costing it anything; the wall clock only backs up
        (WALL_FACTOR x the limit + WALL_EXTRA). Nothing the child sends moves a running case's
        deadline.
        """
        run = _Run()
        limits = {c.name: c.time_seconds for c in cases}
        order = [c.name for c in cases]
        position = 0
        reader = FrameReader(MAX_JOB_BYTES)
        received = 0
        started_at = time.monotonic()
        imported = False
        # the whole job's wall-clock budget: nothing the child sends moves a deadline past it
        hard = started_at + WALL_FACTOR * (sum(limits.values()) + GRACE_SECONDS * (len(cases) + 1)) + WALL_EXTRA
        clock = _Clock(job)
        cpu_end, wall_end = _budget(clock, cases[0].time_seconds + GRACE_SECONDS, hard)
        while True:
            now = time.monotonic()
            cpu = clock.cpu()
            if now >= wall_end or (cpu is not None and cpu >= cpu_end):
                job.kill()
                if run.current is not None:
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
                received += count
                if received > MAX_JOB_BYTES:
                    raise ChannelError("the submission sent back too much data")
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
                        run.spans[run.current] = (0 if position == 0 else frame["printed_at"], None)
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


def _slice(log: str, span: tuple | None, limit: int = 1000) -> str:
    """What one case printed, from the log's byte offsets (the log is latin-1: one char per byte)."""
    if span is None:
        return ""
    start, end = span
    piece = log[start:end] if end is not None else log[start:]
    text = clean_text(piece.encode("latin-1").decode("utf-8", "replace"), limit * 4)
    return text if len(text) <= limit else text[:limit] + " [...]"


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
