"""The seccomp filter for job children, compiled on the trusted side with pyseccomp (libseccomp)."""
from __future__ import annotations

import errno
import functools
import tempfile

CLONE_THREAD = 0x00010000
AF_UNIX = 1

# What student numpy code never needs: debugging other processes, mounting, new namespaces, kernel
# keyrings, BPF, perf, io_uring, modules, handles to files by number, swapping, rebooting...
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig",
    "fspick", "mount_setattr", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "userfaultfd", "fanotify_init", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "open_by_handle_at", "name_to_handle_at", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "acct", "swapon", "swapoff", "reboot", "sethostname",
    "setdomainname", "syslog", "quotactl", "lookup_dcookie", "personality", "vhangup",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    # no process creation or replacement: a job is one process (threads allowed)
    "fork", "vfork", "execve", "execveat",
)


class FilterUnavailable(Exception):
    """pyseccomp or libseccomp is not installed."""


@functools.lru_cache(maxsize=1)
def job_filter() -> bytes:
    """The BPF program (an array of struct sock_filter) every job child loads before student code."""
    try:
        import pyseccomp as sc
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: libseccomp missing
        raise FilterUnavailable(f"seccomp filter unavailable (pip install pyseccomp; apt-get install libseccomp2): {exc}") from exc
    filt = sc.SyscallFilter(sc.ALLOW)
    for name in DENIED:
        try:
            filt.add_rule(sc.ERRNO(errno.EPERM), name)
        except OSError:
            pass  # a syscall this architecture does not have
    # clone without CLONE_THREAD makes a process: refused; clone3 hides its flags in memory, so it
    # reports "not implemented" and the C library falls back to clone for threads
    filt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    filt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    filt.add_rule(sc.ERRNO(errno.EAFNOSUPPORT), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    with tempfile.TemporaryFile() as handle:
        filt.export_bpf(handle)
        handle.seek(0)
        return handle.read()
