"""The child's side: build the student's module from source, run each probe, stream plain results back."""
from __future__ import annotations

import inspect
import linecache
import os
import sys
import time
import traceback
import types
from typing import Any

import numpy as np

from grader.sandbox.channel import decode, encode, write_frame

MAX_MESSAGE = 500  # characters of an exception message sent back


def _snapshot(value: Any, depth: int = 0) -> Any:
    """A deep copy of plain data (arrays, lists, tuples, dicts, numbers); other objects are skipped."""
    if depth > 20:
        return _SKIP
    if isinstance(value, np.ndarray):
        return (np.ndarray, value.dtype, value.shape, value.copy())
    if isinstance(value, list):
        return [_snapshot(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (int, float, str, bool, type(None), np.generic)):
        return value
    return _SKIP


_SKIP = object()


def _changed(before: Any, after: Any, path: str = "") -> str | None:
    """Where ``after`` differs from the snapshot ``before``; None when unchanged."""
    if before is _SKIP:
        return None
    if isinstance(before, tuple) and len(before) == 4 and before[0] is np.ndarray:
        _, dtype, shape, data = before
        if not isinstance(after, np.ndarray) or after.dtype != dtype or after.shape != shape:
            return path or "the array"
        same = np.array_equal(data, after, equal_nan=data.dtype.kind in "fc")
        return None if same else (path or "the array")
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


class StudentProxy:
    """The ``student`` a probe sees: the module's functions, each call checked for input mutation."""

    def __init__(self, module: types.ModuleType, mutations: list[dict]):
        self._module = module
        self._mutations = mutations

    def __getattr__(self, name: str) -> Any:
        try:
            target = getattr(self._module, name)
        except AttributeError:
            raise AttributeError(f"your module has no function {name!r}") from None
        if not callable(target):
            return target
        mutations = self._mutations

        def checked(*args: Any, **kwargs: Any) -> Any:
            before_args = [_snapshot(a) for a in args]
            before_kwargs = {k: _snapshot(v) for k, v in kwargs.items()}
            result = target(*args, **kwargs)
            names = _parameter_names(target, len(args))
            for i, (b, a) in enumerate(zip(before_args, args)):
                where = _changed(b, a)
                if where:
                    mutations.append({"function": name, "argument": names[i], "where": where})
            for k, b in before_kwargs.items():
                where = _changed(b, kwargs[k])
                if where:
                    mutations.append({"function": name, "argument": k, "where": where})
            return result

        return checked


def _parameter_names(fn: Any, count: int) -> list[str]:
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"#{i + 1}" for i in range(count)]


def build_module(source: str, filename: str, name: str) -> types.ModuleType:
    """Execute the submission's source as a fresh module (the child has no access to the file)."""
    module = types.ModuleType(name)
    module.__file__ = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.modules[name] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def run_probe(probe: dict, module: types.ModuleType, mutations: list[dict]) -> Any:
    """Run one probe description against the student's module."""
    student = StudentProxy(module, mutations)
    args = decode(probe.get("args") or [])
    kwargs = decode(probe.get("kwargs") or {"__dict__": {}})
    if probe.get("call"):
        return getattr(student, probe["call"])(*args, **kwargs)
    namespace: dict[str, Any] = {"np": np, "__name__": "grader_driver"}
    exec(compile(probe["driver_source"], f"<driver {probe['driver_name']}>", "exec"), namespace)
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


def serve(job: dict, fd: int) -> None:
    """Run every case of ``job`` and write one frame per event to ``fd``."""
    filename = job["filename"]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # so a case killed mid-run still shows its prints
        except Exception:
            pass
    try:
        module = build_module(job["source"], filename, job["module"])
    except BaseException as exc:  # SystemExit at top level too: it is the student's module
        _flush()
        write_frame(fd, {"event": "import_error", **describe_exception(exc, filename)})
        return
    _flush()
    write_frame(fd, {"event": "imported"})
    for case in job["cases"]:
        mutations: list[dict] = []
        write_frame(fd, {"event": "start", "case": case["name"], "printed_at": _printed_size()})
        started = time.perf_counter()
        try:
            value = run_probe(case["probe"], module, mutations)
            status = {"status": "ok", "value": encode(value)}
        except BaseException as exc:
            status = {"status": "error", **describe_exception(exc, filename)}
        seconds = time.perf_counter() - started
        _flush()
        try:
            write_frame(fd, {"event": "done", "case": case["name"], "seconds": seconds, "mutations": mutations[:20],
                             "printed_to": _printed_size(), **status})
        except Exception as exc:  # e.g. an unsupported dtype in the output
            write_frame(fd, {"event": "done", "case": case["name"], "seconds": seconds, "mutations": mutations[:20],
                             "status": "error", "error_type": "OutputError",
                             "message": f"the output cannot be sent back ({_words(exc)}): is it far too large?"[:MAX_MESSAGE],
                             "traceback": []})
