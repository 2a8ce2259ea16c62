"""The grader's handle on one fork server: start it (isolated), hand it jobs, reach each job by pidfd."""
from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import time

from grader.errors import SandboxError
from grader.sandbox import isolation
from grader.sandbox.confine import child_environment
from grader.sandbox.frames import write_all
from grader.sandbox.isolation import LEVELS
from grader.sandbox.syscalls import FilterUnavailable, job_filter

PIPE_BYTES = 1 << 20  # results pipe buffer: a child's large arrays cross in few reads (Linux allows 1 MiB unprivileged)

_BOOTSTRAP = (
    "import sys; sys.path[:0] = {paths!r}; "
    "from grader.sandbox.zygote import main; main(int(sys.argv[1]))"
)
_WEAKER = f"pass --isolation rlimits-only to grade without it (weaker: {LEVELS['rlimits-only']})"


def memfd(name: str, pieces: list) -> int:
    """An anonymous in-memory file holding ``pieces`` (bytes-like, in order), for a job child (never read by the server)."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        write_all(fd, pieces)
    except BaseException:
        os.close(fd)
        raise
    return fd


class ForkServer:
    """A running fork server (behind bubblewrap unless ``isolation`` is rlimits-only).

    Protocol over a SOCK_SEQPACKET socket: the grader sends b"J" with four descriptors (the job
    in a memfd, the results pipe's write end, the output memfd, the follow-up pipe's read end)
    and receives {"pid"} with the job's pidfd, then {"exit"} once the job is reaped; b"Q" or
    closing the socket stops the server.
    """

    def __init__(self, isolation_level: str, scratch: str):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._log = tempfile.TemporaryFile()
        self._sock: socket.socket | None = parent
        self._proc: subprocess.Popen | None = None
        env = child_environment("/")
        try:
            launch = isolation.launch(isolation_level, _BOOTSTRAP, child.fileno(), env, scratch)
            try:
                seccomp = job_filter().hex()
            except FilterUnavailable as exc:
                if launch.level != "rlimits-only":
                    raise SandboxError(f"{exc}; or {_WEAKER}") from exc
                seccomp = ""
            try:
                self._proc = subprocess.Popen(launch.argv, pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=self._log, cwd="/")
            except OSError as exc:
                raise SandboxError(f"cannot start the sandbox worker ({launch.argv[0]}): {exc}") from exc
        except BaseException:
            parent.close()
            self._sock = None
            raise
        finally:
            child.close()
        config = {"level": launch.level, "read": launch.read, "devices": launch.devices,
                  "scratch_root": launch.scratch_root, "seccomp": seccomp}
        try:
            parent.send(json.dumps(config).encode())
            reply, _ = self.receive(timeout=60)
        except (OSError, SandboxError) as exc:
            self.kill()
            raise SandboxError(f"the {launch.level} sandbox cannot start here: {exc}; {_WEAKER}") from exc
        if "error" in reply:
            self.kill()
            raise SandboxError(f"the {launch.level} sandbox cannot start here: {reply['error']}; {_WEAKER}")
        self.level = launch.level

    def alive(self) -> bool:
        """Whether the server is still there to take a job."""
        return self._sock is not None and self._proc is not None and self._proc.poll() is None

    def receive(self, timeout: float) -> tuple[dict, list[int]]:
        """The server's next message (one packet) and the descriptors that came with it."""
        if self._sock is None:
            raise SandboxError("the sandbox worker is gone")
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxError("the sandbox worker stopped answering")
            ready, _, _ = select.select([self._sock], [], [], remaining)
            if ready:
                break
        data, fds, _flags, _addr = socket.recv_fds(self._sock, 1 << 16, 2)
        if not data:
            for fd in fds:
                os.close(fd)
            self._log.seek(0)
            detail = self._log.read().decode("utf-8", "replace")[-2000:].strip()
            raise SandboxError(f"the sandbox worker exited unexpectedly{': ' + detail if detail else ''}")
        try:
            return json.loads(data), fds
        except ValueError as exc:
            for fd in fds:
                os.close(fd)
            raise SandboxError("the sandbox worker sent garbage") from exc

    def submit(self, request: list, output_fd: int) -> tuple[int, int, "JobHandle"]:
        """Hand one job (its bytes in pieces) to the server.

        Returns (results pipe to read, follow-up pipe to write, the job child's handle). Closing
        the follow-up pipe tells a child that waits for further jobs (a kept job) to leave.
        """
        if self._sock is None:
            raise SandboxError("the sandbox worker is gone")
        job_fd = memfd("job", request)
        read_fd, write_fd = os.pipe()
        more_read, more_write = os.pipe()
        for fd in (read_fd, more_write):
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:  # above this user's pipe quota: the default size only costs more reads
                pass
        os.set_blocking(more_write, False)  # a child that stops reading must not stall the grader
        try:
            socket.send_fds(self._sock, [b"J"], [job_fd, write_fd, output_fd, more_read])
            reply, fds = self.receive(timeout=30)
        except BaseException:
            os.close(read_fd)
            os.close(more_write)
            raise
        finally:
            os.close(write_fd)
            os.close(more_read)
            os.close(job_fd)
        if len(fds) != 1 or not isinstance(reply.get("pid"), int):
            for fd in fds:
                os.close(fd)
            os.close(read_fd)
            os.close(more_write)
            raise SandboxError("the sandbox worker sent no process handle")
        return read_fd, more_write, JobHandle(fds[0])

    def exit_status(self, timeout: float) -> int:
        """The wait status of the job just run, once the server has reaped it."""
        reply, fds = self.receive(timeout)
        for fd in fds:
            os.close(fd)
        status = reply.get("exit", 0)
        return status if isinstance(status, int) else 0

    def close(self) -> None:
        """Ask the server to stop, and make sure it does (its sandbox, jobs included, goes with it)."""
        if self._sock is not None:
            try:
                self._sock.send(b"Q")
            except OSError:
                pass
        self._stop(patience=5)

    def kill(self) -> None:
        """Stop a server that stopped answering (its sandbox, jobs included, goes with it)."""
        self._stop(patience=0)

    def _stop(self, patience: float) -> None:
        """Close the socket and wait up to ``patience`` seconds for the server to leave, then kill it."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=patience)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc.wait()
            self._proc = None


class JobHandle:
    """A running job child, reached only through its pidfd: a handle the kernel never recycles."""

    _TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pidfd: int):
        self.pidfd = pidfd
        self._pid: int | None = None

    def _alive(self) -> bool:
        ready, _, _ = select.select([self.pidfd], [], [], 0)  # readable once the process has ended
        return not ready

    def cpu(self) -> float | None:
        """CPU seconds (user + system, all threads) the job has used; None once it has ended."""
        try:
            if self._pid is None:
                with open(f"/proc/self/fdinfo/{self.pidfd}") as handle:
                    fields = dict(line.split(":", 1) for line in handle if ":" in line)
                self._pid = int(fields["Pid"])
            if self._pid <= 0:
                return None
            with open(f"/proc/{self._pid}/stat", "rb") as handle:
                stat = handle.read()
        except (OSError, KeyError, ValueError):
            return None
        # the pid names our job only if it is still running after the read (pids are recycled
        # only after the fork server reaps the job, which needs it to end first)
        if self._alive():
            fields = stat[stat.rindex(b")") + 2:].split()
            return (int(fields[11]) + int(fields[12])) / self._TICK
        return None

    def kill(self) -> None:
        """SIGKILL the job (a no-op once it has ended)."""
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except OSError:
            pass

    def close(self) -> None:
        """Let go of the handle."""
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1
