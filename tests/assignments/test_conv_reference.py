"""The `conv` reference is right (lecture values, loops, finite differences) and its cases catch every mistake."""
import ast
import copy
import inspect
import types
from pathlib import Path

import jinja2
import numpy as np
import pytest

from grader.cases import case_rng, execute, silenced
from grader.checks import central_difference, compare, relative_error
from grader.spec import Course, import_file

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = Course(ROOT).assignment("conv")
REF = import_file(ASSIGNMENT.solution_path, "conv_reference_under_test")
MISTAKES = sorted(ASSIGNMENT.mistakes_dir.glob("*.py"))
STUDENTS = ("alice", "bob", "carol")
SECRET = "test-secret"
HIDDEN = [c for c in ASSIGNMENT.cases if not c.public]

X = np.array([[9, 9, 3, 3, 4], [9, 3, 3, 4, 5], [9, 3, 3, 5, 5], [9, 3, 3, 4, 5], [9, 9, 3, 3, 4]], dtype=float)
K = np.array([[-1, 0, 1]] * 3, dtype=float)
OUTLINE = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float)


# ------------------------------------------------------------------ independent loop versions

def loop_conv(A, W, b, s, p):
    A, W, b = (np.asarray(v, dtype=float) for v in (A, W, b))
    N, C, H, Wd = A.shape
    F, _, kh, kw = W.shape
    Ap = np.zeros((N, C, H + 2 * p, Wd + 2 * p))
    Ap[:, :, p:p + H, p:p + Wd] = A
    Ho, Wo = (H + 2 * p - kh) // s + 1, (Wd + 2 * p - kw) // s + 1
    Z = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(C):
                        for u in range(kh):
                            for v in range(kw):
                                total += Ap[n, c, i * s + u, j * s + v] * W[f, c, u, v]
                    Z[n, f, i, j] = total
    return Z


def loop_backward(dZ, A, W, s, p):
    N, C, H, Wd = A.shape
    F, _, kh, kw = W.shape
    Ap = np.zeros((N, C, H + 2 * p, Wd + 2 * p))
    Ap[:, :, p:p + H, p:p + Wd] = A
    dAp, dW, db = np.zeros_like(Ap), np.zeros_like(W), np.zeros(F)
    for n, f, i, j in np.ndindex(*dZ.shape):
        g = dZ[n, f, i, j]
        db[f] += g
        dW[f] += g * Ap[n, :, i * s:i * s + kh, j * s:j * s + kw]
        dAp[n, :, i * s:i * s + kh, j * s:j * s + kw] += g * W[f]
    return dAp[:, :, p:p + H, p:p + Wd], dW, db


def loop_pool(A, size, s, mode):
    N, C, H, Wd = A.shape
    Ho, Wo = (H - size) // s + 1, (Wd - size) // s + 1
    out = np.zeros((N, C, Ho, Wo))
    for n, c, i, j in np.ndindex(N, C, Ho, Wo):
        values = [float(A[n, c, i * s + u, j * s + v]) for u in range(size) for v in range(size)]
        out[n, c, i, j] = {"max": max(values), "avg": sum(values) / len(values), "sum": sum(values)}[mode]
    return out


def geometries():
    rng = np.random.default_rng(7)
    for _ in range(6):
        H, Wd = rng.integers(4, 9, 2)
        kh, kw = rng.integers(1, 4, 2)
        yield dict(N=int(rng.integers(1, 4)), C=int(rng.integers(1, 4)), F=int(rng.integers(1, 4)), H=int(H), W=int(Wd),
                   kh=int(kh), kw=int(kw), s=int(rng.integers(1, 4)), p=int(rng.integers(0, 3)))


# ------------------------------------------------------------------ lecture values (TEST-DESIGN.md)

def test_output_size_matches_the_lecture_and_floor_examples():
    assert [REF.conv_output_size(5, 3), REF.conv_output_size(5, 3, 2), REF.conv_output_size(5, 3, 1, 1)] == [3, 2, 5]
    assert REF.conv_output_size(7, 3, stride=3, pad=2) == 3
    assert REF.conv_output_size(6, 3, stride=2) == 2
    assert type(REF.conv_output_size(6, 3, 2)) is int


