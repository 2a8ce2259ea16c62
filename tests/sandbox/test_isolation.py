"""Each isolation guarantee, proved by an attack run through the real Sandbox, as root and as an ordinary TA."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("isolation_probe.py")
TA_USER = "grader-ta"
TA_PYTHON = "/opt/grader-ta/venv/bin/python"
SHM_KEY = 0x5EED
MARKER = ".grader-isolation-marker"  # a readable file in the user's home the child must not see

ATTACKS = '''
import ctypes, os, signal, socket, threading
import numpy as np

def add(a, b):
    return a + b

def read(path):
    with open(path) as handle:
        return handle.read()

def exists(path):
    return os.path.exists(path)

def write(path):
    with open(path, "w") as handle:
        handle.write("planted")
    return "written"

def connect():
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    return "connected"

def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("8.8.8.8", 53))
    return "sent"

def other_socket(family, kind):
    socket.socket(family, kind).close()
    return "opened"

def shm_create(key):
    libc = ctypes.CDLL(None, use_errno=True)
    ident = libc.shmget(key, 4096, 0o1000 | 0o666)
    if ident < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    return ident

def shm_find(key):
    libc = ctypes.CDLL(None, use_errno=True)
    ident = libc.shmget(key, 0, 0)
    if ident < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    return ident

def sleeper():
    threading.Thread(target=lambda: __import__("time").sleep(60), daemon=True).start()
    return "started"

def fork():
    pid = os.fork()
    if pid == 0:
        __import__("time").sleep(60)
        os._exit(0)
    return pid

def run_program():
    os.execv("/usr/bin/true", ["true"])

def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return "killed"

def kill_everyone():
    os.kill(-1, signal.SIGKILL)
    return "killed"

def whoami():
    return os.getuid()

def environment():
    return dict(os.environ)

def root_listing():
    return sorted(os.listdir("/"))
'''

HOG = '''
import threading
import numpy as np

def hog():
    def burn():
        a = np.ones(500_000)
        while True:
            np.sqrt(a, out=a)  # ufuncs release the GIL: every thread burns a core
    for _ in range(15):
        try:
            threading.Thread(target=burn, daemon=True).start()
        except RuntimeError:
            break
    burn()
'''

HONEST = '''
def work(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total
'''


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing(what: str) -> None:
    if _in_ci():
        pytest.fail(f"isolation tests need {what}")
    pytest.skip(f"needs {what}")


def world_readable_dir(parent: str, prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def course_copy():
    """A second, world-readable copy of the course's solutions somewhere else on the machine."""
    folder = world_readable_dir("/var/tmp", "course-copy-")
    shutil.copytree(REPO / "solutions", folder / "solutions")
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def ta_tree():
    """The grader and course copied where the TA user can read them (root's home is private)."""
    if os.getuid() != 0:
        _missing("root, to become the ordinary user grader-ta")
    made = subprocess.run([str(REPO / ".ci" / "unprivileged-env")], capture_output=True, text=True)
    if made.returncode != 0 or not os.access(TA_PYTHON, os.X_OK):
        _missing(f"the TA environment (.ci/unprivileged-env failed: {made.stderr[-500:]})")
    folder = world_readable_dir("/tmp", "grader-ta-tree-")
    for name in ("grader", "assignments", "solutions", "student_template"):
        shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROBE, folder / PROBE.name)
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def plan(course_copy: Path, home: str) -> dict:
    def cases(*items):
        return [[name, fn, list(args), 3.0] for name, fn, *args in items]

    secret = str(course_copy / "solutions" / "perceptron.py")
    first = cases(
        ("add", "add", 1, 2), ("copy_read", "read", secret), ("copy_exists", "exists", str(course_copy)),
        ("home_exists", "exists", f"{home}/{MARKER}"), ("home_write", "write", f"{home}/planted.txt"),
        ("lock_write", "write", "/run/lock/planted.txt"), ("vartmp_write", "write", "/var/tmp/planted.txt"),
        ("shm_write", "write", "/dev/shm/planted.txt"), ("tmp_write", "write", "/tmp/planted.txt"),
        ("scratch_write", "write", "notes.txt"), ("tcp", "connect"), ("udp", "udp"),
        ("inet6", "other_socket", 10, 2), ("netlink", "other_socket", 16, 3), ("packet", "other_socket", 17, 3),
        ("shm_create", "shm_create", SHM_KEY), ("sleeper", "sleeper"), ("fork", "fork"), ("exec", "run_program"),
        ("kill_parent", "kill_parent"), ("kill_everyone", "kill_everyone"), ("after_kills", "add", 2, 2),
        ("uid", "whoami"), ("env", "environment"), ("listing", "root_listing"),
    )
    second = cases(("shm_find", "shm_find", SHM_KEY), ("again", "add", 3, 4))
    return {
        "runs": [{"source": ATTACKS, "cases": first}, {"source": ATTACKS, "cases": second}],
        "parallel": {
            "hog": {"source": HOG, "cases": [["hog", "hog", [], 3.0]]},
            "honest": {"source": HONEST, "cases": [[f"work{i}", "work", [3_000_000], 1.0] for i in range(6)]},
        },
    }


