"""The warm fork server: imports numpy once, then forks one clean child per job without reading it."""
# It is started as a fresh ``python -I`` interpreter with a scrubbed environment (behind bubblewrap
# unless the TA chose rlimits-only), so it never holds reference solutions, case generators or the
# course secret. It never reads a job either: the grader sends, per job, a one-byte request with
# four descriptors (the job's bytes, the results pipe, the output file, the pipe of follow-up jobs
# for the same submission), which the server hands unread to a freshly forked child. So no child
# can find another student's data in its memory.
from __future__ import annotations

import gc
import importlib
import json
import os
import shutil
import socket
import sys

# What children import: numpy and numpy.random (every course file uses them) and the light standard
# library. Every page the server holds costs each job a page-table entry copied at fork and torn down
# at exit, so the heavy modules a submission rarely imports (numpy.testing 3.9 MiB, numpy.ma 1.2 MiB,
# numpy.polynomial, statistics, decimal...) are left to the few that do: the server's anonymous
# memory went from 23 to 16 MiB and an empty job's CPU from 6.1-6.9 to 5.9-6.2 ms.
PRELOAD = (
    "numpy", "numpy.linalg", "numpy.random", "math", "cmath", "random", "itertools", "functools", "collections",
    "copy", "typing", "dataclasses", "string", "re", "time", "warnings", "operator", "threading", "heapq",
    "bisect", "numbers", "abc", "enum", "encodings.latin_1", "encodings.ascii", "encodings.utf_8",
    "inspect", "traceback", "linecache", "ctypes", "resource", "signal",
)
MAX_JOB = 512 * 1024 * 1024


def _send(sock: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def _run_child(config: dict, workdir: str, job_fd: int, result_fd: int, output_fd: int, more_fd: int, parent: int) -> None:
    """In the forked child: take the standard descriptors, read the job, reserve heap, confine, run it. Never returns."""
    from grader.sandbox import child, confine
    from grader.sandbox.frames import map_job, read_job, write_frame

    try:
        request, blobs = read_job(map_job(job_fd, MAX_JOB))  # views into the mapped job: arrays are copied once
        os.close(job_fd)
        result_fd = os.dup(result_fd) if result_fd < 5 else result_fd  # keep them clear of 0-4 until placed
        output_fd = os.dup(output_fd) if output_fd < 5 else output_fd
        more_fd = os.dup(more_fd) if more_fd < 5 else more_fd
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.dup2(result_fd, 3)
        os.dup2(more_fd, 4)
        os.closerange(5, 65536)
        confine.reserve_heap(sum(len(blob) for blob in blobs if blob is not None))  # before the memory limit
        confine.confine_job(request["limits"], config, workdir, parent)
        child.serve(request["job"], 3, blobs, follow_ups=4)
    except BaseException as exc:  # noqa: BLE001 - report anything, then leave
        try:
            write_frame(3, {"event": "setup_error", "message": f"{type(exc).__name__}: {exc}"[:300]})
        except Exception:
            pass
    finally:
        os._exit(0)


def main(sock_fd: int) -> None:
    """Serve jobs on the inherited socket until told to quit or the grader goes away."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from grader.sandbox import channel, child, confine, frames, lifetime  # noqa: F401 - children start with them loaded

    sock = socket.socket(fileno=sock_fd)
    config = json.loads(sock.recv(1 << 20))
    lifetime.die_with_parent(os.getppid())  # no credential change follows in this process
    if config["level"] == "bubblewrap" and confine.landlock_abi() < 6:
        _send(sock, {"error": f"Landlock ABI 6 or later is needed (this kernel has {confine.landlock_abi()})"})
        return
    gc.freeze()  # what the server holds now is never traversed by a child's collector, so never copied
    _send(sock, {"ready": True})
    counter = 0
    me = os.getpid()
    while True:
        try:
            marker, fds, _flags, _addr = socket.recv_fds(sock, 16, 4)
        except OSError:
            return
        if marker != b"J" or len(fds) != 4:
            return  # quit, or the grader went away
        job_fd, result_fd, output_fd, more_fd = fds
        counter += 1
        workdir = os.path.join(config["scratch_root"], f"job-{me}-{counter}")
        os.makedirs(workdir, mode=0o700)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _run_child(config, workdir, job_fd, result_fd, output_fd, more_fd, me)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        try:
            _send(sock, {"pid": pid}, (pidfd,))
            _, status = os.waitpid(pid, 0)
        finally:
            os.close(pidfd)
        shutil.rmtree(workdir, ignore_errors=True)
        _send(sock, {"exit": status})


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