@pytest.mark.parametrize("args", [(3, 6, 1, 1), (5, 3, 0, 0), (5, 3, -1, 0), (5, 3, 1, -1)])
def test_output_size_rejects_impossible_geometry(args):
    with pytest.raises(ValueError):
        REF.conv_output_size(*args)


def test_conv2d_gives_the_lecture_results_at_stride_1_and_2():
    assert np.array_equal(REF.conv2d(X, K), [[-18, -3, 5], [-18, 4, 6], [-18, -3, 5]])
    assert np.array_equal(REF.conv2d(X, K, stride=2), [[-18, 5], [-18, 5]])
    assert np.array_equal(REF.conv2d(X, K, stride=2, pad=1), [[12, -5, -7], [9, 4, -13], [12, -5, -7]])


def test_padding_example_gives_the_correct_result_not_the_slides_stride2_one():
    out = REF.conv2d([[3, 3, 4], [3, 3, 5], [3, 3, 4]], K, pad=1)
    assert np.array_equal(out, [[6, 3, -6], [9, 4, -9], [6, 3, -6]])
    assert out.dtype == np.float64


def test_outline_kernel_on_the_lecture_input_matches_hand_values():
    # (0,0): 8*3 - (9+9+3+9+3+9+3+3) = -24; (1,1): 8*3 - (9+3+3+3+4+3+3+5) = -9; (1,2) centre 4 -> 8
    assert np.array_equal(REF.conv2d(X, OUTLINE), [[-24, -9, 1], [-18, -4, 8], [-24, -9, 1]])
    assert np.array_equal(REF.conv2d(X, OUTLINE, pad=1), loop_conv(X[None, None], OUTLINE[None, None], [0], 1, 1)[0, 0])


def test_flipped_kernel_gives_the_negation_on_the_lecture_input():
    assert np.array_equal(REF.conv2d(X, K[::-1, ::-1]), -REF.conv2d(X, K))


def test_d2l_two_channel_example():
    Xd, Kd = np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]])
    assert np.array_equal(REF.conv2d(Xd, Kd), [[19, 25], [37, 43]])
    Z = REF.conv_forward(np.stack([Xd, Xd + 1])[None], np.stack([Kd, Kd + 1])[None], np.array([0]))
    assert np.array_equal(Z, [[[[56, 72], [104, 120]]]]) and Z.dtype == np.float64


def test_pooling_on_the_lecture_input():
    A = X[None, None]
    assert np.array_equal(REF.pool_forward(A, 2, 2, "max")[0, 0], [[9, 4], [9, 5]])
    assert np.array_equal(REF.pool_forward(A, 2, 2, "avg")[0, 0], [[7.5, 3.25], [6, 3.75]])
    assert np.array_equal(REF.pool_forward(A, 2, 2, "sum")[0, 0], [[30, 13], [24, 15]])
    with pytest.raises(ValueError):
        REF.pool_forward(A, 2, 2, "median")


def test_softmax_is_stable_at_plus_minus_1000():
    P = REF.softmax(np.array([[1000.0, 999.0, 0.0, -5.0], [-1000.0, -1000.0, -1000.0, -1000.0]]))
    assert np.allclose(P[0], [0.73105858, 0.26894142, 0, 0], atol=1e-8) and np.allclose(P[1], 0.25)
    Z = np.random.default_rng(1).normal(size=(4, 6))
    assert np.allclose(REF.softmax(Z), np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), rtol=1e-12)
    assert np.allclose(REF.softmax(Z + 1000), REF.softmax(Z), rtol=1e-12)


# ------------------------------------------------------------------ vectorised == loops; properties

@pytest.mark.parametrize("g", list(geometries()))
def test_conv_forward_equals_the_loop_version(g):
    rng = np.random.default_rng(g["H"] * 100 + g["W"])
    if g["kh"] > g["H"] + 2 * g["p"] or g["kw"] > g["W"] + 2 * g["p"]:
        pytest.skip("kernel does not fit")
    A = rng.normal(size=(g["N"], g["C"], g["H"], g["W"]))
    W = rng.normal(size=(g["F"], g["C"], g["kh"], g["kw"]))
    b = rng.normal(size=g["F"])
    got = REF.conv_forward(A, W, b, g["s"], g["p"])
    want = loop_conv(A, W, b, g["s"], g["p"])
    assert got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=1e-12)
    dZ = rng.normal(size=want.shape)
    for mine, loop in zip(REF.conv_backward(dZ, A, W, b, g["s"], g["p"]), loop_backward(dZ, A, W, g["s"], g["p"])):
        assert mine.shape == loop.shape and np.allclose(mine, loop, rtol=1e-12, atol=1e-12)


