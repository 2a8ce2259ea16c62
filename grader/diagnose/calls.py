"""What the reference knows about a composite case: its building blocks, and every call they receive while it runs."""
from __future__ import annotations

import itertools
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Iterator

import numpy as np

from grader.cases import Probe, execute
from grader.diagnose import traces
from grader.diagnosis import call_graph, reachable
from grader.sandbox.channel import copy_plain
from grader.spec import import_file

MAX_CALLS = 200  # building-block calls recorded per case (a long training run is cut here)
_fresh_names = itertools.count()


class _Enough(BaseException):
    """Stops a recording run at MAX_CALLS (a BaseException: course code's ``except Exception`` lets it through)."""


@dataclass(frozen=True)
class Call:
    """One call a building block received while the reference ran a case."""

    index: int
    parent: int | None  # the call it happened inside, if any
    function: str
    nth: int  # 1 for the first call of this function in the case, 2 for the second, ...
    args: tuple
    kwargs: dict
    output: Any
    usable: bool = True  # plain data only (a random Generator cannot be handed over in the same state)


def _stored(grader) -> traces.Traces | None:
    """The reference knowledge kept in the fixtures, for a grader without the reference (`grader check`)."""
    return traces.load(grader.assignment.fixtures_path) if grader.reference is None else None


def kept_for(grader) -> dict:
    """What localisation keeps between one grader's gradings (the course files do not change under it)."""
    kept = getattr(grader, "_localisation", None)
    if kept is None:
        kept = {}
        setattr(grader, "_localisation", kept)
    return kept


def public_reach(grader) -> dict[str, frozenset] | None:
    """For each student-facing function, those the reference reaches from it (itself included); None when unknown."""
    if grader.reference is None:
        stored = _stored(grader)
        return None if stored is None else stored.reach
    kept = kept_for(grader)
    if "reach" not in kept:
        graph = call_graph(grader.assignment.solution_path.read_text(encoding="utf-8"))
        public = set(grader.assignment.functions)
        kept["reach"] = {name: frozenset(reachable(graph, {name}) & public) for name in sorted(public)}
    return kept["reach"]


def can_localise(grader) -> bool:
    """Whether the reference's call graph and calls are known here (the solutions, or fixtures that keep them)."""
    return public_reach(grader) is not None


def building_blocks(grader, probe: Probe) -> tuple[str, ...]:
    """Student functions that the reference reaches from the case's entry points, other than those."""
    reach = public_reach(grader) or {}
    roots = set(probe.entry_points())
    return tuple(sorted(set().union(*(reach.get(r, ()) for r in roots)) - roots))


def case_calls(grader, case, blocks: tuple[str, ...]) -> list[Call]:
    """The building-block calls of a case: recorded from the reference, or as the fixtures keep them."""
    if grader.reference is None:
        stored = _stored(grader)
        return [] if stored is None else list(stored.calls.get(case.spec.name, []))
    if not case.spec.public:
        return record_calls(grader, case.probe, blocks)
    kept = kept_for(grader).setdefault("public calls", {})  # a public case's inputs are everyone's: record once
    if (case.spec.name, blocks) not in kept:
        kept[(case.spec.name, blocks)] = record_calls(grader, case.probe, blocks)
    return list(kept[(case.spec.name, blocks)])


def _trace_module(grader):
    """The reference as a module of its own, compiled once per grader, whose functions record_calls wraps while it runs."""
    kept = kept_for(grader)
    if "module" not in kept:
        kept["module"] = import_file(grader.assignment.solution_path,
                                     f"grader_trace_{grader.assignment.slug}_{next(_fresh_names)}")
    return kept["module"]


def record_calls(grader, probe: Probe, blocks: tuple[str, ...]) -> list[Call]:
    """Run the reference on ``probe`` with ``blocks`` wrapped; every call they receive, in call order."""
    module = _trace_module(grader)
    calls: list[Call] = []
    stack: list[int] = []
    counts: dict[str, int] = {}

    def wrap(name: str, fn):
        def recorded(*args, **kwargs):
            if len(calls) >= MAX_CALLS:
                if not stack:  # every recorded call has returned: the rest of the run would record nothing
                    raise _Enough
                return fn(*args, **kwargs)
            index = len(calls)
            counts[name] = counts.get(name, 0) + 1
            calls.append(Call(index, stack[-1] if stack else None, name, counts[name], copy_plain(args), copy_plain(kwargs), None,
                              _plain_data(args) and _plain_data(kwargs)))
            stack.append(index)
            try:
                out = fn(*args, **kwargs)
            finally:
                stack.pop()
            calls[index] = replace(calls[index], output=copy_plain(out))
            return out
        return recorded

    originals = {name: getattr(module, name) for name in blocks}
    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        with quiet():
            execute(probe, module)
    except _Enough:
        pass  # the reference completes every probe (it gave the expected output), so nothing is lost
    except Exception:
        return []
    finally:  # the module is the grader's for every case: unwrapped, it is the reference again
        for name, fn in originals.items():
            setattr(module, name, fn)
    return calls


def mistake_functions(grader, mistake) -> set[str]:
    """The student functions a catalogued mistake changes: those it overrides, or whose private helpers it overrides."""
    if grader.reference is None:
        stored = _stored(grader)
        return set() if stored is None else set(stored.changes.get(mistake.id, ()))
    kept = kept_for(grader).setdefault("changes", {})
    if mistake.id not in kept:
        public = set(grader.assignment.functions)
        reference = call_graph(grader.assignment.solution_path.read_text(encoding="utf-8"))
        overrides = set(call_graph(mistake.source))
        private_graph = {k: v - public for k, v in reference.items() if k not in public}
        changed = overrides & public
        for name in public - changed:
            helpers = {n for n in reference.get(name, ()) if n in reference and n not in public}
            if reachable(private_graph, helpers) & overrides:
                changed.add(name)
        kept[mistake.id] = frozenset(changed)
    return set(kept[mistake.id])


def _plain_data(value: Any, depth: int = 0) -> bool:
    """Numbers, strings, None, numeric ndarrays, and lists/tuples/dicts of those: what the sandbox can be given."""
    if depth > 20:
        return False
    if value is None or isinstance(value, (bool, int, float, str, np.integer, np.floating, np.bool_)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    if isinstance(value, (list, tuple)):
        return all(_plain_data(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_data(v, depth + 1) for k, v in value.items())
    return False


@contextmanager
def quiet() -> Iterator[None]:
    """Trusted course code run on odd inputs: numpy's and Python's warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield
