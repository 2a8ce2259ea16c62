"""A job child's set-up: the heap it reserves for large inputs is the heap its arrays then use, outside its
allowance; Landlock keeps it from reaching unix sockets outside its job."""
from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.sandbox.confine import MALLOC_TUNABLES, MIN_RESERVE, landlock_abi


def _faults_filling(reserve: int) -> int:
    """Page faults of making a 3 MiB array (below numpy's 4 MiB huge-page threshold) in a fresh
    interpreter after reserve_heap(reserve)."""
    script = textwrap.dedent(f"""
        import resource
        import numpy as np
        from grader.sandbox.confine import reserve_heap
        reserve_heap({reserve})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        np.ones(3 << 17)  # 3 MiB of float64: 768 pages
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """)
    env = {"GLIBC_TUNABLES": MALLOC_TUNABLES, "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}  # as in a job
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    return int(done.stdout.strip())


def test_arrays_made_after_the_reserve_do_not_fault_their_pages_in_one_by_one():
    cold = _faults_filling(0)
    warm = _faults_filling(8 << 20)
    if cold < 500:
        pytest.skip(f"this machine faults a 3 MiB array in {cold} times (huge pages?): nothing to compare")
    if tuple(int(part) for part in platform.release().split(".")[:2] if part.isdigit()) < (5, 14):
        pytest.skip("MADV_POPULATE_WRITE needs Linux 5.14")
    assert warm < cold / 4, (cold, warm)


def test_small_inputs_reserve_nothing():
    assert _faults_filling(MIN_RESERVE // 8) > 500 or _faults_filling(0) < 500


def test_the_reserve_never_counts_against_the_submissions_memory_allowance():
    import numpy as np

    from grader.sandbox import ChildCase, Sandbox
    from grader.sandbox.channel import encode

    source = "import numpy as np\n\ndef big(x):\n    return int(np.ones(88 << 17).size)  # 88 MiB in one mapping\n"
    probe = {"call": "big", "args": encode([np.zeros(1 << 20)], inline_bytes=True), "kwargs": encode({})}  # 8 MiB in
    with Sandbox() as box:
        (outcome,) = box.run(source, "<m.py>", "m", [ChildCase("big", probe, 10.0)],
                             {"memory_mb": 100, "file_size_mb": 1, "processes": 8})
    # 100 MiB allowed: the input's 8 MiB copy comes from the reserve, the 88 MiB array from a mapping
    # of its own; were the reserve's 16 MiB counted, 104 MiB would not fit
    assert outcome.status == "ok", outcome.message
    assert outcome.value == 88 << 17


def _connects_to(name: bytes, confined: bool) -> str:
    """What a fresh interpreter gets connecting to the abstract unix socket ``name``, after
    confine.landlock (as a job child calls it) when ``confined``."""
    script = textwrap.dedent(f"""
        import socket
        from grader.sandbox.confine import landlock
        if {confined!r}:
            landlock(["/"], [], [])
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect({name!r})
            print("connected")
        except OSError as exc:
            print(type(exc).__name__)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    return done.stdout.strip()


def test_a_unix_socket_outside_the_job_cannot_be_reached_even_in_the_same_network_namespace():
    # jobs share their fork server's network namespace (and so its abstract socket names): Landlock's
    # scoping (ABI 6, which the sandbox requires) is what keeps a job from another process's socket
    if landlock_abi() < 6:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the sandbox needs Landlock ABI 6")
        pytest.skip("needs Landlock ABI 6")
    name = f"\0grader-test-{os.getpid()}".encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(name)
        server.listen(4)
        assert _connects_to(name, confined=False) == "connected"
        assert _connects_to(name, confined=True) == "PermissionError"