def test_integer_inputs_give_float64_outputs_everywhere():
    rng = np.random.default_rng(3)
    A, W, b = rng.integers(-5, 6, (2, 2, 6, 7)), rng.integers(-3, 4, (3, 2, 3, 2)), np.array([1, -2, 3])
    assert REF.conv_forward(A, W, b, 1, 1).dtype == np.float64
    assert np.array_equal(REF.conv_forward(A, W, b, 1, 1), loop_conv(A, W, b, 1, 1))
    for mode in ("max", "avg", "sum"):
        assert REF.pool_forward(A, 3, 2, mode).dtype == np.float64
    assert REF.conv2d(A[0, 0], W[0, 0]).dtype == np.float64


def test_stride_s_output_is_the_stride_1_output_subsampled():
    rng = np.random.default_rng(4)
    A, W, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    for s in (2, 3, 4):
        for p in (0, 1, 2):
            assert np.allclose(REF.conv_forward(A, W, b, s, p), REF.conv_forward(A, W, b, 1, p)[:, :, ::s, ::s], atol=1e-13)


def test_1x1_kernel_is_a_matrix_product_over_channels():
    rng = np.random.default_rng(5)
    A, W, b = rng.normal(size=(2, 4, 5, 6)), rng.normal(size=(3, 4, 1, 1)), rng.normal(size=3)
    want = np.einsum("fc,nchw->nfhw", W[:, :, 0, 0], A) + b[:, None, None]
    assert np.allclose(REF.conv_forward(A, W, b), want, atol=1e-13)


def test_pool_forward_equals_the_loop_version_on_random_inputs():
    A = np.random.default_rng(6).normal(size=(2, 3, 9, 10))
    for size, s in ((2, 2), (3, 2), (2, 3), (3, 1)):
        for mode in ("max", "avg", "sum"):
            assert np.allclose(REF.pool_forward(A, size, s, mode), loop_pool(A, size, s, mode), rtol=1e-13, atol=1e-13)


def test_zero_pad_and_flatten_follow_their_formulas():
    A = np.random.default_rng(8).normal(size=(2, 3, 4, 5))
    P = REF.zero_pad(A, 2)
    assert P.shape == (2, 3, 8, 9) and np.array_equal(P[:, :, 2:6, 2:7], A)
    assert np.count_nonzero(P) == A.size and REF.zero_pad(A, 0) is not A
    F = REF.flatten(A)
    assert all(F[n, (c * 4 + i) * 5 + j] == A[n, c, i, j] for n, c, i, j in np.ndindex(*A.shape))
    assert REF.zero_pad(np.ones((2, 3), dtype=int), 1).dtype == int
    with pytest.raises(ValueError):
        REF.zero_pad(A, -1)


def test_reference_conv_and_pool_have_no_python_loop_over_pixels():
    for fn in (REF.conv_forward, REF.conv2d, REF.pool_forward, REF._correlate, REF._windows):
        tree = ast.parse(inspect.getsource(fn))
        assert not any(isinstance(node, (ast.For, ast.While, ast.comprehension)) for node in ast.walk(tree)), fn.__name__


# ------------------------------------------------------------------ gradients by central differences

