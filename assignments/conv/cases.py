"""Case generators, drivers and property checks of the `conv` assignment."""
import numpy as np

from grader.cases import call, run
from grader.checks import Tolerance, Verdict, compare

TOL = Tolerance()  # the assignment's default (rtol 1e-6, atol 1e-8 scaled by max|expected|)

# The lecture's 5x5 example, its [-1 0 1] kernel, the padding example and an outline kernel.
LECTURE_X = np.array(
    [[9, 9, 3, 3, 4], [9, 3, 3, 4, 5], [9, 3, 3, 5, 5], [9, 3, 3, 4, 5], [9, 9, 3, 3, 4]], dtype=np.float64
)
LECTURE_W = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float64)
PADDING_X = np.array([[3, 3, 4], [3, 3, 5], [3, 3, 4]], dtype=np.float64)
OUTLINE_W = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)

# Hidden-case size ranges (benchmarks/conv_loop_timing.py times a loop solution at their maxima).
SIZES = (6, 7, 8, 9, 10, 11)
KERNELS = (2, 3, 4)


# ---------------------------------------------------------------- helpers (parent only)

def _sizes(rng, kh, kw, s, p):
    """Random H != W for a fixed geometry; with s > 1, (n + 2p - k) is not divisible by s on either axis."""
    while True:
        H, Wd = (int(v) for v in rng.choice(SIZES, 2, replace=False))
        if s == 1 or ((H + 2 * p - kh) % s and (Wd + 2 * p - kw) % s):
            return H, Wd


def _out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def _with_message(verdict, prefix):
    """The same verdict with an explanatory prefix."""
    return Verdict(verdict.fraction, f"{prefix}: {verdict.message}", verdict.where, verdict.details)


# ---------------------------------------------------------------- drivers (run in the sandbox)

def output_sizes(student, queries):
    results = {}
    for n, k, s, p in queries:
        key = f"conv_output_size({n}, {k}, stride={s}, pad={p})"
        try:
            results[key] = student.conv_output_size(n, k, stride=s, pad=p)
        except ValueError:
            results[key] = "ValueError"  # other exceptions propagate: the case fails and names them
    return results


def all_pool_modes(student, A, size, stride):
    return {mode: student.pool_forward(A, size, stride, mode=mode) for mode in ("max", "avg", "sum")}


def avg_and_sum(student, A):
    return {"avg": student.pool_forward(A, 2, 2, mode="avg"), "sum": student.pool_forward(A, 3, 2, mode="sum")}


def stride_pair(student, A_prev, W, b, stride, pad):
    return {
        "stride1": student.conv_forward(A_prev, W, b, stride=1, pad=pad),
        "strided": student.conv_forward(A_prev, W, b, stride=stride, pad=pad),
    }


# ---------------------------------------------------------------- part output_size

def output_size_lecture(rng):
    queries = [[5, 3, 1, 0], [5, 3, 2, 0], [5, 3, 1, 1], [5, 3, 2, 1], [3, 3, 1, 1], [7, 3, 3, 2], [6, 3, 2, 0]]
    return run(output_sizes, queries=queries)


def output_size_random(rng):
    """Eight queries with fixed strides and pads (pad 0 among them); n and k random, the strided ones
    non-divisible (floor versus ceil and the +1 must show)."""
    queries = []
    for s, p in ((2, 0), (3, 1), (4, 2), (2, 3), (3, 0), (4, 1), (1, 0), (1, 2)):
        while True:
            n = int(rng.integers(4, 40))
            k = int(rng.integers(1, min(n + 2 * p, 12) + 1))
            if s == 1 or (n + 2 * p - k) % s:
                break
        queries.append([n, k, s, p])
    return run(output_sizes, queries=queries)


