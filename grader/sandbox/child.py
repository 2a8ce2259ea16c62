"""The child's side: build the student's module from source, run each probe, stream plain results back."""
from __future__ import annotations

import inspect
import linecache
import marshal
import os
import resource
import sys
import time
import traceback
import types
from typing import Any

import numpy as np

from grader.sandbox.channel import decode, encode
from grader.sandbox.frames import FrameReader, write_frame

MAX_MESSAGE = 500  # characters of an exception message sent back


_SKIP = object()
_ndarray = np.ndarray
_copy_array = np.ndarray.copy  # bound now, before any student code runs
_to_bytes = np.ndarray.tobytes
MAX_SNAPSHOT_ELEMENTS = 200_000  # larger changed values are reported without their contents


def _snapshot(value: Any, depth: int = 0) -> Any:
    """A deep copy of plain data (arrays, lists, tuples, dicts, numbers); other objects are skipped."""
    if depth > 20:
        return _SKIP
    if isinstance(value, _ndarray):
        return (_ndarray, _copy_array(value))
    if isinstance(value, list):
        return [_snapshot(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (int, float, str, bool, type(None), np.generic)):
        return value
    return _SKIP


def _restore(snapshot: Any) -> Any:
    """The value a snapshot holds, as plain data (for sending)."""
    if isinstance(snapshot, tuple) and len(snapshot) == 2 and snapshot[0] is _ndarray:
        return snapshot[1]
    if isinstance(snapshot, list):
        return [_restore(v) for v in snapshot]
    if isinstance(snapshot, tuple):
        return tuple(_restore(v) for v in snapshot)
    if isinstance(snapshot, dict):
        return {k: _restore(v) for k, v in snapshot.items()}
    return None if snapshot is _SKIP else snapshot


def _changed(before: Any, after: Any, path: str = "") -> str | None:
    """Where ``after`` may differ from the snapshot ``before``: a candidate only.

    Compares raw bytes (no numpy function a student could replace). The trusted side decides: it
    receives both values and compares them itself (grader.checks.mutation).
    """
    if before is _SKIP:
        return None
    if isinstance(before, tuple) and len(before) == 2 and before[0] is _ndarray:
        data = before[1]
        if not isinstance(after, _ndarray) or after.dtype != data.dtype or after.shape != data.shape:
            return path or "the array"
        return None if _to_bytes(data) == _to_bytes(after) else (path or "the array")
    if isinstance(before, list):
        if not isinstance(after, list) or len(after) != len(before):
            return path or "the list"
        for i, (b, a) in enumerate(zip(before, after)):
            where = _changed(b, a, f"{path}[{i}]")
            if where:
                return where
        return None
    if isinstance(before, tuple):
        for i, (b, a) in enumerate(zip(before, after)):
            where = _changed(b, a, f"{path}[{i}]")
            if where:
                return where
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            return path or "the dict"
        for k in before:
            where = _changed(before[k], after[k], f"{path}[{k!r}]")
            if where:
                return where
    return None


def _evidence(before: Any, after: Any) -> dict:
    """Both values of a changed argument, encoded, when small enough to send."""
    try:
        values = {"before": encode(_restore(before)), "after": encode(after)}
    except Exception:  # not plain data any more (an object put into a list): the claim stands alone
        return {}
    return values if _elements(values) <= MAX_SNAPSHOT_ELEMENTS else {}


def _elements(encoded: Any) -> int:
    if isinstance(encoded, dict):
        body = encoded.get("__ndarray__")
        if isinstance(body, dict):
            size = 1
            for n in body["shape"]:
                size *= n
            return size
        return sum(_elements(v) for v in encoded.values())
    if isinstance(encoded, list):
        return len(encoded) + sum(_elements(v) for v in encoded)
    return 1


class StudentProxy:
    """The ``student`` a probe sees: the module's functions, each call watched for input mutation.

    ``evidence`` (in the child) attaches both values of a changed argument to its record, so the
    trusted side can confirm it; the grader's own runs of the catalogue leave it off.
    """

    def __init__(self, module: types.ModuleType, mutations: list[dict], *, evidence: bool = False):
        self._module = module
        self._mutations = mutations
        self._evidence = evidence

    def __getattr__(self, name: str) -> Any:
        try:
            target = getattr(self._module, name)
        except AttributeError:
            raise AttributeError(f"your module has no function {name!r}") from None
        if not callable(target):
            return target
        mutations = self._mutations
        evidence = self._evidence

        def checked(*args: Any, **kwargs: Any) -> Any:
            before_args = [_snapshot(a) for a in args]
            before_kwargs = {k: _snapshot(v) for k, v in kwargs.items()}
            result = target(*args, **kwargs)
            pairs = [(i, b, a) for i, (b, a) in enumerate(zip(before_args, args))]
            pairs += [(k, b, kwargs[k]) for k, b in before_kwargs.items()]
            for argument, b, a in pairs:
                where = _changed(b, a)
                if where and len(mutations) < 20:
                    if isinstance(argument, int):  # a positional argument: named only when it changed
                        argument = _parameter_names(target, len(args))[argument]
                    record = {"function": name, "argument": argument, "where": where}
                    mutations.append({**record, **_evidence(b, a)} if evidence else record)
            return result

        return checked


def _parameter_names(fn: Any, count: int) -> list[str]:
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"#{i + 1}" for i in range(count)]


