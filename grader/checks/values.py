"""Compare a student's output with the reference: type, then shape and dtype, then values."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from grader.checks.verdict import PRECISION_RTOL, Tolerance, Verdict, dtype_slip, precision_slip

SMALL = 36  # arrays up to this many elements are shown in full in feedback


def describe_type(value: Any) -> str:
    """A short name of a value's type for feedback: ``ndarray float64 (3, 2)``, ``list of 4``."""
    if isinstance(value, np.ndarray):
        return f"ndarray {value.dtype} {tuple(value.shape)}"
    if isinstance(value, np.generic):
        return f"numpy {value.dtype} scalar"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, dict) and value.get("__unsupported__"):
        return f"a {value['__unsupported__']} object"
    return type(value).__name__


def show(value: Any) -> str:
    """Render a small value for feedback (big arrays are summarised by shape)."""
    if isinstance(value, np.ndarray):
        if value.size <= SMALL:
            return np.array2string(value, precision=8, separator=", ", threshold=SMALL)
        return f"<{describe_type(value)}>"
    return repr(value)


def _is_number(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "biuf"
    return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, (str, bytes))


def _dtype_problem(got: np.ndarray, expected: np.ndarray) -> str | None:
    g, e = got.dtype, expected.dtype
    if e.kind == "f":
        if g.kind in "biu":
            return f"dtype is {g}, expected floating point ({e}): integer outputs truncate or round"
        if g.kind == "f" and g.itemsize < e.itemsize:
            return f"dtype is {g}, expected {e}: lower precision loses digits (e.g. float32 from an astype or a float32 literal)"
        if g.kind != "f":
            return f"dtype is {g}, expected {e}"
    elif e.kind in "iu":
        if g.kind not in "iu":
            return f"dtype is {g}, expected an integer dtype (e.g. {e})"
    elif e.kind == "b":
        if g.kind != "b":
            return f"dtype is {g}, expected bool"
    elif e.kind == "c":
        if g.kind != "c" or g.itemsize < e.itemsize:
            return f"dtype is {g}, expected complex ({e})"
    return None


def compare_arrays(got: np.ndarray, expected: np.ndarray, tol: Tolerance, where: str) -> Verdict:
    """Compare two plain ndarrays; the verdict names shape, dtype, NaN/inf and the first bad index."""
    if got.shape != expected.shape:
        hint = ""
        if got.size == expected.size:
            hint = " (same number of elements: a reshape, keepdims or transpose problem)"
        return Verdict.fail(
            f"{where}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}{hint}",
            where, got_shape=list(got.shape), expected_shape=list(expected.shape),
        )
    problem = _dtype_problem(got, expected)
    if problem:
        if got.dtype.kind in "biufc" and expected.dtype.kind in "biufc" and compare_values(got, expected, tol, where).fraction > 0:
            return dtype_slip(where, problem, got_dtype=str(got.dtype), expected_dtype=str(expected.dtype))
        return Verdict.fail(f"{where}: {problem}", where, got_dtype=str(got.dtype), expected_dtype=str(expected.dtype))
    return compare_values(got, expected, tol, where)


