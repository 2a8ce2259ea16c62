"""Case generators, sandbox drivers and property checks of the `dropout` assignment."""
import numpy as np

from grader.cases import call, run
from grader.checks import Tolerance, Verdict, compare

FRACTION_TOL = 0.01  # |fraction dropped - p|: ~11 sigma on 250k units
MEAN_TOL = 0.1  # |mean(out) - mean(A)| on inputs around 10, p <= 0.3: ~7.5 sigma
MASK_FRACTION_TOL = 0.1  # |fraction dropped - p| of a backward case's mask: >= 4 sigma on its >= 400 units
PARTIAL = 0.5  # credit for a valid mask with the right statistics that is not the spec's draw
WRONG_DRAW = "your mask is a valid dropout mask but not the one the spec's single rng.random(A.shape) draw gives"


# ---------------------------------------------------------------- input makers (parent only)

def _seed(rng):
    return int(rng.integers(0, 2**31 - 1))


def _p_away_from_half(rng):
    """A drop probability in [0.1, 0.4] or [0.6, 0.9]: at 0.5, p and 1 - p look alike."""
    p = rng.uniform(0.1, 0.4)
    return float(round(p if rng.random() < 0.5 else 1.0 - p, 3))


def _odd_shape(rng, low=4, high=10):
    """A non-square 2-D shape, at least 2 columns (instances)."""
    rows = int(rng.integers(low, high))
    cols = int(rng.integers(low, high))
    if cols == rows:
        cols += 1
    return rows, cols


def _around_ten(rng):
    """A ~500x500 non-square input with values in [9, 11], and a p in [0.2, 0.3]."""
    rows = int(rng.integers(470, 500))
    cols = int(rng.integers(505, 535))
    return rng.uniform(9.0, 11.0, size=(rows, cols)), float(round(rng.uniform(0.2, 0.3), 3))


def _network(rng, n, H, K, m):
    """Inputs and parameters of the two-layer network, with every hidden pre-activation |F1| > 0.05."""
    while True:
        X = rng.normal(size=(n, m))
        params = {
            "W1": rng.normal(size=(n, H)),
            "b1": rng.normal(scale=0.5, size=(H, 1)),
            "W2": rng.normal(size=(H, K)),
            "b2": rng.normal(scale=0.5, size=(K, 1)),
        }
        F1 = params["W1"].T @ X + params["b1"]
        if np.min(np.abs(F1)) > 0.05 and np.any(F1 > 0):
            return X, params


def _network_sizes(rng):
    """K < n < H, m >= 3 (non-square everywhere), the same for every student: 9 x 7 hidden units
    make a mask drawn another way differ from the spec's for any p away from 1/2."""
    return 4, 9, 3, 7


# ---------------------------------------------------------------- drivers (run in the sandbox)

def forward_seeded(student, A, p, train, seed):
    rng = np.random.default_rng(seed)
    result = student.dropout_forward(A, p, train, rng)
    return {"dropout_forward": result, "next_draw_after_call": rng.random()}


def forward_predict_seeded(student, A, p, seed):
    rng = np.random.default_rng(seed)
    out, mask = student.dropout_forward(A, p, False, rng)
    training = student.dropout_forward(A, p, True, np.random.default_rng(seed))
    return {"out": out, "mask_is_None": mask is None, "next_draw_after_call": rng.random(), "training_forward": training}


def forward_identity(student, A, p, seed):
    rng = np.random.default_rng(seed)
    result = student.dropout_forward(A, 0.0, True, rng)
    training = student.dropout_forward(A, p, True, np.random.default_rng(seed))
    return {"dropout_forward": result, "next_draw_after_call": rng.random(), "training_forward": training}


def forward_shapes(student, As, p, seed):
    results = []
    for A in As:
        rng = np.random.default_rng(seed)
        results.append({"dropout_forward": student.dropout_forward(A, p, True, rng), "next_draw_after_call": rng.random()})
    return results


def forward_rejects(student, A, ps, seed):
    outcomes = {}
    for p, train in ps:
        label = f"p = {p!r}, train = {train}"
        try:
            student.dropout_forward(A, p, train, np.random.default_rng(seed))
            outcomes[label] = "accepted"
        except ValueError:
            outcomes[label] = "ValueError"
        except Exception as exc:
            outcomes[label] = type(exc).__name__
    return outcomes


