"""Structural rules on a whole output or with the case's inputs, and the order all rules are tried in.

The rules in :mod:`grader.diagnose.rules` look at one wrong component. Some misconceptions only show
across components (two calls that should differ give the same result; a training history that goes
on past its stopping point) or against the inputs (an update that leaves one entry where it was;
gradients rescaled where each entry should be clipped). Like every rule, each fires only when its
pattern holds exactly and the output is wrong.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from grader.checks import matches
from grader.diagnose.leaves import Context, Finding, as_array, close, differing, is_integer, leaves, varied
from grader.diagnose.rules import LEAF_RULES, precision


def update_direction(got: Any, expected: Any, inputs: tuple, ctx: Context) -> Finding | None:
    """For an output that updates one of the inputs (new parameters): the change made has the wrong sign.

    Compares the changes ``got - x`` and ``expected - x`` for an input ``x`` of the output's structure.
    """
    for x in inputs:
        pairs_g = list(leaves(got, x))
        pairs_e = list(leaves(expected, x))
        if not pairs_e or len(pairs_g) != len(pairs_e):
            continue
        dg, de = [], []
        for (_, g, xg), (_, e, xe) in zip(pairs_g, pairs_e):
            ga, ea, xa = as_array(g), as_array(e), as_array(xe)
            if ga is None or ea is None or xa is None or not (ga.shape == ea.shape == xa.shape):
                break
            dg.append((ga - xa).ravel())
            de.append((ea - xa).ravel())
        else:
            if not dg:
                continue
            change_g, change_e = np.concatenate(dg), np.concatenate(de)
            if np.count_nonzero(np.abs(change_e) > 1e-12) >= 2 and close(change_g, -change_e, ctx.tol):
                return Finding("update_sign", "The update goes the wrong way: the change from the input has the opposite sign",
                               "Gradient descent moves against the gradient: new = old - lr * gradient (and the error "
                               "term's sign must match the lecture's).")
    return None


IN_PLACE = Finding("in_place", "Modifies its input in place",
                   "Work on a copy: an in-place operation (x *= ..., x -= ..., out=x, a slice assignment, pop) changes "
                   "the caller's array, and a caller that reuses it then computes with wrong numbers.")


def two_calls(g, e, ctx: Context) -> Finding | None:
    """Two identical calls expected to agree, yours do not: state kept between calls (module-level, a default argument)."""
    if not (isinstance(e, (list, tuple)) and isinstance(g, (list, tuple)) and len(e) == len(g) == 2):
        return None
    if not matches(e[1], e[0], ctx.tol) or matches(g[1], g[0], ctx.tol):
        return None
    if not (isinstance(e[0], (list, tuple, dict)) or matches(g[0], e[0], ctx.tol)):
        return None  # two equal arrays in an output may be a coincidence; two whole call results are a repeat
    return Finding("state_between_calls", "A second identical call gives another result",
                   "Your function keeps state between calls (a module-level variable, a mutable default argument, "
                   "or a modified input): each call must depend only on its arguments.")


def update_skips_entry(got: Any, expected: Any, inputs: tuple, ctx: Context) -> Finding | None:
    """For an output that updates an input array: every entry moves as expected except some that do not move at all."""
    ga, ea = as_array(got), as_array(expected)
    if ga is None or ea is None or ga.ndim != 1 or ga.shape != ea.shape or ga.size < 2:
        return None
    for x in inputs:
        xa = as_array(x)
        if xa is None or xa.shape != ea.shape:
            continue
        change_g, change_e = ga - xa, ea - xa
        scale = ctx.tol.atol * max(1.0, float(np.max(np.abs(ea)))) + 1e-12
        still = (np.abs(change_g) <= scale) & (np.abs(change_e) > scale)
        moved = ~still
        if still.any() and np.count_nonzero(np.abs(change_e[moved]) > scale) >= 1 and close(change_g[moved], change_e[moved], ctx.tol):
            where = ", ".join(f"[{i}]" for i in np.flatnonzero(still)[:4])
            return Finding("update_skips_entry", f"The update moves every entry but {where}, which stays where it was",
                           f"Entry {where} is left out of the update: every parameter must change, the bias weight too "
                           "(its input is the constant x0 = 1, part of every instance).")
    return None


def rescaled_not_clipped(got: Any, expected: Any, inputs: tuple, ctx: Context) -> Finding | None:
    """Arrays scaled down as a whole (by their norm) where every entry should be clipped to [-c, c]."""
    for x in inputs:
        triples = [(g, e, xe) for (_, g, _), (_, e, xe) in zip(leaves(got, x), leaves(expected, x))]
        if not triples or len(triples) != len(list(leaves(expected, x))):
            continue
        arrays = [(as_array(g), as_array(e), as_array(xe)) for g, e, xe in triples]
        if any(a is None or b is None or c is None or not (a.shape == b.shape == c.shape) or c.size < 2 for a, b, c in arrays):
            continue
        limit = max(float(np.max(np.abs(b))) for _, b, _ in arrays)
        if limit <= 0 or not all(close(b, np.clip(c, -limit, limit), ctx.tol) for _, b, c in arrays):
            continue  # the expected output is not the inputs clipped
        scaled = 0
        for a, b, c in arrays:
            k = float(np.sum(a * c) / max(np.sum(c * c), 1e-300))
            if not (0 < k <= 1 + 1e-12) or not close(a, k * c, ctx.tol):
                break
            scaled += k < 1 - 1e-9 and not close(a, b, ctx.tol)
        else:
            if scaled:
                return Finding("rescaled_not_clipped", "Whole arrays scaled down where each entry should be clipped",
                               f"Clip every entry on its own to [-{limit:g}, {limit:g}] (np.clip); rescaling an array "
                               "by its norm keeps its direction but is not the clipping asked for here.")
    return None


def one_pass(got: Any, expected: Any, inputs: tuple, ctx: Context) -> Finding | None:
    """A training history with one entry per instance, the last still nonzero, where the expected one has one per
    iteration: a single pass over the instances (a history that reaches 0 after m entries stopped on convergence)."""
    data = [x for x in inputs if isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] >= 3]
    if not data or not isinstance(expected, (list, tuple)):
        return None
    m = data[0].shape[0]
    for (_, gv, ev) in leaves(got, expected):
        gh, eh = _history(gv), _history(ev)
        if gh is None or eh is None or not isinstance(gv, list):
            continue
        if len(gh) == m != len(eh) and len(eh) >= 2 and gh[-1] != 0:  # stopped with instances still wrong
            return Finding("one_pass", f"One history entry per instance ({m}) instead of one per iteration",
                           "Training makes a single pass over the instances: repeat whole iterations (predict "
                           "all, record the count, update once) until none is misclassified or max_iter is reached.")
    return None


INPUT_RULES: tuple[Callable, ...] = (update_direction, update_skips_entry, rescaled_not_clipped, one_pass)


def with_inputs(got: Any, expected: Any, inputs: tuple, ctx: Context) -> Finding | None:
    """The first rule that recognises a wrong output from how it relates to the case's inputs, else None."""
    if matches(got, expected, ctx.tol):
        return None
    for rule in INPUT_RULES:
        found = rule(got, expected, inputs, ctx)
        if found is not None:
            return found
    return None


