"""The "no input modified" check, decided in the trusted process from values the child sends back."""
from __future__ import annotations

from typing import Any

import numpy as np

# A driver that needs "is this unchanged?" returns ("__unchanged__", before, after): the trusted
# side turns it into True/False (see channel.decode and copy_plain), never the child.
UNCHANGED = "__unchanged__"
MAX_DEPTH = 40


def first_difference(before: Any, after: Any, path: str = "", _depth: int = 0) -> str | None:
    """Where plain value ``after`` differs from ``before`` (type, shape, dtype or any element); None if equal.

    Both sides are plain data rebuilt by the trusted side (base-class arrays, lists, tuples, dicts,
    numbers), so no student-defined ``__eq__`` or replaced numpy function takes part. NaN equals NaN.
    """
    if _depth > MAX_DEPTH:
        return path or "the value"
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        if not (type(before) is np.ndarray and type(after) is np.ndarray):
            return path or "the array"
        if before.dtype != after.dtype or before.shape != after.shape:
            return path or "the array"
        if before.tobytes() == after.tobytes():
            return None
        if before.dtype.kind in "fc" and np.array_equal(before, after, equal_nan=True):
            return None  # NaNs with other payloads, or -0.0 vs 0.0
        return path or "the array"
    if isinstance(before, (list, tuple)):
        if type(after) is not type(before) or len(after) != len(before):
            return path or f"the {type(before).__name__}"
        for i, (b, a) in enumerate(zip(before, after)):
            where = first_difference(b, a, f"{path}[{i}]", _depth + 1)
            if where:
                return where
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or list(after) != list(before):
            return path or "the dict"
        for k in before:
            where = first_difference(before[k], after[k], f"{path}[{k!r}]", _depth + 1)
            if where:
                return where
        return None
    if type(before) is not type(after):
        return path or "the value"
    if isinstance(before, float) and before != before and after != after:
        return None
    if isinstance(before, np.generic):
        return None if before.tobytes() == after.tobytes() else (path or "the value")
    return None if before == after else (path or "the value")


def settle(value: tuple) -> Any:
    """A driver's ("__unchanged__", before, after) marker as the trusted verdict True/False; else ``value``."""
    if len(value) == 3 and isinstance(value[0], str) and value[0] == UNCHANGED:
        return first_difference(value[1], value[2]) is None
    return value


def mutations_found(call: str | None, args: tuple, kwargs: dict, outcome_inputs: Any, reported: tuple) -> list[dict]:
    """The inputs a run modified: the child's reports confirmed by their values, plus every argument
    the run left different from the parent's own copy.

    ``reported`` are the child's records ({function, argument, where[, before, after]}); a record
    with values counts only if the values really differ (a claim without values can only cost its
    sender, so it counts). ``outcome_inputs`` is [args, kwargs] as the run left them; None means
    the child did not send them although asked, which counts as a modification.
    """
    found = []
    for record in reported:
        if "before" in record and "after" in record and first_difference(record["before"], record["after"]) is None:
            continue
        found.append({k: record[k] for k in ("function", "argument", "where") if k in record})
    if outcome_inputs is None:
        return found or [{"function": call or "your code", "argument": "its inputs",
                          "where": "the run did not report its inputs back"}]
    after_args, after_kwargs = outcome_inputs
    named = {m["argument"] for m in found}
    changed = []
    if len(after_args) != len(args) or set(after_kwargs) != set(kwargs):
        changed.append(("its inputs", "the argument list"))
    else:
        for i, (b, a) in enumerate(zip(args, after_args)):
            where = first_difference(b, a)
            if where:
                changed.append((f"#{i + 1}", where))
        for k in kwargs:
            where = first_difference(kwargs[k], after_kwargs[k])
            if where:
                changed.append((k, where))
    if changed and not found:  # the child named nobody: name the argument ourselves
        found.extend({"function": call or "your code", "argument": name, "where": where}
                     for name, where in changed if name not in named)
    return found