def forward_leaves_input(student, A, p, seed):
    training = student.dropout_forward(A, p, True, np.random.default_rng(seed))
    prediction = student.dropout_forward(A, p, False, np.random.default_rng(seed))
    return {"A_after_calls": A, "training_forward": training, "prediction_forward": prediction}


def forward_then_backward(student, A, d_out, p, seed):
    rng = np.random.default_rng(seed)
    out, mask = student.dropout_forward(A, p, True, rng)
    d_A = student.dropout_backward(d_out, mask, p)
    return {"mask": mask, "d_A": d_A}


def network_step(student, X, params, p, train, dY_hat, seed):
    rng = np.random.default_rng(seed)
    Y_hat, cache = student.mlp_dropout_forward(X, params, p, train, rng)
    next_draw = rng.random()
    grads = student.mlp_dropout_backward(dY_hat, cache)
    return {"Y_hat": Y_hat, "next_draw_after_forward": next_draw, "grads": grads}


def network_predict_seeded(student, X, params, p, seed):
    rng = np.random.default_rng(seed)
    Y_hat, cache = student.mlp_dropout_forward(X, params, p, False, rng)
    return {"Y_hat": Y_hat, "next_draw_after_forward": rng.random()}


# ---------------------------------------------------------------- generators: dropout_forward

def forward_public(rng):
    A = np.array([[1.5, -2.0, 0.25, 4.0], [3.0, 0.5, -1.0, 2.5], [-0.75, 6.0, 1.0, -3.5]])
    return run(forward_seeded, A=A, p=0.25, train=True, seed=2024)


def forward_exact(rng):
    """The spec's single draw on a non-square 2-D input, a 1-D input and a 3-D input (any shape)."""
    rows, cols = _odd_shape(rng)
    As = [rng.normal(size=(rows, cols)), rng.normal(size=rows + cols), rng.normal(size=(2, rows, cols))]
    return run(forward_shapes, As=As, p=_p_away_from_half(rng), seed=_seed(rng))


def forward_large(rng):
    """Cases forward_draw and forward_statistics: ~250k units around 10, p in [0.2, 0.3]."""
    A, p = _around_ten(rng)
    return run(forward_seeded, A=A, p=p, train=True, seed=_seed(rng))


def forward_predict_public(rng):
    A = np.array([[0.5, -1.25, 2.0], [3.5, 0.0, -4.0]])
    return run(forward_predict_seeded, A=A, p=0.4, seed=7)


def forward_predict(rng):
    A = rng.normal(size=_odd_shape(rng))
    return run(forward_predict_seeded, A=A, p=_p_away_from_half(rng), seed=_seed(rng))


def forward_p_zero(rng):
    """p = 0 is the identity; the same input at a p > 0 must not be (so returning A earns nothing)."""
    A = rng.normal(size=_odd_shape(rng))
    return run(forward_identity, A=A, p=_p_away_from_half(rng), seed=_seed(rng))


def forward_rejects_public(rng):
    A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
    ps = [[1.0, True], [1.5, True], [-0.1, True], [1.0, False], [0.0, True], [0.999, True]]
    return run(forward_rejects, A=A, ps=ps, seed=3)


def forward_rejects_bad_p(rng):
    A = rng.normal(size=_odd_shape(rng))
    above = float(round(rng.uniform(1.01, 3.0), 3))
    below = float(-round(rng.uniform(0.01, 1.0), 3))
    ps = [[above, True], [1.0, True], [below, True], [above, False], [0.0, True], [_p_away_from_half(rng), True]]
    return run(forward_rejects, A=A, ps=ps, seed=_seed(rng))


def forward_input_unchanged(rng):
    A = rng.normal(size=_odd_shape(rng))
    return run(forward_leaves_input, A=A, p=_p_away_from_half(rng), seed=_seed(rng))


# ---------------------------------------------------------------- generators: dropout_backward

def backward_public(rng):
    d_out = np.array([[0.5, -1.0, 2.0, 0.25], [-3.0, 1.5, 0.75, -2.0], [1.0, 4.0, -0.5, 3.0]])
    mask = np.array([[True, False, True, True], [False, True, True, False], [True, True, False, True]])
    return call("dropout_backward", d_out, mask, 0.25)


