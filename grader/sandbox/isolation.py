"""Isolation of student code: namespaces that hide files and the network, rlimits, privilege drop."""
from __future__ import annotations

import ctypes
import os
import resource
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
BASE_UID = 100000  # children run as BASE_UID + the fork server's pid: unique among live grader runs

LEVELS = {
    "namespace": "private mount and network namespaces; solutions, cases and other submissions hidden; runs as an unprivileged uid",
    "user-namespace": "user, mount and network namespaces; solutions, cases and other submissions hidden; same uid as the grader",
    "rlimits-only": "resource limits and a scratch folder only: the submission could read files the grader can read",
}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, ctypes.c_ulong(flags), data.encode() if data else None),
        f"mount {target}",
    )


def prctl(option: int, value: int) -> None:
    """Thin prctl(2) wrapper (errors ignored: hardening, not correctness)."""
    _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0)


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_namespaces(hide: list[str], want: str = "auto") -> str:
    """Move this process (the zygote) into fresh namespaces and hide ``hide``; returns the level.

    The mounts are made once here; every child forked afterwards inherits them. /tmp, /var/tmp
    and /dev/shm become private tmpfs that only root can write, so children can neither leave
    files for each other nor find the grader's temporary files.
    """
    if want == "rlimits-only":
        return "rlimits-only"
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0 and want != "user-namespace":  # asking for user-namespace as root exercises that path
            _unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
            level = "namespace"
        else:
            _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
            _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
            level = "user-namespace"
        _mount("none", "/", "", MS_REC | MS_PRIVATE)
    except OSError:
        if want in ("namespace", "user-namespace"):
            raise
        return "rlimits-only"
    if level == "namespace":
        try:  # children see only their own processes in /proc (each sandbox runs as its own uid)
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
        except OSError:
            pass  # defence in depth only: the uid already keeps other processes' private files closed
    scratch_dirs = [d for d in SCRATCH_DIRS if os.path.isdir(d)]
    for scratch in scratch_dirs:
        _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=755")
    for path in sorted(set(hide)):
        if path == "/" or any(path == d or path.startswith(d + "/") for d in scratch_dirs):
            continue  # already hidden by a fresh scratch tmpfs (or far too broad to hide)
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=000")
        elif os.path.isfile(path):
            _mount("/dev/null", path, "", 4096)  # MS_BIND
    return level


def sandbox_uid() -> int:
    """The unprivileged uid (and gid) this fork server's children run as.

    Derived from the fork server's pid, so no two live sandboxes (of this run or of another
    grader running on the same machine) share a uid: a child cannot signal another sandbox's
    children, and the per-uid clean-up after each job kills only this sandbox's processes.
    """
    return BASE_UID + os.getpid()


def address_space_now() -> int:
    """This process's current virtual memory size in bytes (the base the memory limit adds to)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def confine_child(limits: dict, level: str, uid: int, workdir: str, output_fd: int) -> None:
    """In a freshly forked child: new session, limits, no privileges, scratch cwd, scrubbed env."""
    os.setsid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.dup2(output_fd, 3)
    os.closerange(4, 65536)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    log = os.open(os.path.join(workdir, "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(devnull)
    os.close(log)
    memory = limits["memory_mb"] * 1024 * 1024
    _set(resource.RLIMIT_AS, address_space_now() + memory)
    _set(resource.RLIMIT_CPU, int(limits["cpu_seconds"]) + 1)
    _set(resource.RLIMIT_FSIZE, limits["file_size_mb"] * 1024 * 1024)
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_NOFILE, 64)
    if level == "namespace" and os.getuid() == 0:
        os.chown(workdir, uid, uid)
        os.chown(os.path.join(workdir, "output.txt"), uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        _set(resource.RLIMIT_NPROC, limits["processes"])
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_DUMPABLE, 0)
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(child_environment(workdir))


def _set(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        resource.setrlimit(which, (value, hard))


def child_environment(home: str) -> dict[str, str]:
    """The scrubbed environment student code sees: single-threaded BLAS, no grader secrets."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
    }


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (escaped grandchildren included): fork, become uid, kill(-1)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