@pytest.mark.parametrize("s,p,H,Wd,kh,kw", [(1, 0, 5, 6, 3, 2), (1, 1, 4, 5, 2, 3), (2, 1, 6, 7, 3, 2), (3, 2, 7, 5, 2, 3)])
def test_conv_backward_agrees_with_central_differences(s, p, H, Wd, kh, kw):
    rng = np.random.default_rng(H * 10 + Wd)
    A, W, b = rng.normal(size=(2, 2, H, Wd)), rng.normal(size=(3, 2, kh, kw)), rng.normal(size=3)
    G = rng.normal(size=REF.conv_forward(A, W, b, s, p).shape)  # loss L = sum(G * Z), so dL/dZ = G
    dA, dW, db = REF.conv_backward(G, A, W, b, s, p)
    assert relative_error(dA, central_difference(lambda a: np.sum(G * REF.conv_forward(a, W, b, s, p)), A.copy())) <= 1e-7
    assert relative_error(dW, central_difference(lambda w: np.sum(G * REF.conv_forward(A, w, b, s, p)), W.copy())) <= 1e-7
    assert relative_error(db, central_difference(lambda c: np.sum(G * REF.conv_forward(A, W, c, s, p)), b.copy())) <= 1e-7


# ------------------------------------------------------------------ running cases like the engine

def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


class _Watched:
    """A module proxy recording which functions modified their arguments (like the engine's check)."""

    def __init__(self, module):
        self._module, self.mutated = module, []

    def __getattr__(self, name):
        fn = getattr(self._module, name)

        def watched(*args, **kwargs):
            before = copy.deepcopy((args, kwargs))
            try:
                return fn(*args, **kwargs)
            finally:
                if not _same(before, (args, kwargs)):
                    self.mutated.append(name)
        return watched


def _probe(case, student):
    rng = case_rng(ASSIGNMENT.slug, case.name, None if case.public else student, SECRET)
    return ASSIGNMENT.generator(case)(rng)


def _score(case, module, student):
    """(fraction, message) a module earns on a case: exceptions, mutation, reference and property checks."""
    expected = execute(_probe(case, student), REF)
    probe = _probe(case, student)
    watched = _Watched(module)
    try:
        with silenced():  # a mistake may overflow on a hidden case, as the grader's own runs allow
            got = execute(probe, watched)
    except Exception as exc:
        return 0.0, f"raised {type(exc).__name__}"
    if watched.mutated:
        return 0.0, f"modified the input of {watched.mutated[0]}"
    fraction, message = 1.0, "ok"
    for check in case.checks:
        try:
            verdict = compare(got, expected, case.tolerance) if check == "reference" else ASSIGNMENT.property_check(check)(got, expected, probe)
        except Exception as exc:
            return 0.0, f"check {check} failed on the output: {exc}"
        if verdict.fraction < fraction:
            fraction, message = verdict.fraction, verdict.message
    return fraction, message


def _stub():
    module = types.ModuleType("conv_stub")
    for name in ASSIGNMENT.functions:
        def raise_(*args, _name=name, **kwargs):
            raise NotImplementedError(_name)
        setattr(module, name, raise_)
    return module


def test_manifest_functions_exist_and_points_are_in_range():
    assert set(ASSIGNMENT.functions) == {"conv_output_size", "zero_pad", "conv2d", "conv_forward", "pool_forward", "flatten", "softmax",
                                         "conv_backward", "pool_backward", "relu", "relu_backward", "softmax_cross_entropy",
                                         "cnn_forward", "cnn_backward", "cnn_train"}
    assert all(callable(getattr(REF, f)) for f in ASSIGNMENT.functions)
    assert 10 <= ASSIGNMENT.max_points <= 45
    assert all(2 <= c.time_seconds <= 15 for c in ASSIGNMENT.cases)
    assert [p.name for p in ASSIGNMENT.parts[-3:]] == ["conv_backward", "pool_backward", "cnn"]  # the CNN needs conv_backward
    extension = sum(c.points for c in ASSIGNMENT.parts[-3].cases)
    assert extension < ASSIGNMENT.max_points / 4


@pytest.mark.parametrize("student", STUDENTS)
def test_reference_earns_full_marks(student):
    # how long this takes is measured by benchmarks/ (never asserted here: machines are shared)
    for case in ASSIGNMENT.cases:
        fraction, message = _score(case, REF, student)
        assert fraction == 1.0, (case.name, message)


def test_stub_earns_zero_on_every_case():
    stub = _stub()
    for case in ASSIGNMENT.cases:
        assert _score(case, stub, "alice")[0] == 0.0, case.name


def test_generators_are_deterministic_and_hidden_inputs_differ_between_students():
    for case in ASSIGNMENT.cases:
        assert _same(_probe(case, "alice").describe(), _probe(case, "alice").describe()), case.name
        if not case.public:
            assert not _same(_probe(case, "alice").describe(), _probe(case, "bob").describe()), case.name