def backward_random(rng):
    shape = _odd_shape(rng)
    p = _p_away_from_half(rng)
    return call("dropout_backward", rng.normal(size=shape), rng.random(shape) >= p, p)


def backward_zeros_where_dropped(rng):
    shape = _odd_shape(rng, 20, 40)
    p = _p_away_from_half(rng)
    return run(forward_then_backward, A=rng.normal(size=shape), d_out=rng.normal(size=shape), p=p, seed=_seed(rng))


# ---------------------------------------------------------------- generators: the network

def network_public(rng):
    X, params = _network(rng, 3, 5, 2, 4)
    dY = rng.normal(size=(2, 4))
    return run(network_step, X=X, params=params, p=0.3, train=True, dY_hat=dY, seed=11)


def network_gradients(rng):
    n, H, K, m = _network_sizes(rng)
    X, params = _network(rng, n, H, K, m)
    p = _p_away_from_half(rng)
    return run(network_step, X=X, params=params, p=p, train=True, dY_hat=rng.normal(size=(K, m)), seed=_seed(rng))


def network_predict(rng):
    n, H, K, m = _network_sizes(rng)
    X, params = _network(rng, n, H, K, m)
    return run(network_predict_seeded, X=X, params=params, p=_p_away_from_half(rng), seed=_seed(rng))


def network_gradients_predict(rng):
    n, H, K, m = _network_sizes(rng)
    X, params = _network(rng, n, H, K, m)
    p = _p_away_from_half(rng)
    return run(network_step, X=X, params=params, p=p, train=False, dY_hat=rng.normal(size=(K, m)), seed=_seed(rng))


# ---------------------------------------------------------------- property checks (parent only)

def _forward_pair(got, shape):
    """(problem, out, mask as bool) from a driver's output; problem is None when usable."""
    result = got.get("dropout_forward") if isinstance(got, dict) else None
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        return "dropout_forward must return a pair (out, mask)", None, None
    out, mask = result
    for name, value in (("out", out), ("mask", mask)):
        if not isinstance(value, np.ndarray) or value.shape != shape:
            return f"{name} must be an ndarray of A's shape {shape}", None, None
    if out.dtype.kind != "f" or not np.all(np.isfinite(out)):
        return "out must be a finite float array", None, None
    if mask.dtype.kind not in "biuf" or not np.all((mask == 0) | (mask == 1)):
        return "mask must hold only True/False (0/1) values", None, None
    return None, out.astype(np.float64), mask.astype(bool)


def _statistics_problems(A, p, out, keep):
    """What is wrong with a training forward's statistics (empty when right)."""
    problems = []
    dropped = 1.0 - float(np.mean(keep))
    if not abs(dropped - p) <= FRACTION_TOL:
        problems.append(f"fraction of units dropped is {dropped:.4f}, expected p = {p:g} (within {FRACTION_TOL:g})")
    mean_out, mean_A = float(np.mean(out)), float(np.mean(A))
    if not abs(mean_out - mean_A) <= MEAN_TOL:
        problems.append(
            f"mean of out is {mean_out:.4f} but the mean of A is {mean_A:.4f} (must agree within {MEAN_TOL:g}: "
            "inverted dropout keeps the expected value of every unit)"
        )
    expected = A * keep / (1.0 - p)
    bad = ~(np.abs(out - expected) <= 1e-8 * max(1.0, float(np.max(np.abs(expected)))) + 1e-6 * np.abs(expected))
    if np.any(bad):
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        what = "a dropped unit (mask 0)" if not keep[i] else "a kept unit (mask 1)"
        problems.append(
            f"out is not A * mask / (1 - p) for your own mask: {int(np.count_nonzero(bad))} units differ, first at "
            f"index {list(i)}, {what}: out {out[i]:.10g}, A {A[i]:.10g}"
        )
    return problems


def exactly(got, expected, probe):
    """The reference comparison with exact equality ("out equals A" means bit for bit), except for the
    training forward that comes with it (there only to show the function does something), compared
    with the usual tolerance."""
    if isinstance(expected, dict) and "training_forward" in expected and isinstance(got, dict):
        rest = {k: v for k, v in got.items() if k != "training_forward"}
        verdict = compare(rest, {k: v for k, v in expected.items() if k != "training_forward"}, Tolerance(exact=True), "output")
        if not verdict.passed:
            return verdict
        return compare(got.get("training_forward"), expected["training_forward"], Tolerance(), "output['training_forward']")
    return compare(got, expected, Tolerance(exact=True), "output")