def ignored_argument(g, e, ctx: Context) -> Finding | None:
    """Two results that should differ are the same (and one of them is right): what tells the two calls apart is ignored."""
    if not isinstance(e, (dict, list, tuple)):
        return None
    items = [(p, as_array(gv), as_array(ev)) for p, gv, ev in leaves(g, e)]
    items = [(p, a, b) for p, a, b in items if a is not None and b is not None and a.shape == b.shape and a.size >= 4
             and not is_integer(b) and np.all(np.isfinite(a)) and varied(a)]
    for i, (p, a, b) in enumerate(items):
        for q, c, d in items[i + 1:]:
            if a.shape != c.shape or not close(a, c, ctx.tol) or close(b, d, ctx.tol):
                continue
            if close(a, b, ctx.tol) or close(a, d, ctx.tol):
                return Finding("ignored_argument", f"Your {p or 'output'} and {q} are the same, the expected ones differ",
                               "The two calls behind these results differ in an argument (a step size h, a train "
                               "flag, a mode) and your code gives the same answer for both: that argument is ignored.")
    return None


def _history(value: Any) -> list | None:
    """A recorded history: a list of numbers (one per iteration), else None."""
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) for v in value):
        return list(value)
    return None


def stops_late(g, e, ctx: Context) -> Finding | None:
    """A training history that holds every expected iteration and then goes on: the stopping test fires too late."""
    if not (isinstance(e, (list, tuple, dict)) and type(g) is type(e)):
        return None
    for _, gv, ev in leaves(g, e):
        gh, eh = _history(gv), _history(ev)
        if gh is None or eh is None or len(gh) <= len(eh) or len(eh) < 2:
            continue
        if matches(gh[:len(eh)], eh, ctx.tol):
            return Finding("stops_late", f"Training goes on past the iteration where it must stop ({len(gh)} iterations "
                           f"instead of {len(eh)}; the first {len(eh)} are right)",
                           "The stopping test does not fire when it should: check what it compares (the error "
                           "count / m, not the count), the comparison (<= versus <), and that it is tested in "
                           "every iteration.")
    return None


