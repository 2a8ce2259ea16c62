"""Structural rules: name what is wrong with an output from its shape and values alone, no catalogue entry needed.

Each rule is a small function ``rule(got, expected, context) -> Finding | None`` that fires only when
its pattern holds exactly (within the case's tolerance) and the output is wrong. Rules describe a
fact about the output first ("your output is the expected one transposed") and then the usual cause.
Factor hints are assignment-aware: the manifest's ``factor_meanings`` says what a factor means there,
and without it the rule states the factor and guesses no cause.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from grader.diagnose.arrangement import border, history_short, padding_size, permutation, shape_off_by_one, time_shift, transposed, wrong_axis
from grader.diagnose.leaves import Context, Finding, as_array, close, is_integer, varied


# -- the rules ------------------------------------------------------------------------------


def overflow(g, e, ctx: Context) -> Finding | None:
    """NaN or inf where the expected value is finite: an exponential or a log overflowed."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or not np.any(~np.isfinite(ga) & np.isfinite(ea)):
        return None
    finite = np.isfinite(ga) & np.isfinite(ea)
    if not close(ga[finite], ea[finite], ctx.tol):
        return None  # wrong where it is finite too: the overflow is not the (only) problem
    return Finding("nan", "NaN or inf where the expected value is finite",
                   "An exponential overflowed, a log of 0 or a division by zero: subtract the maximum before exp "
                   "(softmax, log-sum-exp), use a stable sigmoid, take logs of what cannot underflow, and check divisors.")


def floating_error(g, e, ctx: Context) -> Finding | None:
    """A floating-point error (an overflow) reported where the expected computation has none."""
    if isinstance(g, str) and g.startswith("FloatingPointError") and not (isinstance(e, str) and e.startswith("FloatingPointError")):
        return Finding("nan", "A floating-point overflow on large inputs",
                       "An exponential overflowed: compute it in a form that stays finite for large |x| (subtract the "
                       "maximum before exp; a sigmoid from exp(-|x|) with the sign chosen per element).")
    return None


def clipped(g, e, ctx: Context) -> Finding | None:
    """Values cut at +-c where the expected ones are larger: clipping applied where it must not be."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.size < 4 or is_integer(e) or not np.all(np.isfinite(ga)):
        return None
    c = float(np.max(np.abs(ga)))
    if c <= 0 or not close(ga, np.clip(ea, -c, c), ctx.tol) or close(ga, ea, ctx.tol):
        return None
    return Finding("clipped", f"Your values are cut at +-{c:g} where the expected ones are larger",
                   "Clipping is applied here but must not be: this function returns the exact values, and clipping "
                   "belongs to the caller (the training step).")


def float32(g, e, ctx: Context) -> Finding | None:
    """The right values in float32."""
    if (isinstance(g, np.ndarray) and isinstance(e, np.ndarray) and g.dtype == np.float32 and e.dtype == np.float64
            and g.shape == e.shape and np.allclose(g, e, rtol=1e-4, atol=1e-6)):
        return Finding("float32", "Right values in float32",
                       "Your result is float32: keep float64 throughout (no astype(np.float32) or float32 literals).")
    return None


def other_mask(g, e, ctx: Context) -> Finding | None:
    """Dropout with the right scale but other units dropped: the mask is not the specified draw."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim < 2 or ga.size < 20:
        return None
    zg, ze = ga == 0, ea == 0
    if not (0.05 < zg.mean() < 0.95 and 0.05 < ze.mean() < 0.95) or np.count_nonzero(zg != ze) < max(5, 0.1 * zg.size):
        return None  # a few zeros elsewhere (a derivative at 0) are not another random mask
    both = ~zg & ~ze
    if both.sum() < 5 or not close(ga[both], ea[both], ctx.tol) or abs(zg.mean() - ze.mean()) > 0.15:
        return None
    return Finding("other_mask", "Right values where kept, but other units dropped",
                   "The scaling is right but the mask is not the one specified: draw exactly once, "
                   "keep = rng.random(A.shape) >= p, with that expression, so the same units are dropped.")


