"""Whether a value came back unchanged: the sameness test the trusted side applies to plain data."""
# Import-light (numpy only): the channel uses it on both sides of the sandbox.
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
