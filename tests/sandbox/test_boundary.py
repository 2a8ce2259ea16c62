"""The trusted boundary: every frame checked, child text sanitised, in-place changes decided by the grader."""
from __future__ import annotations

import json

import numpy as np
import pytest

from grader.checks.mutation import first_difference, mutations_found, settle
from grader.errors import ChannelError
from grader.sandbox import ChildCase, Sandbox
from grader.sandbox.channel import decode, encode
from grader.sandbox.frames import checked_frame
from grader.sanitise import capped, clean_text, shown_name

LIMITS = {"memory_mb": 256, "file_size_mb": 1, "processes": 8}


def done(**fields):
    return {"event": "done", "case": "c", "seconds": 0.1, "mutations": [], "status": "ok", "value": 1, **fields}


@pytest.mark.parametrize("frame", [
    done(mutations={"function": "f"}),
    done(mutations=[{"function": 1, "argument": "w"}]),
    done(mutations=[{"function": "f", "argument": "w", "extra": "x"}]),
    done(case=["c"]),
    done(seconds="fast"),
    done(status="passed"),
    done(unknown=1),
    done(printed_to=-1),
    {"event": "imported", "deadline": 99},
    {"event": "start", "case": "c"},
    {"event": "tick"},
    ["done"],
    done(inputs={"__dict__": {}}),
])
def test_a_malformed_frame_is_refused(frame):
    with pytest.raises(ChannelError):
        checked_frame(frame)


def test_a_checked_frame_holds_only_clean_text():
    frame = checked_frame({"event": "done", "case": "c", "seconds": 0, "mutations": [], "status": "error",
                           "error_type": "Boom\x1b[2J", "message": "bad \ud800 \x1b]0;owned\x07", "traceback": ["x\ud800"]})
    text = json.dumps(frame, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate left
    assert "\x1b" not in text and "\\x1b" in frame["message"]


def test_clean_text_caps_length_and_keeps_newlines():
    assert clean_text("a\nb\tc") == "a\nb\tc"
    assert clean_text("x" * 5000, 100).endswith("[...]") and len(clean_text("x" * 5000, 100)) <= 100
    assert shown_name("evil\x1b[31m\nname") == "evil\\x1b[31m\\x0aname"
    assert capped(["w"] * 30, 10)[-1] == "... and 20 more warnings"


def test_unchanged_markers_are_decided_by_the_trusted_side():
    a = np.arange(3.0)
    assert decode(encode(("__unchanged__", a, a.copy()))) is True
    assert decode(encode(("__unchanged__", a, a + 1))) is False
    assert settle(("__unchanged__", [a], [a.astype(np.float32)])) is False


def test_first_difference_sees_types_shapes_and_values_and_treats_nan_as_equal():
    nan = np.array([np.nan, 1.0])
    assert first_difference(nan, nan.copy()) is None
    assert first_difference({"w": [np.zeros(2)]}, {"w": [np.ones(2)]}) == "['w'][0]"
    assert first_difference((1, 2), [1, 2]) is not None
    assert first_difference(np.zeros(2), np.zeros(2, dtype=np.float32)) is not None


def test_mutations_come_from_the_parents_copy_not_from_the_childs_claims():
    w = np.zeros(3)
    assert mutations_found("f", (w,), {}, [[w + 1], {}], ())[0]["argument"] == "#1"
    assert mutations_found("f", (w,), {}, [[w.copy()], {}], ()) == []
    # a claim whose values agree is dropped; inputs not sent back count as modified
    claim = {"function": "f", "argument": "w", "before": w, "after": w.copy()}
    assert mutations_found("f", (w,), {}, [[w.copy()], {}], (claim,)) == []
    assert mutations_found("f", (w,), {}, None, ())


SOURCE = '''
import os, sys, time, threading
import numpy as np
from grader.sandbox.frames import write_frame

def add(a, b):
    return a + b

def dict_mutations():
    write_frame(3, {"event": "done", "case": "bad", "seconds": 0, "mutations": {"a": 1}, "status": "ok", "value": 1})
    time.sleep(30)

def surrogate():
    raise ValueError("bad \\ud800 text \\x1b[2J")

def reimport():
    for _ in range(50):
        write_frame(3, {"event": "imported"})
    return 1

def bump(w):
    w += 1
    return 0

def hide_bump(w):
    np.array_equal = lambda *a, **k: True
    w += 1
    return 0
'''


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def case(name, function, *args, seconds=2.0, inputs=True):
    return ChildCase(name, {"call": function, "args": encode(list(args)), "kwargs": encode({}),
                            "return_inputs": inputs}, seconds)


def test_a_bad_frame_costs_its_case_and_the_next_job_is_read_in_step(sandbox):
    outcomes = sandbox.run(SOURCE, "<s.py>", "s", [case("bad", "dict_mutations"), case("after", "add", 1, 2)], LIMITS)
    assert outcomes[0].status == "error" and outcomes[0].error_type == "ProtocolError"
    assert outcomes[1].status == "ok" and outcomes[1].value == 3
    (again,) = sandbox.run(SOURCE, "<s.py>", "s", [case("next", "add", 2, 2)], LIMITS)
    assert again.status == "ok" and again.value == 4


def test_repeated_imported_frames_end_the_child_instead_of_extending_its_time(sandbox):
    outcomes = sandbox.run(SOURCE, "<s.py>", "s", [case("flood", "reimport"), case("after", "add", 1, 1)], LIMITS)
    assert outcomes[0].error_type == "ProtocolError" and outcomes[1].value == 2


def test_an_exception_message_with_a_lone_surrogate_arrives_clean(sandbox):
    (outcome,) = sandbox.run(SOURCE, "<s.py>", "s", [case("s", "surrogate")], LIMITS)
    outcome.message.encode("utf-8")
    assert "\x1b" not in outcome.message and outcome.error_type == "ValueError"


def test_inputs_come_back_for_the_parent_to_compare_even_when_numpy_is_replaced(sandbox):
    w = np.zeros(2)
    for name in ("bump", "hide_bump"):
        (outcome,) = sandbox.run(SOURCE, "<s.py>", "s", [case(name, name, w)], LIMITS)
        assert mutations_found(name, (w,), {}, outcome.inputs, outcome.mutations), name