def output_size_invalid(rng):
    n = int(rng.integers(3, 12))
    p = int(rng.integers(0, 3))
    queries = [
        [n, n + 2 * p + int(rng.integers(1, 4)), 1, p],   # kernel larger than the padded input
        [n, 1, 0, 0],                                      # stride 0
        [n, 1, -int(rng.integers(1, 3)), 0],               # negative stride
        [n, 1, 1, -int(rng.integers(1, 3))],               # negative padding
        [n, n + 2 * p, int(rng.integers(1, 4)), p],        # the kernel exactly fits: valid
        [n, 1, 1, 0],                                      # valid
    ]
    order = rng.permutation(len(queries))
    return run(output_sizes, queries=[queries[i] for i in order])


# ---------------------------------------------------------------- part zero_pad

def zero_pad_small(rng):
    return call("zero_pad", np.arange(1.0, 13.0).reshape(1, 2, 2, 3), 1)


def zero_pad_random(rng):
    H, Wd = (int(v) for v in rng.choice(SIZES, 2, replace=False))
    A = rng.normal(size=(2, 3, H, Wd))
    return call("zero_pad", A, 3)


# ---------------------------------------------------------------- part conv2d

def conv2d_lecture(rng):
    return call("conv2d", LECTURE_X.copy(), LECTURE_W.copy())


def conv2d_lecture_stride2(rng):
    return call("conv2d", LECTURE_X.copy(), LECTURE_W.copy(), stride=2)


def conv2d_lecture_padding(rng):
    return call("conv2d", PADDING_X.copy(), LECTURE_W.copy(), pad=1)


def conv2d_outline(rng):
    return call("conv2d", LECTURE_X.copy(), OUTLINE_W.copy(), stride=1, pad=1)


def conv2d_random(rng):
    """kh = 3, kw = 2, stride 2, pad 1; sizes non-divisible, values random."""
    H, Wd = _sizes(rng, 3, 2, 2, 1)
    return call("conv2d", rng.normal(size=(H, Wd)), rng.normal(size=(3, 2)), stride=2, pad=1)


# ---------------------------------------------------------------- part conv_forward

def conv_forward_lecture(rng):
    return call("conv_forward", LECTURE_X[None, None].copy(), LECTURE_W[None, None].copy(), np.array([2.0]), stride=2, pad=1)


def conv_forward_d2l(rng):
    X = np.arange(9).reshape(3, 3)
    K = np.array([[0, 1], [2, 3]])
    A = np.stack([X, X + 1])[None]                                           # (1, 2, 3, 3) int
    W = np.stack([np.stack([K, K + 1]), np.stack([np.ones((2, 2), int), np.zeros((2, 2), int)])])  # (2, 2, 2, 2)
    return call("conv_forward", A, W, np.array([0, -1]))


def conv_forward_random(rng):
    """N = 2, C = 3, F = 4, kh = 2, kw = 4, stride 3, pad 2; sizes non-divisible, values random."""
    H, Wd = _sizes(rng, 2, 4, 3, 2)
    N, C, F = 2, 3, 4
    return call(
        "conv_forward", rng.normal(size=(N, C, H, Wd)), rng.normal(size=(F, C, 2, 4)),
        rng.normal(size=F), stride=3, pad=2,
    )


def edge_geometries(student, function, probes):
    return [getattr(student, function)(*args, stride=s, pad=p) for args, s, p in probes]


def _edges(rng, backward):
    """One instance and one channel with pad 0 and a stride larger than the kernel (3 > 2), and
    stride 1 with pad 2 on two instances and channels; values random."""
    probes = []
    for N, C, F, kh, kw, s, p in ((1, 1, 2, 2, 2, 3, 0), (2, 2, 3, 3, 2, 1, 2)):
        H, Wd = _sizes(rng, kh, kw, s, p)
        A, W, b = rng.normal(size=(N, C, H, Wd)), rng.normal(size=(F, C, kh, kw)), rng.normal(size=F)
        args = [rng.normal(size=(N, F, _out(H, kh, s, p), _out(Wd, kw, s, p))), A, W, b] if backward else [A, W, b]
        probes.append([args, s, p])
    return run(edge_geometries, function="conv_backward" if backward else "conv_forward", probes=probes)


def conv_forward_edges(rng):
    return _edges(rng, backward=False)


