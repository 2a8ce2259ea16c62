"""A hostile class graded in one batch with honest students, as root and as an ordinary user.

Each attack must gain nothing, leave honest students' results as they are without the attackers,
write nothing outside the output folder, leave no process behind, and let the batch complete.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.cases import fresh_secret
from grader.sanitise import shown_name
import hostile_class as hc  # noqa: E402  (tests/sandbox is on sys.path under pytest's default import mode)

ROOT = hc.ROOT
TA = "grader-ta"
TA_PYTHON = "/opt/grader-ta/venv/bin/python"
SLUGS = ("perceptron", "backprop")
CANARY = "hx-canary-process"
SHM_KEY = "0x48580001"
AFTER_BATCH = 3.0  # seconds left to orphans to act after the grader exits

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="builds users' views of the machine: run as root (CI does)")


def _ta_ready() -> bool:
    try:
        subprocess.run(["id", TA], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return os.access(TA_PYTHON, os.X_OK)


@dataclass
class Batch:
    """One user's graded hostile class, and what was found on the machine afterwards."""

    user: str
    code: int
    output: str  # stdout + stderr of `grader grade`
    gradebook: str
    scores: dict  # student -> {slug: points}
    reports: dict  # student -> text of its JSON and HTML
    honest: dict  # student -> [(slug, case, points, status)] in this batch
    baseline: dict  # the same, from a batch of the honest students alone
    leftovers: dict  # tag -> pids of processes named after it still running
    untagged: list  # other sandbox processes of this run still running
    planted: dict  # tag -> paths named after it outside the output folder
    changed: list  # files of the course or the submissions that changed
    canary_alive: bool
    shm_left: bool
    secret: str
    gradescope: dict = field(default_factory=dict)
    workspace: Path = Path()


def _processes() -> dict[int, tuple[str, bytes]]:
    found = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            found[int(pid)] = (comm, cmdline)
    return found