def _probe(python: str, probe_dir: Path, course_copy: Path, home: str, user: str | None, package: Path) -> dict:
    work = world_readable_dir("/tmp", "probe-")
    marker = Path(home) / MARKER
    marker.write_text("visible?")
    marker.chmod(0o644)
    try:
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan(course_copy, home)))
        plan_file.chmod(0o644)
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "PYTHONPATH": str(package), "GRADER_SECRET": "do-not-leak-this-secret"}
        done = subprocess.run([python, str(probe_dir / PROBE.name), str(plan_file)], capture_output=True, text=True,
                              env=env, cwd=str(work), user=user, group=user, extra_groups=[] if user else None,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        marker.unlink()


@pytest.fixture(scope="module", params=["root", "ta"])
def attacked(request, course_copy):
    """The probe's report, as root (CI runs as root) and as the ordinary user grader-ta."""
    if request.param == "root":
        if os.getuid() != 0:
            _missing("root")
        home = os.path.expanduser("~")
        yield _probe(sys.executable, PROBE.parent, course_copy, home, None, REPO) | {"home": home}
    else:
        tree = request.getfixturevalue("ta_tree")
        home = f"/home/{TA_USER}"
        yield _probe(TA_PYTHON, tree, course_copy, home, TA_USER, tree) | {"home": home}


def outcome(report: dict, name: str, run: int = 0) -> dict:
    return next(o for o in report["runs"][run] if o["case"] == name)


def test_the_strongest_level_comes_up_for_root_and_for_an_ordinary_user(attacked):
    assert attacked["level"] == "bubblewrap"
    assert outcome(attacked, "add")["value"] == 3


def test_a_world_readable_copy_of_the_course_elsewhere_is_invisible(attacked):
    assert outcome(attacked, "copy_read")["status"] == "error"
    assert outcome(attacked, "copy_exists")["value"] is False


def test_only_the_scratch_folder_is_writable_and_host_folders_are_not_even_visible(attacked, course_copy):
    for name in ("home_write", "lock_write", "vartmp_write", "shm_write", "tmp_write"):
        assert outcome(attacked, name)["status"] == "error", name
    assert outcome(attacked, "scratch_write")["value"] == "written"
    assert outcome(attacked, "home_exists")["value"] is False
    for planted in (f"{attacked['home']}/planted.txt", "/run/lock/planted.txt", "/var/tmp/planted.txt",
                    "/dev/shm/planted.txt", "/tmp/planted.txt"):
        assert not os.path.exists(planted), planted
    listing = outcome(attacked, "listing")
    assert listing["status"] == "error" or not {"home", "work", "root", "var", "run", "opt"} & set(listing["value"])


def test_there_is_no_network(attacked):
    assert outcome(attacked, "tcp")["status"] == "error"
    assert outcome(attacked, "udp")["status"] == "error"


def test_no_socket_but_a_unix_one_can_even_be_opened(attacked):
    # the seccomp filter refuses every family but AF_UNIX (IPv6, netlink to list or change
    # interfaces, raw packets): no job needs its own network namespace to be offline
    for name in ("tcp", "udp", "inet6", "netlink", "packet"):
        assert outcome(attacked, name)["status"] == "error", name
        assert "Address family not supported" in outcome(attacked, name)["message"], name


def test_ipc_objects_of_one_job_are_gone_before_the_next(attacked):
    assert outcome(attacked, "shm_create")["status"] == "ok"  # allowed, but private to that job
    assert outcome(attacked, "shm_find", run=1)["status"] == "error"
    assert outcome(attacked, "again", run=1)["value"] == 7
    with open("/proc/sysvipc/shm") as handle:  # and nothing of it is left on the machine
        assert not any(line.split()[0] == str(SHM_KEY) for line in handle.readlines()[1:])


def test_no_process_or_thread_outlives_its_job(attacked):
    assert outcome(attacked, "sleeper")["value"] == "started"
    assert outcome(attacked, "fork")["status"] == "error"  # no process creation at all
    assert outcome(attacked, "exec")["status"] == "error"
    assert attacked["processes_after"] == [attacked["idle_processes"]] * 2  # the fork server alone, idle again
    assert attacked["left_behind"] == 0


def test_the_fork_server_and_the_grader_cannot_be_signalled(attacked):
    assert outcome(attacked, "kill_parent")["status"] == "error"
    assert outcome(attacked, "after_kills")["value"] == 4  # same job, same fork server: still alive
    assert outcome(attacked, "again", run=1)["status"] == "ok"


def test_children_run_unprivileged_with_a_scrubbed_environment(attacked):
    assert outcome(attacked, "uid")["value"] != 0
    env = outcome(attacked, "env")["value"]
    assert "GRADER_SECRET" not in env and env["OPENBLAS_NUM_THREADS"] == "1"


def test_a_cpu_hog_does_not_cost_a_neighbour_graded_at_the_same_time(attacked):
    parallel = attacked["parallel"]
    assert [o["status"] for o in parallel["hog"]] == ["timeout"]
    assert [o["status"] for o in parallel["honest"]] == ["ok"] * 6


LOOPING = '''
import numpy as np

def sign(z):
    while True:
        pass

predict = update = train = sign
'''


def _stat(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _tree(root: int) -> set[tuple[int, bytes]]:
    """(pid, start time) of ``root`` and every descendant: a pid alone could be recycled."""
    children: dict[int, list[tuple[int, bytes]]] = {}
    for entry in os.listdir("/proc"):
        stat = _stat(int(entry)) if entry.isdigit() else None
        if stat:
            fields = stat[stat.rindex(b")") + 2:].split()
            children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found, todo = set(), [root]
    while todo:
        for pid, started in children.get(todo.pop(), []):
            found.add((pid, started))
            todo.append(pid)
    return found


def _alive(process: tuple[int, bytes]) -> bool:
    stat = _stat(process[0])
    if stat is None:
        return False
    fields = stat[stat.rindex(b")") + 2:].split()
    return fields[19] == process[1] and fields[0] != b"Z"


@pytest.fixture(scope="module")
def looping_class():
    """Two honest students and one whose every function loops, as a folder anyone can read."""
    folder = world_readable_dir("/tmp", "class-")
    reference = (REPO / "solutions" / "perceptron.py").read_text()
    for name, source in (("alice", reference), ("looper", LOOPING), ("bob", reference)):
        (folder / name).mkdir()
        (folder / name / "perceptron.py").write_text(source)
    (folder / "secret.txt").write_text("a-course-secret-long-enough-for-anyone")
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("user", ["root", "ta"])
def test_killing_the_grader_leaves_no_process_behind(request, user, looping_class):
    if os.getuid() != 0:
        _missing("root")
    tree, python, who = (REPO, sys.executable, None) if user == "root" else (request.getfixturevalue("ta_tree"), TA_PYTHON, TA_USER)
    # kill while the workers start, once both sandboxes run, and 3 s later (the looping student's cases)
    for processes, delay in ((1, 0.0), (7, 0.0), (7, 3.0)):
        out = world_readable_dir("/tmp", "out-")
        out.chmod(0o777)
        grader = subprocess.Popen(
            [python, "-m", "grader", "--course", str(tree), "grade", str(looping_class), "--out", str(out / "o"),
             "--jobs", "2", "--assignment", "perceptron", "--fresh", "--no-progress",
             "--secret-file", str(looping_class / "secret.txt")],
            cwd=str(tree), env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(tree)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, user=who, group=who,
            extra_groups=[] if who else None)
        try:
            seen: set = set()
            give_up = time.monotonic() + 120
            while len(_tree(grader.pid)) < processes and grader.poll() is None and time.monotonic() < give_up:
                time.sleep(0.01)
            until = time.monotonic() + delay
            while True:
                seen |= _tree(grader.pid)
                if time.monotonic() >= until or grader.poll() is not None:
                    break
                time.sleep(0.02)
            moment = f"with {len(_tree(grader.pid))} processes, {delay:g} s later"
            assert grader.poll() is None, f"the batch ended before the kill ({moment}): nothing to test"
            grader.kill()
            grader.wait()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and any(_alive(p) for p in seen):
                time.sleep(0.05)
            survivors = [p for p in seen if _alive(p)]
            for pid, _ in survivors:  # clean up before failing, so one failure does not slow the rest
                subprocess.run(["kill", "-9", str(pid)], capture_output=True)
        finally:
            if grader.poll() is None:
                grader.kill()
                grader.wait()
            shutil.rmtree(out, ignore_errors=True)
        assert not survivors, f"{len(survivors)} process(es) outlived the grader killed {moment}"
