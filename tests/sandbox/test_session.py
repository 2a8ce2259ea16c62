"""Sessions: a submission's follow-up runs reuse its child (no fork), never another submission's, and start from a fresh module."""
from __future__ import annotations

import os
import time

import pytest

from grader.sandbox import ChildCase, Sandbox, collect
from grader.sandbox.channel import encode

LIMITS = {"memory_mb": 256, "file_size_mb": 1, "processes": 8}

SOURCE = '''
import os, threading

CALLS = []

def pid():
    return os.getpid()

def count():
    CALLS.append(1)
    return len(CALLS)

def close_follow_ups():
    os.close(4)
    return os.getpid()

KEPT = []

def hide_follow_ups():
    KEPT.append(os.dup(4))  # the real follow-up pipe stays open (the grader's writes succeed) ...
    quiet, _ = os.pipe()
    os.dup2(quiet, 4)  # ... but the child waits on a pipe nobody writes to
    return os.getpid()

def hide_follow_ups_and_spin():
    threading.Thread(target=spin, daemon=True).start()  # no memory grows: only CPU time
    return hide_follow_ups()

def forge_idle():
    from grader.sandbox.frames import write_frame
    write_frame(3, {"event": "idle"})
    return 1

def spin():
    while True:
        pass

def spin_in_background():
    threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()
    return os.getpid()
'''


def case(name: str, function: str, *args) -> ChildCase:
    return ChildCase(name, {"call": function, "args": encode(list(args)), "kwargs": encode({})}, 2.0)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def test_a_sessions_second_run_of_the_same_source_reuses_its_child(sandbox):
    with sandbox.session() as session:
        (first,) = session.run(SOURCE, "<s.py>", "s", [case("a", "pid")], LIMITS)
        (second,) = session.run(SOURCE, "<s.py>", "s", [case("b", "pid")], LIMITS)
    assert first.status == second.status == "ok"
    assert first.value == second.value


def test_without_a_session_or_across_sessions_every_run_gets_a_fresh_child(sandbox):
    (a,) = sandbox.run(SOURCE, "<s.py>", "s", [case("a", "pid")], LIMITS)
    (b,) = sandbox.run(SOURCE, "<s.py>", "s", [case("b", "pid")], LIMITS)
    with sandbox.session() as one:
        (c,) = one.run(SOURCE, "<s.py>", "s", [case("c", "pid")], LIMITS)
    with sandbox.session() as other:  # the same file from another student
        (d,) = other.run(SOURCE, "<s.py>", "s", [case("d", "pid")], LIMITS)
    assert len({a.value, b.value, c.value, d.value}) == 4


def test_another_source_in_the_same_session_gets_a_fresh_child(sandbox):
    with sandbox.session() as session:
        (a,) = session.run(SOURCE, "<s.py>", "s", [case("a", "pid")], LIMITS)
        (b,) = session.run(SOURCE + "\n# edited\n", "<s.py>", "s", [case("b", "pid")], LIMITS)
    assert a.value != b.value


def test_a_follow_up_starts_from_a_fresh_module(sandbox):
    with sandbox.session() as session:
        first = session.run(SOURCE, "<s.py>", "s", [case("a", "count"), case("b", "count")], LIMITS)
        (again,) = session.run(SOURCE, "<s.py>", "s", [case("c", "count")], LIMITS)
    assert [o.value for o in first] == [1, 2]
    assert again.value == 1


def test_a_follow_up_of_many_generous_cases_still_reuses_the_child(sandbox):
    # localisation sends up to hundreds of calls, each with its case's limit: together far more
    # CPU time than the child's margin for follow-ups, though each takes milliseconds
    # (the margin is charged what the child really uses, not what each run may use: the second and
    # third runs still find it)
    many = [ChildCase(f"b{i}", case("", "pid").probe, 10.0) for i in range(100)]
    with sandbox.session() as session:
        (first,) = session.run(SOURCE, "<s.py>", "s", [case("a", "pid")], LIMITS)
        again = [o for _ in range(3) for o in session.run(SOURCE, "<s.py>", "s", many, LIMITS)]
    assert {o.status for o in again} == {"ok"}
    assert {o.value for o in again} == {first.value}