def build_module(source: str, filename: str, name: str, code: bytes | None = None) -> types.ModuleType:
    """Execute the submission's source as a fresh module (the child has no access to the file).

    ``code``: the source already compiled by the grader (marshal bytes of grader.compiled), so the
    child does not compile it again; the source still serves tracebacks.
    """
    module = types.ModuleType(name)
    module.__file__ = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.modules[name] = module
    exec(marshal.loads(code) if code is not None else compile(source, filename, "exec"), module.__dict__)
    return module


_DRIVERS: dict[tuple[str, str], types.CodeType] = {}  # this job's drivers, compiled once (several cases share one)


def _compiled_driver(name: str, source: str) -> types.CodeType:
    key = (name, source)
    if key not in _DRIVERS:
        _DRIVERS[key] = compile(source, f"<driver {name}>", "exec")
    return _DRIVERS[key]


def run_probe(probe: dict, module: types.ModuleType, mutations: list[dict], inputs: list | None = None,
              job_blobs: list | tuple = ()) -> Any:
    """Run one probe description against the student's module.

    ``inputs`` receives [args, kwargs], the very objects the student's code got, so that what the
    run left in them can be sent back and compared with the grader's copy.
    """
    student = StudentProxy(module, mutations, evidence=True)
    args = decode(probe.get("args") or [], blobs=job_blobs)
    kwargs = decode(probe.get("kwargs") or {"__dict__": {}}, blobs=job_blobs)
    if inputs is not None:
        inputs.extend([args, kwargs])
    if probe.get("call"):
        return getattr(student, probe["call"])(*args, **kwargs)
    namespace: dict[str, Any] = {"np": np, "__name__": "grader_driver"}
    exec(_compiled_driver(probe["driver_name"], probe["driver_source"]), namespace)
    return namespace[probe["driver_name"]](student, **kwargs)