def _tree(root: Path) -> dict[str, tuple]:
    """Every file under ``root`` with its size and mtime (iterative: the nested attack is deep)."""
    out, stack = {}, [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in ("__pycache__", ".git", ".pytest_cache"):
                    stack.append(Path(entry.path))
            else:
                out[entry.path] = (st.st_size, st.st_mtime_ns)
    return out


def _planted(places: list[tuple[Path, tuple[str, ...]]], tags: list[str]) -> dict[str, list[str]]:
    """Files and folders named after an attack's tag in ``places`` (each with the glob patterns to look at)."""
    found: dict[str, list[str]] = {}
    for place, patterns in places:
        for depth_glob in patterns:
            try:
                paths = list(place.glob(depth_glob))
            except OSError:
                continue
            for path in paths:
                for tag in tags:
                    if tag in path.name:
                        found.setdefault(tag, []).append(str(path))
    return found


def _results(out: Path) -> tuple[dict, dict, dict]:
    scores, reports, cases = {}, {}, {}
    for path in out.glob("*.json"):
        if path.name == "summary.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        student = data["student"]
        scores[student] = {a["assignment"]: a["points"] for a in data["assignments"]}
        html = path.with_suffix(".html")
        reports[student] = path.read_text(encoding="utf-8") + (html.read_text(encoding="utf-8") if html.exists() else "")
        cases[student] = [(a["assignment"], c["name"], c["points"], c["status"]) for a in data["assignments"] for c in a["cases"]]
    return scores, reports, cases


class Runner:
    """Runs the grader as root from this checkout, or as the TA from a copy that user can read."""

    def __init__(self, user: str, workspace: Path):
        self.user = user
        if user == "root":
            self.repo, self.python, self.prefix = ROOT, sys.executable, []
        else:
            self.repo = workspace / "course"
            shutil.copytree(ROOT, self.repo, ignore=shutil.ignore_patterns(
                ".git", "__pycache__", "*.egg-info", ".pytest_cache", "build", "tests", "benchmarks"))
            subprocess.run(["chmod", "-R", "a+rX", str(self.repo)], check=True)
            self.python, self.prefix = TA_PYTHON, ["runuser", "-u", TA, "--"]

    def own(self, *paths: Path) -> None:
        if self.user != "root":
            for path in paths:
                subprocess.run(["chown", "-R", TA, str(path)], check=True)

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("GRADER_SECRET", "PYTHONPATH")}
        return subprocess.run([*self.prefix, self.python, "-m", "grader", *args], cwd=self.repo, env=env,
                              capture_output=True, text=True, errors="surrogateescape", timeout=timeout)

    def start_canary(self) -> subprocess.Popen:
        return subprocess.Popen([*self.prefix, self.python, "-c", "import time; time.sleep(900)", CANARY],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def site_dirs(self) -> list[Path]:
        code = "import site, sysconfig; print(sysconfig.get_paths()['purelib']); print(site.getusersitepackages())"
        lines = subprocess.run([*self.prefix, self.python, "-c", code], capture_output=True, text=True).stdout.split()
        return [Path(line) for line in lines]


def _kill_tagged(tags: list[str]) -> None:
    """Stop what the attackers left running (by pid, after the assertions have looked)."""
    for pid, (comm, cmdline) in _processes().items():
        if any(comm.startswith(tag[:15]) for tag in tags) or CANARY.encode() in cmdline:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _grade_class(user: str, workspace: Path) -> Batch:
    os.chmod(workspace.parent, 0o755)
    workspace.mkdir(mode=0o755)
    os.chmod(workspace, 0o755)
    started = time.monotonic()

    def lap(what: str) -> None:
        print(f"[hostile {user}] {what}: {time.monotonic() - started:.1f} s", file=sys.stderr)

    runner = Runner(user, workspace)
    tags = [a.tag for a in hc.ATTACKS]
    klass, honest_only = workspace / "class", workspace / "honest"
    hc.build(klass, hc.ATTACKS)
    hc.build(honest_only, [])
    out, out_honest, secret_dir = workspace / "out", workspace / "out-honest", workspace / "secret"
    for folder in (out, out_honest, secret_dir):
        folder.mkdir()
    secret = fresh_secret()
    (secret_dir / "secret.txt").write_text(secret + "\n")
    os.chmod(secret_dir, 0o700)
    os.chmod(secret_dir / "secret.txt", 0o600)
    second = Path(f"/srv/course-copy-{os.getpid()}-{user}")  # world-readable, elsewhere on the machine
    shutil.copytree(ROOT / "solutions", second / "solutions")
    subprocess.run(["chmod", "-R", "a+rX", str(second)], check=True)
    subprocess.run(["chmod", "-R", "a+rX", str(klass), str(honest_only)], check=True)
    runner.own(out, out_honest, secret_dir)
    watched = {**_tree(klass), **_tree(runner.repo / "solutions"), **_tree(runner.repo / "assignments"),
               **_tree(runner.repo / "grader")}
    sites = runner.site_dirs()
    canary = runner.start_canary()
    before = set(_processes())
    lap("class built")
    try:
        done = runner.run("grade", str(klass), "--out", str(out), "--jobs", "2", *sum((["--assignment", s] for s in SLUGS), []),
                          "--secret-file", str(secret_dir / "secret.txt"), "--no-progress")
        lap("batch graded")
        time.sleep(AFTER_BATCH)
        now = _processes()
        leftovers: dict[str, list[int]] = {}
        for pid, (comm, _) in now.items():
            for tag in tags:
                if pid not in before and comm == tag[:15]:
                    leftovers.setdefault(tag, []).append(pid)
        marker = str(runner.repo).encode()
        untagged = [pid for pid, (comm, cmdline) in now.items() if pid not in before and not comm.startswith("hx-")
                    and b"grader.sandbox" in cmdline and marker in cmdline]
        canary_alive = canary.poll() is None
        deep = ("*", "*/*")
        places = [(Path("/tmp"), deep), (Path("/var/tmp"), deep), (Path("/dev/shm"), deep), (Path("/run/lock"), deep),
                  (workspace, ("*",)), (workspace.parent, ("*",)), (runner.repo, deep), (Path("/home") / TA, deep),
                  *((site, ("*",)) for site in sites)]
        planted = _planted(places, tags)
        changed = [p for p, stat in watched.items() if _tree_stat(p) != stat]
        shm_left = SHM_KEY in subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
        gradebook = (out / "gradebook.csv").read_text(encoding="utf-8") if (out / "gradebook.csv").exists() else ""
        scores, reports, cases = _results(out)
        base = runner.run("grade", str(honest_only), "--out", str(out_honest), "--jobs", "2",
                          *sum((["--assignment", s] for s in SLUGS), []), "--secret-file", str(secret_dir / "secret.txt"),
                          "--no-progress")
        assert base.returncode == 0, base.stderr
        _, _, baseline = _results(out_honest)
        lap("honest batch graded")
        gradescope = _gradescope(runner, workspace, secret_dir / "secret.txt", tags)
        lap("gradescope run")
    finally:
        _kill_tagged([*tags, "hx-gradescope"])
        canary.kill()
        canary.wait()
        for site in sites:
            for tag in tags:
                (site / f"{tag}.pth").unlink(missing_ok=True)
        for place in ("/run/lock", "/dev/shm", "/var/tmp"):
            for path in Path(place).glob("hx-*"):
                path.unlink(missing_ok=True)
        subprocess.run(["ipcrm", "-M", SHM_KEY], capture_output=True)
        subprocess.run(["rm", "-rf", str(second), str(klass)], check=False)  # the nested attack defeats rmtree
    honest = {s: cases.get(s) for s in hc.HONEST}
    return Batch(user, done.returncode, done.stdout + done.stderr, gradebook, scores, reports, honest, baseline,
                 leftovers, untagged, planted, changed, canary_alive, shm_left, secret, gradescope, workspace)


def _tree_stat(path: str):
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _gradescope(runner: Runner, workspace: Path, secret_file: Path, tags: list[str]) -> dict:
    """`grader gradescope` on one attacker that leaks the secret and rewrites results.json from a grandchild."""
    submission, results = workspace / "gs" / "submission", workspace / "gs" / "results"
    submission.mkdir(parents=True)
    results.mkdir()
    for name, text in hc.GRADESCOPE_ATTACK.items():
        (submission / name).write_text(text)
    subprocess.run(["chmod", "-R", "a+rX", str(workspace / "gs")], check=True)
    runner.own(results)
    before = set(_processes())
    done = runner.run("gradescope", str(submission), "--out", str(results / "results.json"), "--assignment", "perceptron",
                      "--student", "hx-gradescope", "--secret-file", str(secret_file))
    time.sleep(AFTER_BATCH)
    left = [pid for pid, (comm, _) in _processes().items() if pid not in before and comm == "hx-gradescope"]
    text = (results / "results.json").read_text() if (results / "results.json").exists() else ""
    return {"code": done.returncode, "output": done.stdout + done.stderr, "results": text, "left": left}


_BATCHES: dict[str, Batch] = {}


@pytest.fixture(scope="module")
def graded():
    """The hostile class graded once per user; later tests reuse the batch."""
    def get(user: str) -> Batch:
        if user not in _BATCHES:
            if user == TA and not _ta_ready():
                pytest.skip("no `grader-ta` user or its Python: run .ci/unprivileged-env")
            # not under pytest's own temporary folder: that one is private to root
            _BATCHES[user] = _grade_class(user, Path(tempfile.mkdtemp(prefix=f"hostile-{user}-")) / "w")
            workspaces.append(_BATCHES[user])
        return _BATCHES[user]
    workspaces: list = []
    yield get
    for batch in workspaces:
        subprocess.run(["rm", "-rf", str(batch.workspace.parent)], check=False)
    _BATCHES.clear()


def _params():
    out = []
    for user in ("root", TA):
        for attack in hc.ATTACKS:
            out.append(pytest.param(user, attack, id=f"{user}-{shown_name(attack.tag)[:40]}"))
    return out


@pytest.mark.parametrize("user", ["root", TA])
def test_the_batch_completes_with_every_student_and_clean_output(graded, user):
    batch = graded(user)
    assert batch.code == 0, batch.output[-3000:]
    listed = {row.split(",")[0] for row in batch.gradebook.splitlines()[1:]}
    expected = {shown_name(a.tag) for a in hc.ATTACKS} | set(hc.HONEST)
    assert expected <= listed, sorted(expected - listed)
    assert expected <= set(batch.scores), sorted(expected - set(batch.scores))
    assert "\x1b" not in batch.output and "\x07" not in batch.output  # no terminal escapes reach the TA
    assert len(batch.output.splitlines()) < 200, "warnings are capped per student"
    assert not batch.untagged, f"sandbox processes left after the batch: {batch.untagged}"
    assert not batch.changed, f"course or submission files changed: {batch.changed[:5]}"


@pytest.mark.parametrize("user", ["root", TA])
def test_honest_students_score_as_in_a_batch_without_attackers(graded, user):
    batch = graded(user)
    assert batch.honest == batch.baseline
    reference = batch.scores["aaa-honest-reference"]
    assert reference["perceptron"] == 24  # the perceptron's total since the error-threshold cases


@pytest.mark.parametrize("user, attack", _params())
def test_an_attack_gains_nothing_and_leaves_nothing(graded, user, attack):
    batch = graded(user)
    student = shown_name(attack.tag)
    assert batch.code == 0 and student in batch.scores, f"{student} missing: {batch.output[-2000:]}"
    bound = batch.scores[attack.bound] if isinstance(attack.bound, str) else {s: attack.bound for s in SLUGS}
    for slug, points in batch.scores[student].items():
        assert points <= bound.get(slug, 0), f"{student} scored {points} on {slug} (at most {bound.get(slug, 0)})"
    assert not batch.planted.get(attack.tag), f"written outside the output folder: {batch.planted[attack.tag]}"
    assert not batch.leftovers.get(attack.tag), f"processes left running: {batch.leftovers[attack.tag]}"
    assert batch.secret not in batch.reports[student], "the course secret reached a report"
    assert batch.secret not in batch.gradebook
    report = batch.reports[student]
    assert "\x1b" not in report and "\ud800" not in report
    if attack.tag == "hx-kill-ta":
        assert batch.canary_alive, "the TA's other process was killed"
    if attack.tag.startswith("hx-shm"):
        assert not batch.shm_left, "a shared-memory segment outlived its submission"
    if attack.tag == "hx-gradebook":
        assert "999" not in batch.gradebook


@pytest.mark.parametrize("user", ["root", TA])
def test_gradescope_hides_the_secret_and_keeps_its_results(graded, user):
    gs = graded(user).gradescope
    assert gs["code"] == 0, gs["output"][-2000:]
    data = json.loads(gs["results"])
    assert data["score"] == 0 and len(data["tests"]) > 0
    assert graded(user).secret not in gs["results"] and graded(user).secret not in gs["output"]
    assert not gs["left"], "a grandchild outlived the gradescope run"
