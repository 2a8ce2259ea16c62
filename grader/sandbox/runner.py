"""The grader's side of the sandbox: start the fork server, send jobs, enforce deadlines, read results."""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.errors import ChannelError, SandboxError
from grader.sandbox.channel import FrameReader, checked_frame, write_frame
from grader.sanitise import clean_text
from grader.sandbox.isolation import LEVELS, child_environment

PATIENCE = 2  # timed-out cases before the rest of a submission's cases get SHORT_LIMIT
SHORT_LIMIT = 0.5  # seconds
GRACE_SECONDS = 5.0  # between cases (sending results, starting the next); not the student's time
MAX_JOB_BYTES = 64 * 1024 * 1024  # all a child may send back in one run (the largest real output is ~3 MB)
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, {parent!r}); "
    "from grader.sandbox.zygote import main; main(int(sys.argv[1]))"
)


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

    ``hide`` lists paths children must not see (solutions, cases, other submissions, outputs).
    ``isolation`` is "auto" (the strongest this machine allows), "namespace", "user-namespace"
    or "rlimits-only".
    """

    def __init__(self, *, hide: tuple[str, ...] | list[str] = (), isolation: str = "auto", slot: int = 0):
        self.hide = [str(Path(p).resolve()) for p in hide]
        self.isolation = isolation
        self.slot = slot
        self.level = ""
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._reader = FrameReader()
        self._pending = []
        self._scratch = tempfile.mkdtemp(prefix="grader-scratch-")
        self._start()

    # -- fork server -------------------------------------------------------------------------
    def _start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._log = tempfile.TemporaryFile()
        env = child_environment("/")
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOTSTRAP.format(parent=_PACKAGE_PARENT), str(child.fileno())],
                pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._log, cwd="/",
            )
        except OSError as exc:
            raise SandboxError(f"cannot start the sandbox worker: {exc}") from exc
        finally:
            child.close()
        self._sock = parent
        self._reader = FrameReader()
        self._pending: list[dict] = []
        write_frame(parent.fileno(), {"hide": self.hide, "isolation": self.isolation, "slot": self.slot, "scratch": self._scratch})
        reply = self._recv(timeout=60)
        if "error" in reply:
            self.close()
            raise SandboxError(f"sandbox isolation failed: {reply['error']}")
        self.level = reply["level"]

    def _recv(self, timeout: float) -> dict:
        """The fork server's next message (several may arrive in one read: keep the rest)."""
        if self._pending:
            return self._pending.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxError("the sandbox worker stopped answering")
            ready, _, _ = select.select([self._sock], [], [], remaining)
            if not ready:
                continue
            chunk = self._sock.recv(1 << 16)
            if not chunk:
                self._log.seek(0)
                detail = self._log.read().decode("utf-8", "replace")[-2000:]
                raise SandboxError(f"the sandbox worker exited unexpectedly{': ' + detail if detail else ''}")
            frames = self._reader.feed(chunk)
            if frames:
                self._pending.extend(frames[1:])
                return frames[0]

    @property
    def level_description(self) -> str:
        """What the isolation level in force means."""
        return LEVELS.get(self.level, self.level)

    def close(self) -> None:
        """Stop the fork server."""
        if self._sock is not None:
            try:
                socket.send_fds(self._sock, [b"Q"], [0])
                write_frame(self._sock.fileno(), {"op": "quit"})
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def _discard(self) -> None:
        """Drop a fork server that stopped answering; the next job starts a fresh one."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

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
        while remaining:
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
        if self._sock is None or (self._proc is not None and self._proc.poll() is not None):
            self.close()
            self._start()
        limits = dict(limits)
        limits["cpu_seconds"] = sum(c.time_seconds for c in cases) + GRACE_SECONDS
        job = {"source": source, "filename": filename, "module": module,
               "cases": [{"name": c.name, "probe": c.probe} for c in cases]}
        read_fd, write_fd = os.pipe()
        try:
            socket.send_fds(self._sock, [b"J"], [write_fd])
            write_frame(self._sock.fileno(), {"op": "run", "job": job, "limits": limits})
        finally:
            os.close(write_fd)
        try:
            pid = self._recv(timeout=30)["pid"]
            run = self._collect(read_fd, pid, cases)
        finally:
            os.close(read_fd)
        try:
            reply = self._recv(timeout=60)
            exit_words = describe_exit(reply.get("exit", 0))
            log = str(reply.get("printed", ""))
        except SandboxError:  # the fork server itself died (children that share its uid can kill it)
            _kill(pid)
            self._discard()
            exit_words, log = "stopped: the sandbox was killed during this run (do not signal other processes)", ""
        if run.current is not None:
            run.stop = run.stop or exit_words
            run.outcomes.append(Outcome(run.current, "timeout" if run.timed_out else "crashed", message=run.stop))
            run.spans[run.current] = (run.spans.get(run.current, (0, None))[0], None)
        if log:
            run.outcomes = [replace(o, printed=_slice(log, run.spans.get(o.case))) for o in run.outcomes]
        if run.stop is None and not run.outcomes and run.import_error is None:
            run.stop = exit_words
        return run

    def _collect(self, fd: int, pid: int, cases: list[ChildCase]) -> _Run:
        run = _Run()
        limits = {c.name: c.time_seconds for c in cases}
        order = [c.name for c in cases]
        position = 0
        reader = FrameReader()
        received = 0
        deadline = time.monotonic() + (cases[0].time_seconds + GRACE_SECONDS)
        started_at = 0.0
        imported = False
        hard = time.monotonic() + sum(limits.values()) + GRACE_SECONDS * (len(cases) + 1)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(pid)
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
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return run
            received += len(chunk)
            try:
                if received > MAX_JOB_BYTES:
                    raise ChannelError("the submission sent back too much data")
                frames = reader.feed(chunk)
                for frame in frames:
                    frame = checked_frame(frame)  # every field type-checked, every text sanitised
                    event = frame["event"]
                    # deadlines come from the parent's clock and the cases' limits: nothing the child
                    # sends moves one later than `hard`, the whole job's budget
                    if event == "imported":
                        if imported or position or run.current:
                            raise ChannelError("'imported' sent twice or after the first case")
                        imported = True
                        deadline = min(deadline, time.monotonic() + GRACE_SECONDS)
                    elif event in ("import_error", "setup_error"):
                        if position or run.current:
                            raise ChannelError(f"{event!r} sent after the first case")
                        run.import_error = frame if event == "import_error" else {
                            "error_type": "SandboxError", "message": frame["message"]}
                        _kill(pid)
                        return run
                    elif event == "start":
                        if not imported or position >= len(order) or frame["case"] != order[position] or run.current:
                            raise ChannelError("out-of-order message")
                        run.current = order[position]
                        # what module-level code printed belongs to the first case run
                        run.spans[run.current] = (0 if position == 0 else frame["printed_at"], None)
                        started_at = time.monotonic()
                        deadline = min(started_at + limits[run.current], hard)
                    elif event == "done":
                        if run.current is None or frame["case"] != run.current:
                            raise ChannelError("out-of-order message")
                        run.outcomes.append(_outcome(frame, run.current, time.monotonic() - started_at))
                        run.spans[run.current] = (run.spans[run.current][0], frame.get("printed_to", 0))
                        run.current = None
                        position += 1
                        deadline = min(time.monotonic() + GRACE_SECONDS, hard)
            except Exception as exc:  # noqa: BLE001 - whatever a child's data does, it costs that case only
                if not isinstance(exc, ChannelError):
                    exc = ChannelError(f"{type(exc).__name__}: {clean_text(exc, 200)}")
                _kill(pid)
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


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass
