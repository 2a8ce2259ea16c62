"""Inside one job child: its heap reserve, its own user and IPC namespaces, Landlock, seccomp and rlimits."""
# Runs inside the sandbox before any student code, so it imports only the standard library.
#
# The kernel interfaces are called through ctypes here because the maintained Python bindings do
# not cover what we need inside the sandbox: PyPI `landlock` (1.0.0.dev5) knows filesystem rules
# only (no network rules, no signal or abstract-socket scoping of ABI 6), and PyPI `pyseccomp`
# needs libseccomp and `ldconfig` at import time, which the whitelisted sandbox does not contain.
# So the seccomp filter is compiled by pyseccomp on the trusted side (grader/sandbox/syscalls.py)
# and only its BPF bytes are loaded here; Landlock's three syscalls are declared below from the
# kernel's UAPI header (include/uapi/linux/landlock.h).
from __future__ import annotations

import ctypes
import os
import resource

from grader.sandbox.lifetime import die_with_parent

CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
PR_SET_NO_NEW_PRIVS = 38
SYS_SECCOMP = 317  # x86_64
SECCOMP_SET_MODE_FILTER = 1
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

# Landlock filesystem rights by ABI version (what each version adds)
FS_RIGHTS = {1: (1 << 13) - 1, 2: 1 << 13, 3: 1 << 14, 5: 1 << 15}
FS_READ = 1 | 4 | 8  # execute, read_file, read_dir
FS_READ_WRITE_FILE = 2 | 4  # write_file, read_file (devices such as /dev/null)
FILE_RIGHTS = 1 | 2 | 4 | 1 << 14 | 1 << 15  # the rights a rule on a file (not a folder) may carry
NET_TCP = 1 | 2  # bind, connect (ABI 4)
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2  # ABI 6

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.malloc.restype, _libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is __attribute__((packed))
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def prctl(option: int, value: int) -> None:
    """prctl(2) with one argument."""
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is missing or disabled)."""
    result = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(result), 0)


def own_namespaces() -> None:
    """Give this process its own user and IPC namespaces (same uid inside as outside).

    Its SysV IPC objects then vanish with it, and RLIMIT_NPROC counts its threads alone. No network
    namespace of its own: seccomp refuses every socket family but AF_UNIX, Landlock scopes abstract
    unix sockets to the job, and the fork server already sits in bwrap's empty network namespace;
    creating and tearing one down per job cost 0.9 ms of CPU. Needs a single-threaded process.
    """
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWIPC), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1\n"), ("gid_map", f"{gid} {gid} 1\n")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def set_limit(which: int, value: int) -> None:
    """Lower soft and hard limit to ``value`` (never above the hard limit already in force)."""
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def landlock(read: list[str], write: list[str], devices: list[str]) -> int:
    """Restrict this process and its future threads: read ``read``, read and write ``write``.

    Also denies TCP bind/connect and scopes signals and abstract unix sockets to this process
    (Landlock ABI 6). Returns the ABI used; raises OSError when Landlock is not available.
    """
    abi = landlock_abi()
    if abi < 1:
        raise OSError("Landlock is not available in this kernel")
    handled = sum(bits for version, bits in FS_RIGHTS.items() if version <= abi)
    attr = _RulesetAttr(handled, NET_TCP if abi >= 4 else 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                                   ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for paths, rights in ((read, FS_READ), (write, handled), (devices, FS_READ_WRITE_FILE)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # a runtime path this machine does not have
                try:
                    allowed = (rights if os.path.isdir(path) else rights & FILE_RIGHTS) & handled
                    rule = _PathBeneath(allowed, fd)
                    _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                                         ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule),
                                         ctypes.c_uint32(0)), f"landlock_add_rule {path}")
                finally:
                    os.close(fd)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def load_seccomp(bpf: bytes) -> None:
    """Install a compiled seccomp BPF program (sock_filter array) on this process."""
    if not bpf or len(bpf) % 8:
        raise OSError("malformed seccomp program")
    buffer = ctypes.create_string_buffer(bpf, len(bpf))
    prog = _SockFprog(len(bpf) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _check(_libc.syscall(SYS_SECCOMP, ctypes.c_uint(SECCOMP_SET_MODE_FILTER), ctypes.c_uint(0), ctypes.byref(prog)),
           "seccomp")


MMAP_THRESHOLD, TRIM_THRESHOLD = 32 << 20, 64 << 20  # bytes: blocks below 32 MiB come from (and return to) the heap
MALLOC_TUNABLES = f"glibc.malloc.mmap_threshold={MMAP_THRESHOLD}:glibc.malloc.trim_threshold={TRIM_THRESHOLD}"


HEAP_PER_INPUT_BYTE = 2  # a case makes arrays the size of its inputs (copies, masks, results); 2 measured best of 2, 4, 8
MIN_RESERVE, MAX_RESERVE = 1 << 20, MMAP_THRESHOLD // 2  # from the heap (not mmap), and free() keeps it there
MADV_POPULATE_WRITE = 23  # Linux 5.14; older kernels refuse it and nothing happens


def reserve_heap(input_bytes: int) -> None:
    """Fault in, in one call, the heap that cases with ``input_bytes`` of input arrays will use.

    A fresh child's heap grows page by page: each 4 KiB its arrays first touch costs a page fault,
    which this nested VM makes dear (a dropout job: about 4,800 faults, a third of its CPU time).
    madvise(MADV_POPULATE_WRITE) maps the same pages without a trap each; freed, the block stays in
    the heap (below glibc's mmap and trim thresholds) for the arrays that follow. Called before the
    memory limit is set (which adds the submission's allowance to the address space then in use), so
    the reserve never counts against the student. Only a speed hint: nothing a run computes changes.
    """
    size = min(MAX_RESERVE, HEAP_PER_INPUT_BYTE * input_bytes)
    if size < MIN_RESERVE:
        return
    block = _libc.malloc(size)
    if block:
        start = (block + 4095) & ~4095
        _libc.madvise(start, (block + size - start) & ~4095, MADV_POPULATE_WRITE)
        _libc.free(block)


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
        # glibc keeps freed large blocks for reuse instead of unmapping them: a case that allocates
        # arrays of megabytes in a loop then faults its pages in once, not on every allocation
        "GLIBC_TUNABLES": MALLOC_TUNABLES,
    }


def address_space_now() -> int:
    """This process's current virtual memory size in bytes (the base the memory limit adds to)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def cpu_limits(limits: dict) -> tuple[int, int]:
    """(soft, hard) RLIMIT_CPU seconds of a job: its run's budget, and that plus its follow-ups' margin."""
    cpu = int(limits["cpu_seconds"]) + 1
    return cpu, cpu + int(limits.get("follow_up_seconds", 0))


def confine_job(limits: dict, config: dict, workdir: str, parent: int) -> None:
    """Everything between the fork and the student's first line, in this order.

    Namespaces first (they change credentials, which clears the parent-death signal), then the
    parent-death signal, rlimits (threads are counted per user namespace, so RLIMIT_NPROC bounds
    this job's threads only), the scratch folder and environment, Landlock, and seccomp last (it
    forbids unshare and the Landlock calls).
    """
    os.setsid()
    if config["level"] == "bubblewrap":
        own_namespaces()
    die_with_parent(parent)
    memory = int(limits["memory_mb"]) * 1024 * 1024
    set_limit(resource.RLIMIT_AS, address_space_now() + memory)
    cpu, margin = cpu_limits(limits)
    set_limit(resource.RLIMIT_CPU, margin)  # hard: follow-up runs' margin too
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, hard), hard))  # soft: this run's budget
    set_limit(resource.RLIMIT_FSIZE, int(limits["file_size_mb"]) * 1024 * 1024)
    set_limit(resource.RLIMIT_CORE, 0)
    set_limit(resource.RLIMIT_NOFILE, 64)
    if config["level"] == "bubblewrap":
        set_limit(resource.RLIMIT_NPROC, int(limits["processes"]))
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(child_environment(workdir))
    if config["level"] == "bubblewrap":
        landlock(config["read"], [workdir], config["devices"])
    if config.get("seccomp"):
        load_seccomp(bytes.fromhex(config["seccomp"]))
    else:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
