"""Processes that die with their parent (PR_SET_PDEATHSIG), from grader workers down to job children."""
# Import-light: grader workers call it before importing anything heavy, job children inside the sandbox.
from __future__ import annotations

import ctypes
import importlib
import os
import signal

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` dies. Call it after every credential change (they clear it)."""
    if _libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)


def start_tied(parent: int, target: str, *args: object) -> None:
    """A worker initializer: tie this process to ``parent`` first, then import and call ``target``.

    ``target`` is "module:function" so that nothing heavy is imported (and no time passes)
    before the tie is in place: a grader killed while its workers start takes them along.
    """
    die_with_parent(parent)
    module, name = target.split(":")
    getattr(importlib.import_module(module), name)(*args)