def statistics(got, expected, probe):
    """A training forward on ~250k units: a valid mask, fraction dropped ~p, mean kept, kept units scaled by 1/(1-p)."""
    A, p = probe.kwargs["A"], probe.kwargs["p"]
    problem, out, keep = _forward_pair(got, A.shape)
    if problem:
        return Verdict.fail(problem, "output['dropout_forward']")
    problems = _statistics_problems(A, p, out, keep)
    if problems:
        return Verdict.fail("; ".join(problems), "output['dropout_forward']")
    return Verdict.ok("right fraction dropped, mean preserved, kept units scaled by 1/(1 - p)")


def draw_or_statistics(got, expected, probe):
    """Full credit for the spec's exact draw; partial credit for a different mask with the right statistics."""
    verdict = compare(got, expected, Tolerance(), "output")
    if verdict.passed:
        return Verdict.ok()
    A, p = probe.kwargs["A"], probe.kwargs["p"]
    problem, out, keep = _forward_pair(got, A.shape)
    if problem:
        return verdict
    problems = _statistics_problems(A, p, out, keep)
    if problems:
        return Verdict(0.0, f"{verdict.message}; and " + "; ".join(problems), verdict.where, verdict.details)
    spec_keep = np.asarray(expected["dropout_forward"][1], dtype=bool)
    if np.array_equal(keep, spec_keep):
        return Verdict.partial(PARTIAL, f"the mask and out have the right values, but {verdict.message}")
    differ = int(np.count_nonzero(keep != spec_keep))
    return Verdict.partial(
        PARTIAL,
        f"{WRONG_DRAW} ({differ} of {keep.size} units differ; the fraction dropped, the mean and the 1/(1 - p) "
        "scaling are right)",
        differing_units=differ,
    )


def zeros_where_dropped(got, expected, probe):
    """dropout_backward with the forward's own mask: exactly 0 where dropped, d_out / (1 - p) where kept."""
    d_out, p = probe.kwargs["d_out"], probe.kwargs["p"]
    if not isinstance(got, dict) or not isinstance(got.get("mask"), np.ndarray) or not isinstance(got.get("d_A"), np.ndarray):
        return Verdict.fail("expected the forward's mask and the backward's gradient as arrays")
    mask, d_A = got["mask"], got["d_A"]
    if mask.shape != d_out.shape or mask.dtype.kind not in "biuf" or not np.all((mask == 0) | (mask == 1)):
        return Verdict.fail(f"the forward's mask must be a True/False array of shape {d_out.shape}", "output['mask']")
    if d_A.shape != d_out.shape or d_A.dtype.kind != "f":
        return Verdict.fail(f"dropout_backward must return a float array of shape {d_out.shape}", "output['d_A']")
    keep = mask.astype(bool)
    dropped = 1.0 - float(np.mean(keep))
    if not abs(dropped - p) <= MASK_FRACTION_TOL:  # an all-dropped (or all-kept) mask proves nothing
        return Verdict.fail(f"your forward's mask drops {dropped:.3f} of the units, expected about p = {p:g} "
                            f"(within {MASK_FRACTION_TOL:g})", "output['mask']")
    leaked = ~keep & ~(d_A == 0)
    if np.any(leaked):
        i = tuple(int(k) for k in np.argwhere(leaked)[0])
        return Verdict.fail(
            f"{int(np.count_nonzero(leaked))} dropped units get a nonzero gradient (first at {list(i)}: {d_A[i]:.6g}); "
            "a unit dropped in the forward pass must get exactly 0", "output['d_A']",
        )
    want = d_out / (1.0 - p)
    wrong = keep & ~(np.abs(d_A - want) <= 1e-8 * max(1.0, float(np.max(np.abs(want)))) + 1e-6 * np.abs(want))
    if np.any(wrong):
        i = tuple(int(k) for k in np.argwhere(wrong)[0])
        return Verdict.fail(
            f"{int(np.count_nonzero(wrong))} kept units have the wrong gradient; first at {list(i)}: got {d_A[i]:.10g}, "
            f"expected d_out / (1 - p) = {want[i]:.10g}", "output['d_A']",
        )
    return Verdict.ok("zero where dropped, d_out / (1 - p) where kept")