def test_hidden_geometry_is_non_square_and_non_divisible():
    for student in STUDENTS:
        A, W = _probe(ASSIGNMENT.case("conv_forward_random"), student).args[:2]
        kwargs = _probe(ASSIGNMENT.case("conv_forward_random"), student).kwargs
        s, p = kwargs["stride"], kwargs["pad"]
        assert A.shape[0] >= 2 and A.shape[1] > 1 and W.shape[0] > 1 and A.shape[2] != A.shape[3] and W.shape[2] != W.shape[3]
        assert p >= 1 and (A.shape[2] + 2 * p - W.shape[2]) % s and (A.shape[3] + 2 * p - W.shape[3]) % s
        assert len(set(_probe(ASSIGNMENT.case("conv_forward_random"), student).args[2])) == W.shape[0]


@pytest.mark.parametrize("path", MISTAKES, ids=[p.stem for p in MISTAKES])
def test_mistake_loads_and_loses_points_on_a_hidden_case_for_every_student(path):
    mistake = import_file(ASSIGNMENT.solution_path, f"conv_mistake_{path.stem}", extra_source=path.read_text())
    assert isinstance(mistake.MISTAKE, str) and mistake.MISTAKE and isinstance(mistake.HINT, str) and mistake.HINT
    assert len(MISTAKES) >= 8
    for student in STUDENTS:
        lost = [c.name for c in HIDDEN if _score(c, mistake, student)[0] < 1.0]
        assert lost, f"{path.stem} passes every hidden case for {student}"


def test_handout_renders_with_one_marker_per_part_in_order():
    template = jinja2.Template((ASSIGNMENT.folder / "handout.md.j2").read_text())
    text = template.render(title=ASSIGNMENT.title, parts=ASSIGNMENT.parts, max_points=ASSIGNMENT.max_points)
    markers = [line.strip() for line in text.splitlines() if line.strip().startswith("<!-- part:")]
    assert markers == [f"<!-- part: {p.name} -->" for p in ASSIGNMENT.parts]
    assert "[[6, 3, -6], [9, 4, -9], [6, 3, -6]]" in text and "time" in text


# ------------------------------------------------------------------ the lecture's CNN (parts pool_backward and cnn)

CASES = ASSIGNMENT.case_module


def _margins_ok(X, params, h=1e-5):
    """Every ReLU pre-activation and every max-pool winner is more than 100 h away from a kink or a tie."""
    Z, cache = REF.cnn_forward(X, params)
    for Zl in (cache["Z1"], cache["Z2"]):
        if np.min(np.abs(Zl)) <= 100 * h:
            return False
    windows = np.lib.stride_tricks.sliding_window_view(cache["A1"], (2, 2), axis=(2, 3))[:, :, ::2, ::2]
    top2 = np.sort(windows.reshape(windows.shape[:4] + (4,)), axis=-1)[..., -2:]
    positive = top2[..., 1] > 0
    return bool(np.all(top2[..., 1][positive] - top2[..., 0][positive] > 100 * h))


@pytest.mark.parametrize("seed", range(3))
def test_cnn_gradients_agree_with_central_differences(seed):
    rng = np.random.default_rng(seed)
    while True:
        N, C, H, Wd, F1, F2, k2, K, D = CASES._cnn_geometry(rng)
        X, params = rng.normal(size=(N, C, H, Wd)), CASES._cnn_params(rng, C, F1, F2, k2, D, K)
        # no kink within h, and no saturated softmax (its tiny gradients are all rounding)
        if _margins_ok(X, params) and np.ptp(REF.cnn_forward(X, params)[0], axis=1).max() < 8:
            break
    y = rng.integers(0, K, N)
    Z, cache = REF.cnn_forward(X, params)
    grads = REF.cnn_backward(REF.softmax_cross_entropy(Z, y)[1], cache)
    assert sorted(grads) == sorted(params) and all(grads[k].shape == params[k].shape for k in params)

    def loss_with(key):
        return lambda value: REF.softmax_cross_entropy(REF.cnn_forward(X, dict(params, **{key: value}))[0], y)[0]

    for key in params:
        numeric = central_difference(loss_with(key), params[key].copy())
        assert relative_error(grads[key], numeric) <= 1e-5, key  # TEST-DESIGN: <= 1e-5 with ReLU