def test_a_follow_up_case_is_still_stopped_at_its_own_limit(sandbox):
    with sandbox.session() as session:
        session.run(SOURCE, "<s.py>", "s", [case("a", "pid")], LIMITS)
        spun, after = session.run(SOURCE, "<s.py>", "s", [ChildCase("b", case("", "spin").probe, 0.3), case("c", "pid")]
                                  + [ChildCase(f"d{i}", case("", "pid").probe, 10.0) for i in range(100)], LIMITS)[:2]
    assert spun.status == "timeout"
    assert after.status == "ok"


def test_a_child_that_closes_its_follow_up_pipe_costs_nothing_the_run_goes_to_a_fresh_child(sandbox):
    with sandbox.session() as session:
        (first,) = session.run(SOURCE, "<s.py>", "s", [case("a", "close_follow_ups")], LIMITS)
        (second,) = session.run(SOURCE, "<s.py>", "s", [case("b", "pid")], LIMITS)
    assert first.status == second.status == "ok"
    assert second.value != first.value


def test_a_child_that_hides_its_follow_ups_does_not_hold_the_run_up_the_run_goes_to_a_fresh_child(sandbox):
    with sandbox.session() as session:
        (first,) = session.run(SOURCE, "<s.py>", "s", [case("a", "hide_follow_ups")], LIMITS)
        started = time.monotonic()
        (second,) = session.run(SOURCE, "<s.py>", "s", [case("b", "pid")], LIMITS)
        waited = time.monotonic() - started
    assert first.status == second.status == "ok"
    assert second.value != first.value
    assert waited < collect.FOLLOW_UP_STALL + 5  # not the case's wall-clock backstop (4 x its limit + 10 s)


def test_a_child_that_hides_its_follow_ups_while_busy_costs_a_fresh_child_not_a_timeout(sandbox):
    # CPU time keeps rising, so this is not a stall: the kept child uses up the follow-up's
    # start-up budget before saying a word, and the run still goes to a fresh child
    with sandbox.session() as session:
        (first,) = session.run(SOURCE, "<s.py>", "s", [case("a", "hide_follow_ups_and_spin")], LIMITS)
        (second,) = session.run(SOURCE, "<s.py>", "s", [ChildCase("b", case("", "pid").probe, 0.2)], LIMITS)
    assert first.status == second.status == "ok"
    assert second.value != first.value


def test_a_forged_idle_message_costs_the_forger_its_case(sandbox):
    with sandbox.session() as session:
        outcomes = session.run(SOURCE, "<s.py>", "s", [case("a", "forge_idle"), case("b", "pid")], LIMITS)
    assert outcomes[0].status == "error" and "idle" in outcomes[0].message
    assert outcomes[1].status == "ok"


def test_a_background_thread_dies_with_its_child_when_the_session_ends(sandbox):
    with sandbox.session() as session:
        (spinning,) = session.run(SOURCE, "<s.py>", "s", [case("a", "spin_in_background")], LIMITS)
    (after,) = sandbox.run(SOURCE, "<s.py>", "s", [case("b", "pid")], LIMITS)  # reads the reaping of the kept child
    assert spinning.status == "ok" and after.status == "ok"
    server = sandbox._server._proc.pid  # pids inside are namespaced: look from outside, below the sandbox
    below = [p for p in os.listdir("/proc") if p.isdigit() and _descends(int(p), server)]
    assert not [p for p in below if _threads(int(p)) > 1]  # the fork server has one thread; the spinning child is gone


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                pid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError):
            return False
        if pid == ancestor:
            return True
    return False


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0