def conv_backward_edges(rng):
    return _edges(rng, backward=True)


def conv_forward_integer(rng):
    H, Wd = (int(v) for v in rng.choice(SIZES, 2, replace=False))
    kh, kw = 3, 2
    N, C, F = 2, 2, 3
    A = rng.integers(-5, 6, size=(N, C, H, Wd))
    W = rng.integers(-3, 4, size=(F, C, kh, kw))
    b = rng.choice(np.arange(-9, 10), size=F, replace=False)
    return call("conv_forward", A, W, b, stride=1, pad=1)


def conv_forward_stride_property(rng):
    """kh = 3, kw = 4, stride 2, pad 0; sizes non-divisible, values random."""
    kh, kw, s, p = 3, 4, 2, 0
    H, Wd = _sizes(rng, kh, kw, s, p)
    N, C, F = 2, 2, 3
    return run(
        stride_pair, A_prev=rng.normal(size=(N, C, H, Wd)), W=rng.normal(size=(F, C, kh, kw)),
        b=rng.normal(size=F), stride=s, pad=p,
    )


def conv_forward_1x1_property(rng):
    N, C, F = 2, 4, 3
    H, Wd = (int(v) for v in rng.choice(SIZES, 2, replace=False))
    return call("conv_forward", rng.normal(size=(N, C, H, Wd)), rng.normal(size=(F, C, 1, 1)), rng.normal(size=F))


def stride_subsample(got, expected, probe):
    """Property: the stride-s output is the stride-1 output sampled at every s-th row and column."""
    if not isinstance(got, dict) or "stride1" not in got or "strided" not in got:
        return Verdict.fail("the driver's output is not usable")
    s = int(probe.kwargs["stride"])
    first = compare(got["stride1"], expected["stride1"], TOL, "conv_forward(..., stride=1)")
    if not first.passed:
        return _with_message(first, "the stride-1 output is wrong, so the stride property cannot hold")
    sampled = got["stride1"][:, :, ::s, ::s]
    verdict = compare(got["strided"], sampled, TOL, f"conv_forward(..., stride={s})")
    if verdict.passed:
        return Verdict.ok(f"the stride-{s} output is the stride-1 output sampled every {s} pixels")
    return _with_message(
        verdict,
        f"the stride-{s} output should equal the stride-1 output at rows and columns 0, {s}, {2 * s}, ... "
        f"(the window moves {s} pixels at a time; the output size is floor((n + 2p - k) / s) + 1)",
    )


def one_by_one_is_matmul(got, expected, probe):
    """Property: a 1x1 convolution is a matrix product over channels at every pixel, plus the bias."""
    A, W, b = (np.asarray(v, dtype=np.float64) for v in probe.args[:3])
    product = np.einsum("fc,nchw->nfhw", W[:, :, 0, 0], A) + b[None, :, None, None]
    verdict = compare(got, product, TOL, "conv_forward with 1x1 kernels")
    if verdict.passed:
        return Verdict.ok("a 1x1 convolution is the matrix product over channels plus the bias")
    return _with_message(verdict, "with 1x1 kernels, Z[n, :, i, j] must be W[:, :, 0, 0] @ A_prev[n, :, i, j] + b")


# ---------------------------------------------------------------- part pooling

def pool_lecture(rng):
    return run(all_pool_modes, A=LECTURE_X[None, None].copy(), size=2, stride=2)


def pool_max_random(rng):
    """3x3 windows, stride 2: an odd H (every row covered) and an even W (the last column left out)."""
    H, Wd = int(rng.choice((7, 9, 11))), int(rng.choice((8, 10)))
    return call("pool_forward", rng.normal(size=(2, 3, H, Wd)), 3, 2, mode="max")


def pool_avg_sum_random(rng):
    H, Wd = (int(v) for v in rng.choice((7, 9, 11), 2, replace=False))  # odd: 2x2 stride 2 leaves a row out
    return run(avg_and_sum, A=rng.integers(-20, 21, size=(2, 3, H, Wd)))


