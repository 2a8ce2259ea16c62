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


_FAILED = Verdict.fail("")  # what a quick comparison (only pass or fail wanted) returns on failure


def _wrong(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which elements are wrong, with both arrays as float64 (complex kept): whole-array operations only."""
    g = got.astype(np.float64) if got.dtype.kind != "c" else got
    e = expected.astype(np.float64) if expected.dtype.kind != "c" else expected
    exact = tol.exact or expected.dtype.kind in "biu"
    with np.errstate(invalid="ignore", over="ignore"):
        if np.isfinite(g).all() and np.isfinite(e).all():  # the usual case: no NaN or inf to match up
            if exact:
                return g != e, g, e
            scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
            return ~(np.abs(g - e) <= tol.atol * scale + tol.rtol * np.abs(e)), g, e
        g_bad = ~np.isfinite(g)
        e_bad = ~np.isfinite(e)
        # NaN matches NaN, inf matches only the same inf; a non-finite value is never "close" to anything
        same_non_finite = g_bad & e_bad & ((g == e) | (np.isnan(g) & np.isnan(e)))
        if exact:
            return ~((g == e) | same_non_finite), g, e
        scale = max(1.0, float(np.max(np.abs(e[~e_bad])))) if np.any(~e_bad) else 1.0
        bound = tol.atol * scale + tol.rtol * np.abs(e)
        close = ~g_bad & ~e_bad & (np.abs(g - e) <= bound)
        return ~(close | same_non_finite), g, e


def compare_arrays(got: np.ndarray, expected: np.ndarray, tol: Tolerance, where: str, quick: bool = False) -> Verdict:
    """Compare two plain ndarrays; the verdict names shape, dtype, NaN/inf and the first bad index.

    ``quick``: only pass or fail matters (a failure comes back without words or details).
    """
    if got.shape != expected.shape:
        if quick:
            return _FAILED
        hint = ""
        if got.size == expected.size:
            hint = " (same number of elements: a reshape, keepdims or transpose problem)"
        return Verdict.fail(
            f"{where}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}{hint}",
            where, got_shape=list(got.shape), expected_shape=list(expected.shape),
        )
    if got.dtype == expected.dtype and np.array_equal(got, expected):  # identical: nothing to measure
        return Verdict.ok()
    problem = _dtype_problem(got, expected)
    if problem:
        if quick:
            return _FAILED
        if got.dtype.kind in "biufc" and expected.dtype.kind in "biufc" and compare_values(got, expected, tol, where).fraction > 0:
            return dtype_slip(where, problem, got_dtype=str(got.dtype), expected_dtype=str(expected.dtype))
        return Verdict.fail(f"{where}: {problem}", where, got_dtype=str(got.dtype), expected_dtype=str(expected.dtype))
    return compare_values(got, expected, tol, where, quick)


def compare_values(got: np.ndarray, expected: np.ndarray, tol: Tolerance, where: str, quick: bool = False) -> Verdict:
    """Compare the values of two arrays of one shape (dtypes already judged)."""
    if expected.dtype.kind not in "biufc":
        same = np.array_equal(got, expected)
        return Verdict.ok() if same else _FAILED if quick else Verdict.fail(f"{where}: values differ", where)
    wrong, g, e = _wrong(got, expected, tol)
    if not wrong.any():
        return Verdict.ok()
    if quick:
        return _FAILED
    g_bad = ~np.isfinite(g)
    e_bad = ~np.isfinite(e)
    details: dict[str, Any] = {"wrong": int(np.count_nonzero(wrong)), "size": int(wrong.size)}
    first = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.ndim else ()
    details["first_bad_index"] = list(first)
    details["got_at_first"] = g[first].item() if g.ndim else g.item()
    details["expected_at_first"] = e[first].item() if e.ndim else e.item()
    finite_both = ~g_bad & ~e_bad
    if np.any(finite_both):
        with np.errstate(over="ignore"):  # huge finite values: an infinite error is the right answer
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
        scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
        with np.errstate(invalid="ignore", over="ignore"):
            if np.all(np.abs(g - e) <= PRECISION_RTOL * (np.abs(e) + tol.atol * scale)):
                return precision_slip(where, details.get("max_rel_err", details.get("max_abs_err", 0.0)))
    return Verdict(0.0, message, where, details)


_INT64 = 2 ** 63


_NUMBERS = (int, float)


def _leaf_pairs(got: Any, expected: Any, pairs: list) -> bool:
    """Collect (got, expected, one scale per element) arrays of equal shape and dtype, walking both at once.

    False when the structures differ anywhere or a leaf needs more than a numeric comparison
    (other dtypes, a number against an array, complex values): :func:`compare` then walks.
    A non-numeric leaf that is simply equal is accepted. A list of plain numbers becomes one
    array whose elements keep their own tolerance scale, as they would compared one by one.
    """
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype != expected.dtype:
            return False
        if expected.dtype.kind not in "biuf":
            return False
        if expected.size:
            pairs.append((got, expected, False))
        return True
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return False
        if len(expected) > 4:
            kinds = set(map(type, expected))
            if len(kinds) == 1 and kinds <= set(_NUMBERS) and set(map(type, got)) == kinds:
                try:
                    dtype = np.float64 if kinds == {float} else np.int64
                    pairs.append((np.array(got, dtype=dtype), np.array(expected, dtype=dtype), True))
                    return True
                except OverflowError:
                    return False
        return all(_leaf_pairs(g, e, pairs) for g, e in zip(got, expected))
    if isinstance(expected, dict):
        if type(got) is not dict or got.keys() != expected.keys():
            return False
        return all(_leaf_pairs(got[k], expected[k], pairs) for k in expected)
    kind = type(expected)
    if type(got) is not kind:
        return False
    if kind in (float, np.float64, np.float32, np.float16) or (kind is int and -_INT64 <= expected < _INT64) \
            or (issubclass(kind, np.integer) and kind is not np.bool_):
        pairs.append((np.asarray(got).reshape(()), np.asarray(expected).reshape(()), True))
        return True
    if kind in (str, bool, np.bool_, type(None)):
        return True if got == expected else False
    return False


def _leaves_agree(got: Any, expected: Any, tol: Tolerance) -> bool | None:
    """Whether every value of ``got`` is close enough to ``expected``'s, each leaf in whole-array operations.

    None when the structures, types or dtypes differ (the step-by-step comparison decides).
    Decides exactly as :func:`compare_arrays` would leaf by leaf: the same float64 values, the
    same tolerance with each leaf's own scale, the same rules for NaN and inf.
    """
    pairs: list[tuple[np.ndarray, np.ndarray, bool]] = []
    try:
        if not _leaf_pairs(got, expected, pairs):
            return None
    except (TypeError, ValueError):  # e.g. str == ndarray; let the walk name it
        return None
    return not any(_any_wrong(g, e, each, tol) for g, e, each in pairs)


def _any_wrong(got: np.ndarray, expected: np.ndarray, each: bool, tol: Tolerance) -> bool:
    """Whether a leaf fails; with ``each``, every element is a number of its own (its own scale)."""
    if got.dtype == expected.dtype and np.array_equal(got, expected):
        return False
    if not each or expected.size == 1:
        return bool(_wrong(got, expected, tol)[0].any())
    g, e = got.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        g_bad, e_bad = ~np.isfinite(g), ~np.isfinite(e)
        same_non_finite = g_bad & e_bad & ((g == e) | (np.isnan(g) & np.isnan(e)))
        if tol.exact or expected.dtype.kind in "biu":
            return bool((~((g == e) | same_non_finite)).any())
        bound = tol.atol * np.maximum(1.0, np.where(e_bad, 0.0, np.abs(e))) + tol.rtol * np.abs(e)
        close = ~g_bad & ~e_bad & (np.abs(g - e) <= bound)
        return bool((~(close | same_non_finite)).any())


def compare(got: Any, expected: Any, tol: Tolerance = Tolerance(), where: str = "output", quick: bool = False) -> Verdict:
    """Compare a (nested) output with the reference's; the first problem found is the verdict.

    Types are checked before values: ``np.allclose(ones((3, 1)), ones(3))`` is True by
    broadcasting, but a (3, 1) answer to a (3,) question is wrong. ``quick``: only pass or fail
    matters (arrays' failures come back without words, which is most of the cost of a failure).
    """
    agree = _leaves_agree(got, expected, tol)
    if agree:
        return Verdict.ok()
    if agree is False and quick:
        return _FAILED
    return _compare(got, expected, tol, where, quick)


def _compare(got: Any, expected: Any, tol: Tolerance, where: str, quick: bool) -> Verdict:
    """:func:`compare` one step at a time, for the words of the first problem."""
    if isinstance(got, dict) and "__unsupported__" in got and not (isinstance(expected, dict) and "__unsupported__" in expected):
        return Verdict.fail(f"{where}: returned {describe_type(got)}, expected {describe_type(expected)}", where)
    if isinstance(expected, np.ndarray):
        if isinstance(got, np.ndarray):
            return compare_arrays(got, expected, tol, where, quick)
        if expected.ndim == 0 and _is_number(got):
            return compare_arrays(np.asarray(got), expected, tol, where, quick)
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
        return compare_arrays(g.reshape(()), e.reshape(()), tol, where, quick)
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return Verdict.fail(f"{where}: returned {describe_type(got)}, expected a {type(expected).__name__} of {len(expected)}", where)
        if len(got) != len(expected):
            return Verdict.fail(f"{where}: has {len(got)} items, expected {len(expected)}", where,
                                got=show(list(got)) if len(got) <= SMALL else None)
        return _all_items((_compare(g, e, tol, f"{where}[{i}]", quick) for i, (g, e) in enumerate(zip(got, expected))), quick)
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
        return _all_items((_compare(got[key], expected[key], tol, f"{where}[{key!r}]", quick) for key in expected), quick)
    if type(got) is type(expected) and got == expected:
        return Verdict.ok()
    return Verdict.fail(f"{where}: got {show(got)}, expected {show(expected)}", where)


def _all_items(verdicts, quick: bool = False) -> Verdict:
    """The first item that is wrong; else the first slip (partial credit); else correct.

    ``quick``: the first item that does not pass (only pass or fail matters).
    """
    slip = None
    for verdict in verdicts:
        if verdict.fraction <= 0.0 or (quick and not verdict.passed):
            return verdict
        if not verdict.passed and slip is None:
            slip = verdict
    return slip or Verdict.ok()


def matches(got: Any, expected: Any, tol: Tolerance = Tolerance()) -> bool:
    """True when :func:`compare` passes (without composing the words of a failure)."""
    return compare(got, expected, tol, quick=True).passed