@pytest.mark.parametrize("mode", ["max", "avg", "sum"])
def test_pool_backward_agrees_with_central_differences_and_a_loop(mode):
    rng = np.random.default_rng(7)
    A = CASES._no_ties(rng, (2, 3, 9, 8))
    G = rng.normal(size=REF.pool_forward(A, 3, 2, mode).shape)
    dA = REF.pool_backward(G, A, 3, 2, mode)
    numeric = central_difference(lambda a: np.sum(G * REF.pool_forward(a, 3, 2, mode)), A.copy())
    assert relative_error(dA, numeric) <= 1e-6  # inputs up to ~100: rounding in the differences
    loop = np.zeros_like(A)
    for n, c, i, j in np.ndindex(*G.shape):
        window = A[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
        if mode == "max":
            u, v = np.unravel_index(np.argmax(window), window.shape)
            loop[n, c, 2 * i + u, 2 * j + v] += G[n, c, i, j]
        else:
            loop[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3] += G[n, c, i, j] / (9 if mode == "avg" else 1)
    assert np.allclose(dA, loop, rtol=1e-12, atol=1e-12)


def test_softmax_cross_entropy_is_finite_at_extreme_scores_and_its_gradient_right():
    Z = np.array([[1000.0, 999.0, 0.0, -5.0], [1000.0, 999.0, 0.0, -5.0]])
    loss, dZ = REF.softmax_cross_entropy(Z, np.array([1, 2]))
    assert loss == pytest.approx((1.3132616875 + 1000.3132616875) / 2, rel=1e-12)
    Z = np.random.default_rng(3).normal(size=(4, 5))
    y = np.array([0, 4, 2, 2])
    numeric = central_difference(lambda z: REF.softmax_cross_entropy(z, y)[0], Z.copy())
    assert relative_error(REF.softmax_cross_entropy(Z, y)[1], numeric) <= 1e-7


def test_the_reference_learns_the_bars_from_every_start_the_case_draws():
    for seed in range(40):
        probe = CASES.cnn_train_bars(np.random.default_rng(seed))
        got = execute(probe, REF)
        verdict = CASES.bars_learned(got, got, probe)
        assert verdict.passed and "100%" in verdict.message, (seed, verdict.message)


def test_a_trivial_training_answer_earns_nothing_on_the_bars():
    case = ASSIGNMENT.case("cnn_train_bars")
    probe = _probe(case, "alice")
    expected = execute(probe, REF)
    # perfect "test scores" made from the labels themselves, with untrained parameters and flat losses
    cheat = {"losses": [0.7] * CASES.CNN_STEPS, "params": probe.kwargs["params"],
             "test scores": np.eye(2)[probe.kwargs["y_test"]] * 10.0}
    assert CASES.bars_learned(cheat, expected, probe).fraction == 0.0  # losses do not fall
    cheat["losses"] = list(np.linspace(0.7, 0.01, CASES.CNN_STEPS))
    assert CASES.bars_learned(cheat, expected, probe).passed  # the property alone would be fooled ...
    assert not compare(cheat, expected, case.tolerance).passed  # ... which is why the case also compares values
    assert case.checks == ("reference", "bars_learned") or list(case.checks) == ["reference", "bars_learned"]


def test_overlapping_max_windows_share_a_winner_for_every_student():
    # pool_backward_overwrites must cost every student the same: four windows take their maximum at (2, 2)
    mistake = import_file(ASSIGNMENT.solution_path, "conv_mistake_overwrites",
                          extra_source=(ASSIGNMENT.mistakes_dir / "pool_backward_overwrites.py").read_text())
    for student in STUDENTS + ("dave", "erin"):
        probe = _probe(ASSIGNMENT.case("pool_backward_max_random"), student)
        dA, A = probe.args[:2]
        assert np.all(A[:, :, 2, 2] > A[:, :, :5, :5].reshape(2, 3, -1).max(axis=2) - 1e-12)
        assert not np.allclose(execute(probe, mistake), execute(probe, REF))