# ---------------------------------------------------------------- part flatten

def flatten_small(rng):
    return call("flatten", np.arange(24).reshape(2, 3, 2, 2))


def flatten_random(rng):
    return call("flatten", rng.normal(size=(3, 2, int(rng.integers(2, 5)), int(rng.integers(5, 7)))))


# ---------------------------------------------------------------- part softmax

def softmax_example(rng):
    return call("softmax", np.array([[1000.0, 999.0, 0.0, -5.0], [1.0, 2.0, 3.0, 4.0], [-1000.0, -1000.0, -1000.0, -1000.0]]))


def softmax_random(rng):
    N, K = 5, 7
    offsets = rng.permutation(np.array([1000.0, -1000.0, 0.0, 700.0, -300.0]))
    Z = offsets[:, None] + rng.normal(scale=3.0, size=(N, K))
    Z[int(np.argmax(offsets == 0.0))] = rng.uniform(-1000.0, 1000.0, size=K)
    return call("softmax", Z)


# ---------------------------------------------------------------- part conv_backward (extension)

def _backward_probe(rng, N, C, F, H, Wd, kh, kw, s, p, integers=False):
    if integers:
        A = rng.integers(-3, 4, size=(N, C, H, Wd)).astype(np.float64)
        W = rng.integers(-2, 3, size=(F, C, kh, kw)).astype(np.float64)
        dZ = rng.integers(-2, 3, size=(N, F, _out(H, kh, s, p), _out(Wd, kw, s, p))).astype(np.float64)
        b = np.arange(F) - 0.5
    else:
        A = rng.normal(size=(N, C, H, Wd))
        W = rng.normal(size=(F, C, kh, kw))
        dZ = rng.normal(size=(N, F, _out(H, kh, s, p), _out(Wd, kw, s, p)))
        b = rng.normal(size=F)
    return call("conv_backward", dZ, A, W, b, stride=s, pad=p)


def conv_backward_small(rng):
    return _backward_probe(rng, 2, 2, 2, 4, 5, 2, 3, 1, 1, integers=True)


def conv_backward_random(rng):
    """N = 3, C = 3, F = 2, kh = 3, kw = 2, stride 1, pad 1; values random."""
    H, Wd = _sizes(rng, 3, 2, 1, 1)
    return _backward_probe(rng, 3, 3, 2, H, Wd, 3, 2, 1, 1)


def conv_backward_strided(rng):
    """kh = 2, kw = 3, stride 2, pad 1; sizes non-divisible, values random."""
    H, Wd = _sizes(rng, 2, 3, 2, 1)
    return _backward_probe(rng, 2, 2, 3, H, Wd, 2, 3, 2, 1)


# ---------------------------------------------------------------- parts pool_backward and cnn (the lecture's CNN)

CNN_LR, CNN_STEPS, BARS_ACCURACY = 0.15, 50, 0.9


def _no_ties(rng, shape):
    """Distinct values in random order (no two positions of a pooling window tie)."""
    return rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) / 4.0 - 3.0 + rng.uniform(-0.1, 0.1, shape)


def _cnn_params(rng, C, F1, F2, k2, D, K):
    return {
        "W1": rng.normal(size=(F1, C, 3, 3)), "b1": rng.normal(scale=0.5, size=F1),
        "W2": rng.normal(scale=0.5, size=(F2, F1, k2, k2)), "b2": rng.normal(scale=0.5, size=F2),
        "W3": rng.normal(scale=0.5, size=(D, K)), "b3": rng.normal(scale=0.5, size=K),
    }


