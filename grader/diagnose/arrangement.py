"""Structural rules about where an output's values sit: transposed, cut short, shifted in time, permuted,
reduced over the wrong axis, padded or cropped (see grader.diagnose.rules, which holds the rules on the values
themselves and the order all of them are tried in)."""
from __future__ import annotations

import numpy as np

from grader.diagnose.leaves import Context, Finding, as_array, close, varied


def transposed(g, e, ctx: Context) -> Finding | None:
    """The expected 2-D array, transposed (only a non-square one can tell)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.ndim != 2 or ga.shape != ea.shape[::-1] or ga.shape == ea.shape:
        return None
    if not close(ga.T, ea, ctx.tol):
        return None
    return Finding("transposed", "The expected array, transposed",
                   "Check which of W and W.T you use and which axis holds the instances (and the time steps).")


def history_short(g, e, ctx: Context) -> Finding | None:
    """A history (1-D list or array) one entry short: the last (or first) entry is missing."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.ndim != 1 or ea.ndim != 1 or ea.size < 2 or ga.size != ea.size - 1:
        return None
    if close(ga, ea[:-1], ctx.tol):
        return Finding("history_short", "History one entry short: the final entry is missing",
                       "Record one entry per step, including the last one (a loop that stops one step early, or that "
                       "records before the step instead of after it).")
    if close(ga, ea[1:], ctx.tol):
        return Finding("history_short", "History one entry short: the first entry is missing",
                       "Record one entry per step, starting with the first one (before any update).")
    return None


def shape_off_by_one(g, e, ctx: Context) -> Finding | None:
    """The spatial size (the last two axes) off by one: the output-size formula."""
    if not (isinstance(g, np.ndarray) and isinstance(e, np.ndarray)) or g.ndim != e.ndim or g.ndim < 2:
        return None
    if g.shape[:-2] != e.shape[:-2]:
        return None
    diffs = [a - b for a, b in zip(g.shape[-2:], e.shape[-2:])]
    if all(d == 0 for d in diffs) or any(abs(d) > 1 for d in diffs) or len(set(diffs) - {0}) != 1:
        return None
    if g.ndim == 2 and 0 in diffs:
        return None  # a 2-D output one row short is not a spatial size (only an image has two spatial axes)
    more = diffs[0] + diffs[1] > 0
    return Finding("shape_off_by_one", f"Spatial size off by one ({'one more' if more else 'one fewer'} row or column)",
                   "Re-check the output-size formula (n + 2p - k) // s + 1: floor rather than ceil, the +1, and "
                   "the padding on both sides.")


def padding_size(g, e, ctx: Context) -> Finding | None:
    """The right values framed by extra zero rows and columns, or missing the zero frame: the padding's width."""
    if not (isinstance(g, np.ndarray) and isinstance(e, np.ndarray)) or g.ndim != e.ndim or g.ndim < 2:
        return None
    if g.shape[:-2] != e.shape[:-2] or g.dtype.kind not in "biuf" or e.dtype.kind not in "biuf":
        return None
    dh, dw = g.shape[-2] - e.shape[-2], g.shape[-1] - e.shape[-1]
    if dh != dw or dh == 0 or dh % 2:
        return None
    q = abs(dh) // 2
    big, small = (g, e) if dh > 0 else (e, g)
    inner = big[..., q:big.shape[-2] - q, q:big.shape[-1] - q].astype(np.float64)
    frame = big.astype(np.float64).copy()
    frame[..., q:big.shape[-2] - q, q:big.shape[-1] - q] = 0.0
    values = small[small != 0].astype(np.float64)
    if not close(inner, small.astype(np.float64), ctx.tol) or np.any(frame != 0) or values.size < 3 or not varied(values):
        return None
    if dh > 0:
        return Finding("padding_size", f"The right values inside {q} extra rows and columns of zeros on each side",
                       "Too much padding: pad = p means p zeros on EACH side (the padded size is n + 2p), not 2p.")
    return Finding("padding_size", f"The right values without the {q} rows and columns of zeros on each side",
                   "Too little padding: pad = p means p zeros on EACH side (the padded size is n + 2p).")