def counts_off_by_one(g, e, ctx: Context) -> Finding | None:
    """Several whole-number results (sizes, counts), each wrong one off by one in the same direction."""
    if not isinstance(e, (dict, list, tuple)):
        return None
    wrong = differing(g, e, ctx.tol)
    if len(wrong) < 2:
        return None
    diffs = []
    for _, gv, ev in wrong:
        if not (isinstance(gv, (int, np.integer)) and isinstance(ev, (int, np.integer))) or isinstance(gv, bool) or isinstance(ev, bool):
            return None
        diffs.append(int(gv) - int(ev))
    if not (all(d == 1 for d in diffs) or all(d == -1 for d in diffs)):
        return None
    return Finding("off_by_one", f"Sizes or counts one {'too large' if diffs[0] > 0 else 'too small'} wherever they differ",
                   "An off-by-one in a size formula or a count: re-check (n + 2p - k) // s + 1 (floor rather than ceil, "
                   "the +1, p zeros on EACH side) or the loop bound.")


NODE_RULES: tuple[Callable, ...] = (ignored_argument, stops_late, counts_off_by_one)
RULE_IDS = ("nan", "float32", "transposed", "history_short", "shape_off_by_one", "time_shift", "permutation",
            "wrong_axis", "same_mask", "border", "factor_2", "factor_half", "factor_m", "factor_other", "sign",
            "precision", "state_between_calls", "offset", "labels_01", "sign_zero", "relabelled", "in_place",
            "check_missing", "clipped", "padding_size", "other_mask", "off_by_one", "update_sign", "check_too_strict",
            "one_hot_missing", "update_skips_entry", "rescaled_not_clipped", "ignored_argument", "stops_late", "one_pass")


def structural(got: Any, expected: Any, ctx: Context) -> Finding | None:
    """The first rule that fires on the output (two-call outputs, then the first wrong component, then the whole), else None.

    Never fires on a right answer.
    """
    if matches(got, expected, ctx.tol):
        return None
    for path, g, e in _nodes(got, expected):
        found = two_calls(g, e, ctx)
        if found:
            return Finding(found.id, found.name, found.hint, path)
    wrong = differing(got, expected, ctx.tol)
    for path, g, e in wrong[:1]:  # the first wrong component decides: a rule on a later one may be a consequence
        for rule in LEAF_RULES:
            found = rule(g, e, ctx)
            if found is not None and (rule is not precision or all(precision(gg, ee, ctx) for _, gg, ee in wrong)):
                return Finding(found.id, found.name, found.hint, "" if path == "output" else path)
            if found is not None:
                break  # precision on one component while another is far off: not a precision problem
    for rule in NODE_RULES:  # patterns across the components of the whole output
        found = rule(got, expected, ctx)
        if found is not None:
            return found
    return None


def _nodes(got: Any, expected: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every container node of two outputs of the same structure (for rules on whole tuples)."""
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)) and len(got) == len(expected):
        yield path, got, expected
        for i, (g, e) in enumerate(zip(got, expected)):
            yield from _nodes(g, e, f"{path}[{i}]")
    elif isinstance(expected, dict) and isinstance(got, dict):
        for key in expected:
            if key in got:
                yield from _nodes(got[key], expected[key], f"{path}[{key!r}]")