def _cnn_geometry(rng):
    """(N, C, H, W, F1, F2, k2, K, D), the same for every student: H = 7 odd (the pool floors), W = 8,
    H != W, three filters then two, three classes."""
    N, C, H, Wd, F1, F2, k2, K = 3, 2, 7, 8, 3, 2, 2, 3
    D = F2 * (H // 2 - k2 + 1) * (Wd // 2 - k2 + 1)
    return N, C, H, Wd, F1, F2, k2, K, D


def _bars(rng, size=6, noise=0.2):
    """The toy task: every horizontal (label 0) and vertical (label 1) bar of a size x size image, plus noise."""
    X = rng.uniform(-noise, noise, (2 * size, 1, size, size))
    for r in range(size):
        X[r, 0, r, :] += 1.0
        X[size + r, 0, :, r] += 1.0
    order = rng.permutation(2 * size)
    return X[order], np.repeat([0, 1], size)[order]


def _bars_params(rng, size=6):
    """A start from which the reference always learns the bars: two rough line detectors, positive conv-2 weights."""
    line = np.array([[-0.5, -0.5, -0.5], [1.0, 1.0, 1.0], [-0.5, -0.5, -0.5]])
    D = 3 * (size // 2 - 1) ** 2
    return {
        "W1": np.stack([line, line.T])[:, None] * 0.5 + rng.normal(0.0, 0.1, (2, 1, 3, 3)), "b1": rng.uniform(0.05, 0.15, 2),
        "W2": rng.uniform(0.0, 0.42, (3, 2, 2, 2)), "b2": rng.uniform(0.05, 0.15, 3),
        "W3": rng.normal(0.0, 0.7 / np.sqrt(D), (D, 2)), "b3": np.zeros(2),
    }


def pool_backward_modes(student, dA, A_prev, size, stride):
    return {mode: student.pool_backward(dA, A_prev, size, stride, mode=mode) for mode in ("max", "avg", "sum")}


def relu_pair(student, Z, dA):
    return {"relu(Z)": student.relu(Z), "relu_backward(dA, Z)": student.relu_backward(dA, Z)}


def cnn_scores(student, X, params):
    Z, _ = student.cnn_forward(X, params)
    return {"scores Z": Z, "softmax(Z)": student.softmax(Z)}


def cnn_gradients(student, X, y, params):
    Z, cache = student.cnn_forward(X, params)
    loss, dZ = student.softmax_cross_entropy(Z, y)
    return {"loss": loss, "grads": student.cnn_backward(dZ, cache)}


def cnn_train_and_test(student, X, y, params, lr, steps, X_test, y_test):
    # y_test stays in the grading process's hands: bars_learned scores the test predictions with it
    trained, losses = student.cnn_train(X, y, params, lr, steps)
    Z, _ = student.cnn_forward(X_test, trained)
    return {"losses": losses, "params": trained, "test scores": Z}


def pool_backward_example(rng):
    A = np.array([[3.0, 1.0, 7.0, 2.0, 0.5], [4.0, 2.0, 5.0, 8.0, 1.5], [6.0, 9.0, 0.0, 1.0, 2.5],
                  [2.0, 5.0, 3.0, 4.0, 3.5], [1.0, 0.0, 2.0, 6.0, 4.5]])[None, None]
    return run(pool_backward_modes, dA=np.array([[[[1.0, -2.0], [3.0, 0.5]]]]), A_prev=A, size=2, stride=2)


def pool_backward_max_random(rng):
    H, Wd = 8, 11  # 3x3 windows at stride 2 overlap; (8 - 3) / 2 is not whole: the last row gets no gradient
    A = _no_ties(rng, (2, 3, H, Wd))
    A[:, :, 2, 2] = A.max() + 1.0 + rng.permutation(6).reshape(2, 3)  # the maximum of four overlapping windows
    return call("pool_backward", rng.normal(size=(2, 3, _out(H, 3, 2, 0), _out(Wd, 3, 2, 0))), A, 3, 2, mode="max")


def pool_backward_avg_sum_random(rng):
    H, Wd = 9, 7
    A = rng.normal(size=(2, 2, H, Wd))
    return run(pool_backward_modes, dA=rng.normal(size=(2, 2, _out(H, 3, 2, 0), _out(Wd, 3, 2, 0))), A_prev=A, size=3, stride=2)


def relu_example(rng):
    Z = np.array([[-1.5, 0.25, 2.0], [3.0, -0.5, -2.0]])
    return run(relu_pair, Z=Z, dA=np.array([[0.5, -1.0, 2.0], [-3.0, 4.0, -0.25]]))


def relu_random(rng):
    # a 4-D batch as the CNN passes it; values away from 0 (the derivative at 0 is a convention, not graded)
    Z = rng.normal(size=(2, 3, 4, 5))
    Z[np.abs(Z) < 0.05] += 0.1
    return run(relu_pair, Z=Z, dA=rng.normal(size=(2, 3, 4, 5)))


def softmax_ce_example(rng):
    Z = np.array([[1000.0, 999.0, 0.0, -5.0], [1.0, 2.0, 3.0, 4.0], [0.5, -0.5, 0.25, 0.0]])
    return call("softmax_cross_entropy", Z, np.array([1, 2, 0]))


def softmax_ce_random(rng):
    N, K = 6, 5
    Z = rng.normal(scale=3.0, size=(N, K))
    Z[0] += 1000.0
    Z[1] -= 1000.0
    Z[2, 0] = 900.0  # the true class of one row far below the row's best: log P must not be log(0)
    Z[2, 1:] = -100.0 + rng.normal(size=K - 1)
    y = rng.integers(0, K, N)
    y[2] = int(rng.integers(1, K))
    return call("softmax_cross_entropy", Z, y)


def cnn_forward_example(rng):
    X, _ = _bars(rng)
    return run(cnn_scores, X=X[:3], params=_cnn_params(rng, 1, 2, 3, 2, 12, 2))


def cnn_forward_random(rng):
    N, C, H, Wd, F1, F2, k2, K, D = _cnn_geometry(rng)
    return run(cnn_scores, X=rng.normal(size=(N, C, H, Wd)), params=_cnn_params(rng, C, F1, F2, k2, D, K))


def cnn_backward_example(rng):
    X, y = _bars(rng)
    return run(cnn_gradients, X=X[:4], y=y[:4], params=_cnn_params(rng, 1, 2, 3, 2, 12, 2))


def cnn_backward_random(rng):
    N, C, H, Wd, F1, F2, k2, K, D = _cnn_geometry(rng)
    y = rng.permutation(np.arange(N) % K)
    return run(cnn_gradients, X=rng.normal(size=(N, C, H, Wd)), y=y, params=_cnn_params(rng, C, F1, F2, k2, D, K))


def cnn_train_bars(rng):
    X, y = _bars(rng)
    X_test, y_test = _bars(rng)  # the same bars with fresh noise, in another order
    return run(cnn_train_and_test, X=X, y=y, params=_bars_params(rng), lr=CNN_LR, steps=CNN_STEPS,
               X_test=X_test, y_test=y_test)


def bars_learned(got, expected, probe):
    """The trained CNN tells horizontal from vertical bars on fresh noisy images (paired with the value check)."""
    losses = np.asarray(got["losses"], dtype=np.float64)
    if losses.shape != (probe.kwargs["steps"],) or not np.all(np.isfinite(losses)):
        return Verdict.fail(f"cnn_train must return {probe.kwargs['steps']} finite losses, one per step")
    scores = np.asarray(got["test scores"], dtype=np.float64)
    truth = np.asarray(probe.kwargs["y_test"])
    if scores.shape != truth.shape + (2,) or not np.all(np.isfinite(scores)):
        return Verdict.fail(f"the trained CNN's scores have shape {scores.shape}, expected {truth.shape + (2,)}")
    accuracy = float(np.mean(scores.argmax(axis=1) == truth))
    if not accuracy >= BARS_ACCURACY or not losses[-1] < losses[0]:
        return Verdict.fail(f"after {len(losses)} steps the loss went {losses[0]:.3g} -> {losses[-1]:.3g} and the CNN "
                            f"classifies {accuracy:.0%} of fresh bar images correctly (needs {BARS_ACCURACY:.0%})")
    return Verdict.ok(f"bars learned: loss {losses[0]:.3g} -> {losses[-1]:.3g}, test accuracy {accuracy:.0%}")