def compare_values(got: np.ndarray, expected: np.ndarray, tol: Tolerance, where: str) -> Verdict:
    """Compare the values of two arrays of one shape (dtypes already judged)."""
    if expected.dtype.kind not in "biufc":
        same = np.array_equal(got, expected)
        return Verdict.ok() if same else Verdict.fail(f"{where}: values differ", where)
    g = got.astype(np.float64) if got.dtype.kind != "c" else got
    e = expected.astype(np.float64) if expected.dtype.kind != "c" else expected
    g_bad = ~np.isfinite(g)
    e_bad = ~np.isfinite(e)
    # NaN matches NaN, inf matches only the same inf; a non-finite value is never "close" to anything
    same_non_finite = g_bad & e_bad & ((g == e) | (np.isnan(g) & np.isnan(e)))
    if tol.exact or expected.dtype.kind in "biu":
        wrong = ~((g == e) | same_non_finite)
    else:
        scale = max(1.0, float(np.max(np.abs(e[~e_bad])))) if np.any(~e_bad) else 1.0
        with np.errstate(invalid="ignore", over="ignore"):
            bound = tol.atol * scale + tol.rtol * np.abs(e)
            close = ~g_bad & ~e_bad & (np.abs(g - e) <= bound)
        wrong = ~(close | same_non_finite)
    if not np.any(wrong):
        return Verdict.ok()
    details: dict[str, Any] = {"wrong": int(np.count_nonzero(wrong)), "size": int(wrong.size)}
    first = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.ndim else ()
    details["first_bad_index"] = list(first)
    details["got_at_first"] = g[first].item() if g.ndim else g.item()
    details["expected_at_first"] = e[first].item() if e.ndim else e.item()
    finite_both = ~g_bad & ~e_bad
    if np.any(finite_both):
        diff = np.abs(g - e)[finite_both]
        details["max_abs_err"] = float(np.max(diff))
        nonzero = np.abs(e[finite_both]) > 0
        if np.any(nonzero):  # relative error means nothing where the expected value is 0
            details["max_rel_err"] = float(np.max(diff[nonzero] / np.abs(e[finite_both][nonzero])))
    if np.any(g_bad & ~e_bad):
        kind = "NaN" if np.any(np.isnan(g) & ~e_bad) else "inf"
        idx = tuple(int(i) for i in np.argwhere(g_bad & ~e_bad)[0])
        details["non_finite"] = kind
        message = f"{where}: contains {kind} at index {list(idx)} where the expected value is finite"
    else:
        at = f" at index {list(first)}" if first else ""
        values = f"got {details['got_at_first']:.10g}, expected {details['expected_at_first']:.10g}"
        if details["size"] == 1:  # a single number: no counts or indices to report
            message = f"{where}: {values}" + (f" (abs err {details['max_abs_err']:.3g})" if "max_abs_err" in details else "")
        else:
            message = f"{where}: {details['wrong']} of {details['size']} values wrong; first{at}: {values}"
            if "max_abs_err" in details:
                message += f" (max abs err {details['max_abs_err']:.3g})"
    if got.size <= SMALL:
        details["got"] = show(got)
        details["expected"] = show(expected)
    if not tol.exact and "non_finite" not in details and not np.any(g_bad | e_bad) and expected.dtype.kind in "fc":
        with np.errstate(invalid="ignore", over="ignore"):
            if np.all(np.abs(g - e) <= PRECISION_RTOL * (np.abs(e) + tol.atol * scale)):
                return precision_slip(where, details.get("max_rel_err", details.get("max_abs_err", 0.0)))
    return Verdict(0.0, message, where, details)


def compare(got: Any, expected: Any, tol: Tolerance = Tolerance(), where: str = "output") -> Verdict:
    """Compare a (nested) output with the reference's; the first problem found is the verdict.

    Types are checked before values: ``np.allclose(ones((3, 1)), ones(3))`` is True by
    broadcasting, but a (3, 1) answer to a (3,) question is wrong.
    """
    if isinstance(got, dict) and "__unsupported__" in got and not (isinstance(expected, dict) and "__unsupported__" in expected):
        return Verdict.fail(f"{where}: returned {describe_type(got)}, expected {describe_type(expected)}", where)
    if isinstance(expected, np.ndarray):
        if isinstance(got, np.ndarray):
            return compare_arrays(got, expected, tol, where)
        if expected.ndim == 0 and _is_number(got):
            return compare_arrays(np.asarray(got), expected, tol, where)
        return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a numpy array of shape {tuple(expected.shape)}", where)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a bool", where)
        return Verdict.ok() if bool(got) == bool(expected) else Verdict.fail(f"{where}: got {got}, expected {expected}", where)
    if _is_number(expected):
        if not _is_number(got) or isinstance(got, (bool, np.bool_)):
            return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a number", where)
        e = np.asarray(expected)
        g = np.asarray(got)
        if e.dtype.kind in "iu" and g.dtype.kind == "f":
            if g == e:
                return dtype_slip(where, f"is the float {got!r}, expected an integer")
            return Verdict.fail(f"{where}: returned the float {got!r}, expected an integer", where)
        return compare_arrays(g.reshape(()), e.reshape(()), tol, where)
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a {type(expected).__name__} of {len(expected)}", where)
        if len(got) != len(expected):
            return Verdict.fail(f"{where}: has {len(got)} items, expected {len(expected)}", where,
                                got=show(list(got)) if len(got) <= SMALL else None)
        return _all_items(((compare(g, e, tol, f"{where}[{i}]") for i, (g, e) in enumerate(zip(got, expected)))))
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a dict", where)
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if extra:
                parts.append(f"unexpected keys {extra}")
            return Verdict.fail(f"{where}: " + ", ".join(parts), where)
        return _all_items(compare(got[key], expected[key], tol, f"{where}[{key!r}]") for key in expected)
    if type(got) is type(expected) and got == expected:
        return Verdict.ok()
    return Verdict.fail(f"{where}: got {show(got)}, expected {show(expected)}", where)


def _all_items(verdicts) -> Verdict:
    """The first item that is wrong; else the first slip (partial credit); else correct."""
    slip = None
    for verdict in verdicts:
        if verdict.fraction <= 0.0:
            return verdict
        if not verdict.passed and slip is None:
            slip = verdict
    return slip or Verdict.ok()


def matches(got: Any, expected: Any, tol: Tolerance = Tolerance()) -> bool:
    """True when :func:`compare` passes."""
    return compare(got, expected, tol).passed
