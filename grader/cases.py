"""Probes: what one case asks of a submission, and the seeds its inputs are drawn from."""
from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import secrets
import re
import textwrap
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from grader.errors import SpecError, UsageError
from grader.sandbox.channel import copy_plain

DEFAULT_SECRET = "local-default-course-secret"  # for local runs only, with a warning; >= MIN_SECRET
MIN_SECRET = 16


@dataclass(frozen=True)
class Probe:
    """One interaction with a student module.

    Either ``call`` names a student function applied to ``args``/``kwargs``, or ``driver`` is a
    self-contained function ``driver(student, **kwargs)`` (it may use only ``np`` and its
    arguments) whose return value is the output to compare. Inputs are plain data: numbers,
    strings, None, numpy arrays, and lists/tuples/dicts of those.
    """

    call: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    driver_name: str | None = None
    driver_source: str | None = None

    @property
    def label(self) -> str:
        """Short human description: ``train(...)`` or the driver's name."""
        return f"{self.call}(...)" if self.call else f"{self.driver_name}(student, ...)"

    def entry_points(self) -> frozenset[str]:
        """The student functions this probe calls directly (``student.NAME`` in a driver)."""
        if self.call is not None:
            return frozenset({self.call})
        return frozenset(re.findall(r"\bstudent\.([A-Za-z_]\w*)", self.driver_source or ""))

    def describe(self) -> dict:
        """The probe as plain data (for fixtures and the child)."""
        return {
            "call": self.call,
            "args": list(self.args),
            "kwargs": dict(self.kwargs),
            "driver_name": self.driver_name,
            "driver_source": self.driver_source,
        }

    @classmethod
    def from_description(cls, data: dict) -> "Probe":
        """Inverse of :meth:`describe`."""
        return cls(
            call=data.get("call"),
            args=tuple(data.get("args") or ()),
            kwargs=dict(data.get("kwargs") or {}),
            driver_name=data.get("driver_name"),
            driver_source=data.get("driver_source"),
        )


def call(function: str, *args: Any, **kwargs: Any) -> Probe:
    """A probe that calls ``student.<function>(*args, **kwargs)`` and compares its return value."""
    if not isinstance(function, str) or not function.isidentifier():
        raise SpecError(f"call() needs a function name, got {function!r}")
    return Probe(call=function, args=tuple(args), kwargs=dict(kwargs))


def run(driver: Callable, **inputs: Any) -> Probe:
    """A probe that runs ``driver(student, **inputs)`` and compares what it returns.

    The driver's source is sent to the sandbox as text, so it must be a top-level function that
    uses nothing but ``np``, builtins and its own arguments.
    """
    return Probe(driver_name=driver.__name__, driver_source=_driver_source(driver), kwargs=dict(inputs))


@functools.lru_cache(maxsize=256)
def _driver_source(driver: Callable) -> str:
    try:
        return textwrap.dedent(inspect.getsource(driver))
    except (OSError, TypeError) as exc:
        raise SpecError(f"driver {driver!r} has no retrievable source: {exc}") from exc


@functools.lru_cache(maxsize=256)
def _driver_code(source: str, name: str) -> Any:
    return compile(source, f"<driver {name}>", "exec")


def execute(probe: Probe, module: Any) -> Any:
    """Run ``probe`` against ``module`` in this process (used for trusted reference code only)."""
    if probe.call is not None:
        return getattr(module, probe.call)(*probe.args, **probe.kwargs)
    namespace: dict[str, Any] = {"np": np, "__name__": "grader_driver"}
    exec(_driver_code(probe.driver_source, probe.driver_name), namespace)
    return namespace[probe.driver_name](module, **probe.kwargs)


@contextmanager
def silenced() -> Iterator[None]:
    """Silence numpy's and Python's warnings (course code on odd inputs must not spam the TA)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def fresh(probe: Probe) -> Probe:
    """The probe with fresh copies of its inputs (a run may modify what it is given)."""
    return Probe(probe.call, copy_plain(probe.args), copy_plain(probe.kwargs), probe.driver_name, probe.driver_source)


def quietly(probe: Probe, module: Any) -> Any:
    """Run trusted course code on a fresh copy of a probe, warnings silenced."""
    with silenced():
        return execute(fresh(probe), module)


def case_seed(slug: str, case: str, student: str | None, secret: str) -> int:
    """The seed of a case's inputs.

    Public cases (``student`` None) depend on (assignment, case) only, so every student and the
    committed fixtures see the same numbers. Hidden cases are an HMAC-SHA256 of (student,
    assignment, case) under the course secret, so two students differ and nobody without the
    secret can predict them.
    """
    if student is None:
        digest = hashlib.sha256(f"{slug}\x1f{case}".encode("utf-8")).digest()
    else:
        message = f"{student}\x1f{slug}\x1f{case}".encode("utf-8", "surrogatepass")
        digest = hmac.new(secret.encode("utf-8", "surrogatepass"), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "little")


def check_secret(secret: str, where: str) -> str:
    """``secret`` if it is long enough to keep hidden inputs unpredictable; UsageError otherwise."""
    if len(secret) < MIN_SECRET:
        raise UsageError(f"{where}: the course secret has {len(secret)} characters; it needs at least {MIN_SECRET} "
                         "(`grader secret` prints a fresh one)")
    return secret


def fresh_secret() -> str:
    """A new random course secret (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def case_rng(slug: str, case: str, student: str | None, secret: str) -> np.random.Generator:
    """A fresh generator seeded by :func:`case_seed`."""
    return np.random.default_rng(case_seed(slug, case, student, secret))