def same_mask(g, e, ctx: Context) -> Finding | None:
    """The same dropout mask in every column: a mask drawn with shape (n, 1) instead of the shape of A."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim != 2 or ga.shape[1] < 2 or ga.shape[0] < 2:
        return None
    zg, ze = ga == 0, ea == 0
    if not zg.any() or zg.all():
        return None
    if np.all(zg == zg[:, :1]) and not np.all(ze == ze[:, :1]):
        return Finding("same_mask", "The same dropout mask in every column",
                       "Draw one keep/drop decision per unit AND per instance: the mask has the shape of A, not (n, 1).")
    return None


def offset(g, e, ctx: Context) -> Finding | None:
    """Off by an additive constant per channel (or per row): the bias is missing, added twice, or added per input."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim < 2 or is_integer(e) or not np.all(np.isfinite(ga)):
        return None
    diff = ga - ea
    atol = ctx.tol.atol * max(1.0, float(np.max(np.abs(ea)))) + 1e-9
    axis = 1 if ga.ndim >= 3 else 0  # (N, F, H, W): one bias per filter; (n, m) with instances as columns: one per row
    if ga.shape[axis] < 2 or ga.size // ga.shape[axis] < 6:
        return None  # a channel of a few values (a ramp input) can look offset by chance
    moved = np.moveaxis(diff, axis, 0).reshape(ga.shape[axis], -1)
    values = np.moveaxis(ea, axis, 0).reshape(ga.shape[axis], -1)
    if not varied(ea) or np.any(np.ptp(values, axis=1) <= atol):
        return None  # a channel that is constant itself cannot tell an offset from a factor
    per = moved[:, :1]
    if np.max(np.abs(moved - per)) > atol or np.max(np.abs(per)) <= atol or np.allclose(per, per[0], atol=atol):
        return None  # not constant per channel, zero, or one constant for everything (not a per-unit bias)
    return Finding("offset", f"Off by a constant per {'channel' if ga.ndim >= 3 else 'row'}: a bias problem",
                   "Each output channel (row) is off by its own constant: the bias is missing, added more than once "
                   "(e.g. inside the loop over input channels) or taken from the wrong index.")


def labels(g, e, ctx: Context) -> Finding | None:
    """Labels in another convention: {0, 1} instead of {-1, +1}, or 0 where +-1 is expected (np.sign)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.size < 2 or not set(np.unique(ea)) <= {-1.0, 1.0}:
        return None
    values = set(np.unique(ga))
    if values <= {0.0, 1.0} and np.array_equal(ga, (ea + 1) / 2):
        return Finding("labels_01", "Labels 0 and 1 where -1 and +1 are expected",
                       "Predictions and labels are -1 and +1 here: sgn(z) is +1 for z > 0 and -1 otherwise (not a 0/1 step).")
    if values <= {-1.0, 0.0, 1.0} and 0.0 in values and np.array_equal(ga[ga != 0], ea[ga != 0]):
        return Finding("sign_zero", "0 where -1 or +1 is expected",
                       "sgn must return -1 or +1, never 0: np.sign gives 0 at z = 0, while the lecture's sgn(0) is -1.")
    return None


def off_by_one(g, e, ctx: Context) -> Finding | None:
    """Integer sizes or counts one too large (or one too small), in the same direction wherever they differ."""
    if not (is_integer(e) and is_integer(g)) or np.asarray(e).dtype.kind == "b":
        return None
    ga, ea = np.asarray(g, dtype=np.int64).ravel(), np.asarray(e, dtype=np.int64).ravel()
    if ga.shape != ea.shape:
        return None
    diff = ga - ea
    wrong = diff[diff != 0]
    if wrong.size < 2 or not (np.all(wrong == 1) or np.all(wrong == -1)):
        return None  # one wrong number could be off by one by chance
    more = wrong[0] > 0
    return Finding("off_by_one", f"Sizes or counts one {'too large' if more else 'too small'}",
                   "An off-by-one in a size formula or a count: re-check (n + 2p - k) // s + 1 (floor rather than ceil, "
                   "the +1, p zeros on EACH side) or the loop bound.")


def relabelled(g, e, ctx: Context) -> Finding | None:
    """Indices consistently renamed (one-to-one): the vocabulary or class order differs from the given one."""
    if not (is_integer(e) and is_integer(g)) or np.asarray(e).dtype.kind == "b" or np.asarray(g).dtype.kind == "b":
        return None  # a boolean mask "renamed" is its complement, not another vocabulary order
    ga, ea = np.asarray(g).ravel(), np.asarray(e).ravel()
    if ga.shape != ea.shape or ga.size < 3 or np.array_equal(ga, ea):
        return None
    forward: dict = {}
    backward: dict = {}
    for a, b in zip(ea.tolist(), ga.tolist()):
        if forward.setdefault(a, b) != b or backward.setdefault(b, a) != a:
            return None
    if len(forward) < 3 or ga.size - len(forward) < 3:
        return None  # the renaming must be confirmed by at least three repeats to be a pattern rather than a coincidence
    return Finding("relabelled", "The right pattern with the indices renamed",
                   "Every index is consistently replaced by another: the order of the vocabulary (or classes) is not "
                   "the one given; use the given order, not a sorted or set order.")


def _error_name(value: Any) -> bool:
    return isinstance(value, str) and value.isidentifier() and value.endswith(("Error", "Exception"))


def input_check(g, e, ctx: Context) -> Finding | None:
    """An invalid input accepted (a check missing) or a valid one rejected (a check too strict).

    Only where the case reports both outcomes as words (a driver's "accepted" or the error's name):
    an error raised where a number is expected is a crash, not a check.
    """
    if not (isinstance(g, str) and isinstance(e, str)):
        return None
    if _error_name(e) and not _error_name(g):
        return Finding("check_missing", f"Accepts an input it must reject with {e}",
                       f"Validate the arguments before computing: this input is outside the allowed range, raise {e}.")
    if _error_name(g) and not _error_name(e):
        return Finding("check_too_strict", f"Rejects a valid input with {g}",
                       "Your argument check is too strict: this input is allowed (mind the boundary values, e.g. "
                       "0 <= p < 1 includes 0).")
    return None


def factor(g, e, ctx: Context) -> Finding | None:
    """Every value off by one constant factor (x2, x1/2, x-1, a whole number or its inverse), with its meaning here."""
    if is_integer(e):
        return None  # a factor between indices or labels means nothing
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or not np.all(np.isfinite(ga)):
        return None
    mask = np.isfinite(ea) & (np.abs(ea) > 1e-9)
    if not np.any(mask):
        return None
    ratios = ga[mask] / ea[mask]
    k = float(np.median(ratios))
    if not np.allclose(ratios, k, rtol=1e-6, atol=1e-9) or np.isclose(k, 1.0) or np.isclose(k, 0.0):
        return None
    if not np.allclose(ga[np.isfinite(ea) & ~mask], 0.0, rtol=0.0, atol=1e-9 * max(1.0, abs(k))):
        return None  # k x 0 is 0: a value where 0 is expected is not "the same off by k"
    meanings = ctx.factor_meanings or {}
    if np.isclose(k, -1.0):
        return Finding("sign", "The expected value with the opposite sign",
                       meanings.get("sign") or "Check the sign: which way the difference is taken, and whether an update adds or subtracts.")
    if np.isclose(k, 2.0):
        kind, name = "twice", "Exactly twice the expected value"
    elif np.isclose(k, 0.5):
        kind, name = "half", "Exactly half the expected value"
    elif any(abs(f) >= 2 and np.isclose(f, round(f)) for f in (k, 1.0 / k)):
        kind, name = "whole_number", f"Off by a constant factor of {k:g}"
    elif meanings.get("other") and abs(k - 1.0) > 1e-3 and np.count_nonzero(mask) >= 3:
        kind, name = "other", f"Off by a constant factor of {k:.6g}"
    else:
        return None  # any other factor names nothing unless the assignment says what it means
    hint = meanings.get(kind) or "Every value is off by the same factor: look for a scale applied once too often or not at all."
    rid = {"twice": "factor_2", "half": "factor_half", "whole_number": "factor_m", "other": "factor_other"}[kind]
    return Finding(rid, name, hint)


def precision(g, e, ctx: Context) -> Finding | None:
    """Every error below ~1e-4 relative: right formula, lost precision (float32 somewhere, a rounded constant)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or is_integer(e) or not np.all(np.isfinite(ga)):
        return None
    scale = max(1e-12, float(np.max(np.abs(ea)))) if ea.size else 1.0
    rel = np.abs(ga - ea) / np.maximum(np.abs(ea), 1e-3 * scale)
    if ea.size < 4 or float(np.max(rel)) >= 1e-4 or np.count_nonzero(rel > ctx.tol.rtol) < 0.5 * ea.size:
        return None  # lost precision touches nearly every value; a few small errors are a small wrong term
    return Finding("precision", "Right to about 4 digits: precision lost",
                   "Every value is within 1e-4 of the expected one: the formula is right but precision is lost "
                   "(a float32 array or constant, a rounded constant, or a one-sided difference).")