def time_shift(g, e, ctx: Context) -> Finding | None:
    """The right sequence shifted by one step along the time axis (targets or inputs misaligned)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim < 1 or not varied(ea):
        return None
    for axis in ([ga.ndim - 1, 0] if ga.ndim > 1 else [0]):
        n = ga.shape[axis]
        if n < 5:
            continue  # a short vector rotated (weights stored in another order) is not a sequence out of step
        head = [slice(None)] * ga.ndim
        tail = [slice(None)] * ga.ndim
        head[axis], tail[axis] = slice(0, n - 1), slice(1, n)
        head, tail = tuple(head), tuple(tail)
        if close(ea[tail], ea[head], ctx.tol):
            continue  # a constant sequence cannot tell a shift
        if close(ga[tail], ea[head], ctx.tol) or close(ga[head], ea[tail], ctx.tol):
            return Finding("time_shift", "The right sequence shifted by one step",
                           "Inputs and targets are misaligned by one time step: the target of x_t is x_{t+1}, and "
                           "each step's output belongs to that step.")
    return None


def permutation(g, e, ctx: Context) -> Finding | None:
    """The expected values in another order (flatten order, channel order)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.size != ea.size or ga.size < 4 or close(ga.reshape(ea.shape), ea, ctx.tol):
        return None
    flat = ea.ravel()
    if np.unique(np.round(flat, 9)).size < 0.9 * flat.size:
        return None  # few distinct values (labels, 0/1): any reordering would look like a permutation
    if not close(np.sort(ga.ravel()), np.sort(flat), ctx.tol):
        return None
    if ea.ndim == 2 and ga.shape == ea.shape and close(np.sort(ga, axis=1), np.sort(ea, axis=1), ctx.tol):
        return Finding("permutation", "Each row holds the right values in another order",
                       "The order within each row is wrong: e.g. flattening (C, H, W) versus (H, W, C), or C versus "
                       "Fortran order in a reshape.")
    return Finding("permutation", "The right values in another order",
                   "Every expected value is there, in another order: check the order you store or read them in "
                   "(which entry comes first, the axis order of a reshape, transpose or flatten).")


def wrong_axis(g, e, ctx: Context) -> Finding | None:
    """Normalised over the wrong axis: the expected columns sum to 1, yours rows (or the other way round)."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim != 2 or min(ga.shape) < 2:
        return None
    if np.any(ga < 0) or np.any(ea < 0) or not np.all(np.isfinite(ga)):
        return None
    for axis in (0, 1):
        other = 1 - axis
        if (np.allclose(ea.sum(axis=axis), 1.0) and not np.allclose(ga.sum(axis=axis), 1.0)
                and np.allclose(ga.sum(axis=other), 1.0)):
            names = ("columns", "rows")
            return Finding("wrong_axis", f"Normalised over the wrong axis: your {names[other]} sum to 1, the expected {names[axis]} do",
                           f"Sum (and take the maximum) over axis={axis}, keeping dimensions (keepdims=True), so "
                           f"each {names[axis][:-1]} is one distribution.")
    return None


def border(g, e, ctx: Context) -> Finding | None:
    """Every error on the border of the last two axes, the interior right: padding."""
    ga, ea = as_array(g), as_array(e)
    if ga is None or ea is None or ga.shape != ea.shape or ga.ndim < 2 or min(ga.shape[-2:]) < 4 or not varied(ea):
        return None
    if np.count_nonzero(ea[..., 1:-1, 1:-1]) < 0.8 * ea[..., 1:-1, 1:-1].size:
        return None  # an interior of zeros (dropped units) agrees trivially
    bad = ~(np.abs(ga - ea) <= ctx.tol.atol * max(1.0, float(np.max(np.abs(ea)))) + ctx.tol.rtol * np.abs(ea))
    interior = bad[..., 1:-1, 1:-1]
    if not bad.any() or interior.any():
        return None
    sides = (bad[..., 0, :], bad[..., -1, :], bad[..., :, 0], bad[..., :, -1])
    if not any(side.mean() >= 0.75 for side in sides):
        return None  # a few wrong values that happen to sit on the edge are not a padding pattern
    return Finding("border", "Errors only on the border, the interior is right",
                   "Only values that read the padding are wrong: check how many zeros go on each side (p on EACH "
                   "side) and that the padded input is the one you convolve.")