def describe_exception(exc: BaseException, filename: str) -> dict:
    """Exception type, message and the student's own frames of the traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    lines = [f"line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames][-6:]
    try:
        message = str(exc)
    except Exception:  # a hostile __str__
        message = "<unprintable>"
    return {"error_type": type(exc).__name__, "message": message[:MAX_MESSAGE], "traceback": lines}


def _words(exc: BaseException) -> str:
    """``Type: message``, or the type alone when the message is empty."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _flush() -> None:
    """Push what the student printed to the log file (the child leaves with os._exit)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _printed_size() -> int:
    """How many bytes the student has printed so far (stdout and stderr share one log file)."""
    try:
        return os.fstat(1).st_size
    except OSError:
        return 0


def serve(job: dict, fd: int, job_blobs: list | tuple = (), follow_ups: int | None = None) -> None:
    """Run every case of ``job`` and write one frame per event to ``fd``.

    With ``follow_ups`` (a descriptor) and a job that asks to be kept, the child then says "idle"
    and runs the further jobs read from it (each on a freshly built module, as a new child would),
    until the grader closes it.
    """
    filename = job["filename"]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # so a case killed mid-run still shows its prints
        except Exception:
            pass
    code = job.get("code")  # the index of its bytes among the job's blobs (see frames.job_pieces)
    code = job_blobs[code] if isinstance(code, int) else None
    cases = job["cases"]
    reader = FrameReader()
    while True:
        try:  # a fresh module for every run, a follow-up's too: module-level state never carries over
            module = build_module(job["source"], filename, job["module"], code)
        except BaseException as exc:  # SystemExit at top level too: it is the student's module
            _flush()
            write_frame(fd, {"event": "import_error", **describe_exception(exc, filename)})
            return
        _flush()
        write_frame(fd, {"event": "imported"})
        run_cases(cases, module, filename, fd, job_blobs)
        if follow_ups is None or not job.get("keep"):
            return
        write_frame(fd, {"event": "idle"})
        frames: list = []
        while not frames:
            count, frames = reader.read_from(follow_ups)
            if not count:
                return  # the grader is done with this submission
        request, job_blobs = frames[0]["request"], frames[0].blobs
        _allow_cpu(float(request["limits"]["cpu_seconds"]))
        cases = request["job"]["cases"]


def _allow_cpu(seconds: float) -> None:
    """Move the CPU-time limit to what this process has used plus ``seconds`` (within the hard limit)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    want = int(used.ru_utime + used.ru_stime + seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))


def run_cases(cases: list, module: types.ModuleType, filename: str, fd: int, job_blobs: list | tuple = ()) -> None:
    """Run ``cases`` on the student's module: a start frame before each, a done frame after."""
    if cases:
        write_frame(fd, _start(cases[0]))
    for position, case in enumerate(cases):
        mutations: list[dict] = []
        inputs: list = []
        blobs: list = []  # large arrays' bytes, sent raw after the frame
        started = time.perf_counter()
        try:
            value = run_probe(case["probe"], module, mutations, inputs, job_blobs)
            status = {"status": "ok", "value": encode(value, blobs=blobs)}
        except BaseException as exc:
            status = {"status": "error", **describe_exception(exc, filename)}
        seconds = time.perf_counter() - started
        _flush()
        extra = {}
        if case["probe"].get("return_inputs") and len(inputs) == 2:
            try:  # the arguments as the run left them: the grader compares them with its own copy
                extra["inputs"] = encode(inputs, blobs=blobs)
            except Exception:
                extra["inputs"] = encode([["<not plain data any more>"], {}])
        following = _start(cases[position + 1]) if position + 1 < len(cases) else None  # sent before it runs
        try:
            write_frame(fd, {"event": "done", "case": case["name"], "seconds": seconds, "mutations": mutations[:20],
                             "printed_to": _printed_size(), **status, **extra}, blobs, then=following)
        except Exception as exc:  # e.g. an unsupported dtype in the output
            write_frame(fd, {"event": "done", "case": case["name"], "seconds": seconds, "mutations": [],
                             "status": "error", "error_type": "OutputError",
                             "message": f"the output cannot be sent back ({_words(exc)}): is it far too large?"[:MAX_MESSAGE],
                             "traceback": []}, then=following)


def _start(case: dict) -> dict:
    """The frame announcing a case, sent before it runs (a hang is then charged to it)."""
    return {"event": "start", "case": case["name"], "printed_at": _printed_size()}
