"""The grader's side of the sandbox: send jobs to the fork server, enforce CPU-time limits, read results."""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from grader.compiled import code_bytes
from grader.errors import SandboxError
from grader.sandbox.collect import GRACE_SECONDS, ChildCase, Outcome, Run, collect
from grader.sandbox.confine import cpu_limits
from grader.sandbox.frames import job_pieces, write_all
from grader.sandbox.forkserver import ForkServer, JobHandle, memfd
from grader.sandbox.isolation import LEVELS
from grader.sanitise import clean_text

PATIENCE = 2  # timed-out cases before the rest of a submission's cases get SHORT_LIMIT
SHORT_LIMIT = 0.5  # seconds
SUBMISSION_WALL = 600.0  # seconds one submission may take in all, whatever its limits
MAX_PRINTED = 65536  # bytes of a run's printed output kept
FOLLOW_UP_SECONDS = SUBMISSION_WALL  # CPU seconds a kept child's hard CPU limit adds for its follow-up runs
MIN_FOLLOW_UP = 60.0  # CPU seconds left under that limit below which a run goes to a fresh child


class _Stale(Exception):
    """A kept child did not take its follow-up (it has been stopped)."""


@dataclass
class _Kept:
    """A child that finished its run and waits for another run of the same submission."""

    key: tuple
    read_fd: int
    more_fd: int  # the follow-up pipe's write end: closing it lets the child go
    output_fd: int
    handle: JobHandle
    hard_cpu: float  # its hard CPU-time limit in seconds: its first run's budget plus the follow-ups' margin

    def cpu_left(self) -> float:
        """CPU seconds it may still use in all, from what it has actually used (0 when unreadable)."""
        used = self.handle.cpu()
        return 0.0 if used is None else self.hard_cpu - used


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
        self._kept: _Kept | None = None
        self._released: JobHandle | None = None  # a released kept child the fork server has yet to report reaped
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
        self.release()
        self._reap_released()
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
        if self._kept is not None:
            self._kept.handle.kill()
            self._close_kept(reap=False)
        if self._released is not None:
            self._released.close()  # the server goes: nothing more will be said about it
            self._released = None
        if self._server is not None:
            self._server.kill()
            self._server = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- jobs --------------------------------------------------------------------------------
    def session(self) -> "Session":
        """Runs for one submission that may share a child: see :class:`Session`."""
        return Session(self)

    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict, *,
            keep: object | None = None) -> list[Outcome]:
        """Run ``cases`` against the submission ``source``; one Outcome per case, in order.

        A case that hangs or kills its child costs that case only: the remaining cases run in a
        fresh child. ``keep`` (a :class:`Session`'s token) lets the child wait for another run of
        the same source under the same token, until :meth:`release`.
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
            run = self._run_once(source, filename, module, remaining, limits, keep)
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

    def _run_once(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict,
                  keep: object | None = None) -> Run:
        budget = sum(c.time_seconds for c in cases) + GRACE_SECONDS
        key = (keep, source, filename, module, tuple(sorted(limits.items())))
        kept = self._kept
        left = kept.cpu_left() if kept is not None and keep is not None and kept.key == key else 0.0
        if left >= MIN_FOLLOW_UP:
            try:
                return self._follow_up(kept, cases, min(budget, left))
            except _Stale:
                pass  # it stopped reading and is gone: the cases run in a fresh child
        self.release()
        self._reap_released()
        if self._server is None or not self._server.alive():
            self._discard()
            self._start()
        limits = dict(limits)
        limits["cpu_seconds"] = budget
        job = {"source": source, "filename": filename, "module": module,
               "cases": [{"name": c.name, "probe": c.probe} for c in cases], "keep": keep is not None}
        if keep is not None:
            limits["follow_up_seconds"] = FOLLOW_UP_SECONDS
        try:
            job["code"] = code_bytes(source, filename)  # the child loads it instead of compiling again
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # the child compiles it and reports the error as the student's import error
        request = job_pieces({"job": job, "limits": limits})
        output_fd = memfd("output", [])
        read_fd, more_fd, handle = -1, -1, None
        try:
            try:
                read_fd, more_fd, handle = self._server.submit(request, output_fd)
            except (SandboxError, OSError):  # the fork server died between jobs: one fresh start
                self._discard()
                self._start()
                read_fd, more_fd, handle = self._server.submit(request, output_fd)
            run = collect(read_fd, handle, cases, expect_idle=keep is not None)
            if run.idle:  # it waits for a follow-up: nothing to reap yet
                self._kept = _Kept(key, read_fd, more_fd, output_fd, handle, cpu_limits(limits)[1])
                return self._finished(run, output_fd, "")
            os.close(more_fd)
            more_fd = -1
            exit_words = self._exit_words(handle)
            return self._finished(run, output_fd, exit_words)
        finally:
            if self._kept is None or self._kept.handle is not handle:
                for fd in (output_fd, read_fd, more_fd):
                    if fd >= 0:
                        os.close(fd)
                if handle is not None:
                    handle.close()

    def _follow_up(self, kept: _Kept, cases: list[ChildCase], backstop: float) -> Run:
        """Run ``cases`` in the kept child (which builds the module afresh for them).

        The parent enforces each case's own limit as in a fresh child; ``backstop``, the kernel's CPU
        limit for the run, is its budget or, when that is larger (hundreds of localisation calls at
        their generous per-case limits, each actually taking milliseconds), what the child's hard
        limit has left after the CPU time it has really used.
        """
        request = job_pieces({"job": {"cases": [{"name": c.name, "probe": c.probe} for c in cases]},
                              "limits": {"cpu_seconds": backstop}})
        try:
            write_all(kept.more_fd, request, timeout=GRACE_SECONDS)
        except (TimeoutError, OSError):
            kept.handle.kill()
            self._close_kept(reap=True)
            raise _Stale() from None
        try:
            run = collect(kept.read_fd, kept.handle, cases, expect_idle=True, follow_up=True)
        except BaseException:
            kept.handle.kill()
            self._close_kept(reap=True)
            raise
        if run.stalled:  # it did not start the follow-up (its code hid, read or kept it waiting): a fresh child runs it
            self._close_kept(reap=True)
            raise _Stale()
        if run.idle:
            return self._finished(run, kept.output_fd, "")
        self._kept = None
        try:
            os.close(kept.more_fd)
            exit_words = self._exit_words(kept.handle)
            return self._finished(run, kept.output_fd, exit_words)
        finally:
            for fd in (kept.output_fd, kept.read_fd):
                os.close(fd)
            kept.handle.close()

    def release(self) -> None:
        """Let a kept child go: it leaves when its follow-up pipe closes, while the grader goes on
        (the fork server's word that it was reaped is read before the next job)."""
        if self._kept is not None:
            self._close_kept(reap=False)

    def _close_kept(self, reap: bool = True) -> None:
        kept, self._kept = self._kept, None
        if kept is None:
            return
        os.close(kept.more_fd)
        for fd in (kept.output_fd, kept.read_fd):
            os.close(fd)
        self._released = kept.handle
        if reap:
            self._reap_released()

    def _reap_released(self) -> None:
        """Read the fork server's word that a released child was reaped (it comes before any other)."""
        handle, self._released = self._released, None
        if handle is not None:
            try:
                if self._server is not None:
                    self._exit_words(handle)
            finally:
                handle.close()

    def _exit_words(self, handle: JobHandle) -> str:
        """How the job child ended, once the fork server has reaped it."""
        try:
            return describe_exit(self._server.exit_status(timeout=60))
        except SandboxError:  # the fork server itself died
            handle.kill()
            self._discard()
            return "stopped: the sandbox was killed during this run (do not signal other processes)"

    def _finished(self, run: Run, output_fd: int, exit_words: str) -> Run:
        """The run's outcomes completed: the case that was cut short, and what each case printed."""
        log = os.pread(output_fd, MAX_PRINTED, 0).decode("latin-1")
        if run.current is not None:
            run.stop = run.stop or exit_words
            run.outcomes.append(Outcome(run.current, "timeout" if run.timed_out else "crashed", message=run.stop))
            run.spans[run.current] = (run.spans.get(run.current, (0, None))[0], None)
        if log:
            run.outcomes = [replace(o, printed=_slice(log, run.spans.get(o.case))) for o in run.outcomes]
        if run.stop is None and not run.outcomes and run.import_error is None:
            run.stop = exit_words
        return run

class Session:
    """One submission's runs, which may share a child.

    A run with the same source, module and limits as the session's previous one goes to the child
    that ran it, if that child finished cleanly: no fork, no namespaces, no cold start. The child
    builds the module afresh for it, so module-level state does not carry over; what the process
    keeps (numpy's global random state, a patched library) does, and is the same student's doing.
    Another source, a crash, a timeout or leaving the ``with`` block ends the child; a session
    never outlives its submission.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @property
    def level(self) -> str:
        """The isolation level its runs get (the sandbox's)."""
        return self.sandbox.level

    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> list[Outcome]:
        """As :meth:`Sandbox.run`, sharing the child with this session's previous run when it can."""
        return self.sandbox.run(source, filename, module, cases, limits, keep=self)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.sandbox.release()


def _slice(log: str, span: tuple | None, limit: int = 1000) -> str:
    """What one case printed, from the log's byte offsets (the log is latin-1: one char per byte)."""
    if span is None:
        return ""
    start, end = span
    piece = log[start:end] if end is not None else log[start:]
    text = clean_text(piece.encode("latin-1").decode("utf-8", "replace"), limit * 4)
    return text if len(text) <= limit else text[:limit] + " [...]"