def one_hot_missing(g, e, ctx: Context) -> Finding | None:
    """Off by one same constant at exactly one entry of every row (or column): the one-hot target left out."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim != 2 or min(ga.shape) < 2 or is_integer(e):
        return None
    if not (np.all(np.isfinite(ga)) and np.all(np.isfinite(ea))):
        return None
    diff = ga - ea
    atol = ctx.tol.atol * max(1.0, float(np.max(np.abs(ea)))) + ctx.tol.rtol * np.abs(ea)
    off = np.abs(diff) > atol
    for axis, unit in ((1, "row"), (0, "column")):
        if ga.shape[1 - axis] < 2 or not np.all(off.sum(axis=axis) == 1):
            continue
        c = diff[off]
        if np.allclose(c, c[0], rtol=1e-6, atol=1e-12):
            return Finding("one_hot_missing", f"Off by the same amount ({c[0]:+.4g}) at exactly one entry of every {unit}",
                           "The one-hot target is missing or counted twice: the gradient of softmax + cross-entropy "
                           "with respect to the scores is P - Y (divided by the count when the loss is a mean), with "
                           f"Y one-hot: subtract 1 at the true class of every {unit}.")
    return None


LEAF_RULES: tuple[Callable, ...] = (input_check, floating_error, overflow, clipped, float32, transposed, history_short, padding_size, shape_off_by_one, labels, off_by_one, relabelled,
                                    time_shift, permutation, wrong_axis, same_mask, other_mask, border, factor, offset, one_hot_missing, precision)
