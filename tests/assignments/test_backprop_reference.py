"""The `backprop` reference is right (worked example, loops, finite differences) and its cases catch every mistake."""
import functools
import re
import warnings
from pathlib import Path

import jinja2
import numpy as np
import pytest

from grader.cases import Probe, case_rng, execute
from grader.checks import Tolerance, Verdict, central_difference, compare, relative_error
from grader.diagnosis import diagnose, load_catalogue
from grader.sandbox.channel import decode, encode
from grader.sandbox.child import StudentProxy
from grader.spec import Course, import_file
from grader.stubs import make_stub

ASSIGNMENT = Course(Path(__file__).resolve().parents[2]).assignment("backprop")
REF = import_file(ASSIGNMENT.solution_path, "backprop_reference_under_test")
CASES = ASSIGNMENT.case_module
MISTAKES = load_catalogue(ASSIGNMENT.mistakes_dir)
STUDENTS = ("alice", "bob", "carol")
SECRET = "test-secret"
NAMES = ("sigmoid", "tanh", "relu", "linear")


def plain(value):
    return decode(encode(value))


def probe_for(spec, student):
    return ASSIGNMENT.generator(spec)(case_rng("backprop", spec.name, None if spec.public else student, SECRET))


def fresh(probe):
    """The probe with its own copies of the inputs (as the engine sends each run)."""
    return Probe(probe.call, plain(probe.args), plain(probe.kwargs), probe.driver_name, probe.driver_source)


def grade_case(module, spec, probe):
    """(fraction, message, got, expected, mutations) of one case as the engine scores it."""
    expected = plain(execute(fresh(probe), REF))
    mutations = []
    try:
        got = plain(execute(fresh(probe), StudentProxy(module, mutations)))
    except Exception as exc:
        return 0.0, f"raised {type(exc).__name__}: {exc}", None, expected, mutations
    if mutations:
        return 0.0, f"mutated {mutations[0]}", got, expected, mutations
    verdicts = []
    for check in spec.checks:
        try:
            verdicts.append(compare(got, expected, spec.tolerance) if check == "reference"
                            else ASSIGNMENT.property_check(check)(got, expected, fresh(probe)))
        except Exception as exc:
            verdicts.append(Verdict.fail(f"output not usable: {exc}"))
    worst = min(verdicts, key=lambda v: v.fraction)
    return worst.fraction, worst.message, got, expected, mutations


# -- the lecture's worked example (numbers from TEST-DESIGN.md) ------------------------------------
def worked():
    """Inputs, targets and weights of the published example, in our layout (W[i, j]: unit i -> unit j)."""
    params = {"W1": np.array([[0.15, 0.25], [0.20, 0.30]]), "b1": np.full((2, 1), 0.35),
              "W2": np.array([[0.40, 0.50], [0.45, 0.55]]), "b2": np.full((2, 1), 0.60)}
    return np.array([[0.05], [0.10]]), np.array([[0.01], [0.99]]), params


def test_the_worked_example_case_holds_the_published_inputs():
    X, Y, params = worked()
    probe = CASES.worked_example_step(None)
    published = {"X": X, "Y": Y, "params": params, "activations": ["sigmoid"] * 2, "lr": 0.5}
    assert compare(plain(probe.kwargs), plain(published), Tolerance(exact=True)).passed


def test_worked_example_forward_and_error_match_the_published_numbers():
    X, Y, params = worked()
    Y_hat, _ = REF.mlp_forward(X, params, ["sigmoid", "sigmoid"])
    out_h = REF.activation_forward(REF.dense_forward(X, params["W1"], params["b1"]), "sigmoid")
    np.testing.assert_allclose(out_h.ravel(), [0.593269992, 0.596884378], rtol=1e-8)
    np.testing.assert_allclose(Y_hat.ravel(), [0.75136507, 0.772928465], rtol=1e-8)
    assert REF.mse_loss(Y_hat, Y)[0] == pytest.approx(0.298371109, rel=1e-8)


def test_worked_example_step_matches_the_published_gradients_and_weights():
    X, Y, params = worked()
    probe = CASES.worked_example_step(None)
    out = execute(probe, REF)
    assert out["dE/dW2"][0, 0] == pytest.approx(0.0821670406, rel=1e-8)  # w5: hidden 1 -> output 1
    assert out["dE/dW1"][0, 0] == pytest.approx(0.000438568, rel=1e-5)  # w1: input 1 -> hidden 1
    w5_to_w8 = out["W2 after the step"].T.ravel()  # w5, w6 feed output 1; w7, w8 output 2
    w1_to_w4 = out["W1 after the step"].T.ravel()
    np.testing.assert_allclose(w5_to_w8, [0.35891648, 0.40866619, 0.51130127, 0.56137012], rtol=1e-8)
    np.testing.assert_allclose(w1_to_w4, [0.14978072, 0.19956143, 0.24975114, 0.29950229], rtol=1e-7)
    new = dict(params, W1=out["W1 after the step"], W2=out["W2 after the step"])  # biases kept, as published
    after = REF.mse_loss(REF.mlp_forward(X, new, ["sigmoid", "sigmoid"])[0], Y)[0]
    assert after == pytest.approx(0.2910277737, rel=1e-9)


# -- activations -----------------------------------------------------------------------------------
def test_activations_match_their_definitions():
    F = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(REF.activation_forward(F, "sigmoid"), [[1 / (1 + np.e ** 2), 0.5, 1 / (1 + np.e ** -3)]])
    np.testing.assert_allclose(REF.activation_forward(F, "tanh"), [[np.tanh(-2.0), 0.0, np.tanh(3.0)]])
    np.testing.assert_array_equal(REF.activation_forward(F, "relu"), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(REF.activation_forward(F, "linear"), F)
    relu_grad = REF.activation_backward(np.ones_like(F), F, "relu")
    np.testing.assert_array_equal(relu_grad, [[0.0, 0.0, 1.0]])  # relu'(0) = 0


@pytest.mark.parametrize("name", NAMES)
def test_activation_backward_agrees_with_central_differences(name):
    rng = np.random.default_rng(1)
    F = rng.standard_normal((3, 4))
    F[np.abs(F) < 0.1] = 0.5  # away from relu's kink
    G = rng.standard_normal((3, 4))
    numeric = central_difference(lambda z: float(np.sum(G * REF.activation_forward(z, name))), F.copy())
    assert relative_error(REF.activation_backward(G, F, name), numeric) < 1e-7


def test_sigmoid_gives_0_and_1_at_extremes_without_any_floating_point_warning():
    F = np.array([[-1000.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        A = REF.activation_forward(F, "sigmoid")
        dF = REF.activation_backward(np.ones_like(F), F, "sigmoid")
    np.testing.assert_array_equal(A, [[0.0, 1.0]])
    np.testing.assert_array_equal(dF, [[0.0, 0.0]])


def test_unknown_activation_name_raises_value_error():
    for fn, args in ((REF.activation_forward, (np.ones((1, 1)), "softplus")),
                     (REF.activation_backward, (np.ones((1, 1)), np.ones((1, 1)), "Sigmoid"))):
        with pytest.raises(ValueError):
            fn(*args)


# -- dense layer and loss ---------------------------------------------------------------------------
def test_dense_layer_matches_naive_loops():
    rng = np.random.default_rng(2)
    n_prev, n, m = 4, 3, 5
    A, W, b, dF = (rng.standard_normal(s) for s in ((n_prev, m), (n_prev, n), (n, 1), (n, m)))
    F = np.zeros((n, m))
    dA, dW, db = np.zeros((n_prev, m)), np.zeros((n_prev, n)), np.zeros((n, 1))
    for i in range(n_prev):
        for j in range(n):
            for k in range(m):
                F[j, k] += W[i, j] * A[i, k]
                dA[i, k] += W[i, j] * dF[j, k]
                dW[i, j] += A[i, k] * dF[j, k]
    for j in range(n):
        F[j] += b[j, 0]
        db[j, 0] = sum(dF[j, k] for k in range(m))
    np.testing.assert_allclose(REF.dense_forward(A, W, b), F, rtol=1e-12)
    for got, want in zip(REF.dense_backward(dF, A, W), (dA, dW, db)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_dense_backward_agrees_with_central_differences():
    rng = np.random.default_rng(3)
    A, W, b, G = (rng.standard_normal(s) for s in ((4, 5), (4, 3), (3, 1), (3, 5)))
    dA, dW, db = REF.dense_backward(G, A, W)
    loss = lambda A_, W_, b_: float(np.sum(G * REF.dense_forward(A_, W_, b_)))  # noqa: E731
    assert relative_error(dA, central_difference(lambda z: loss(z, W, b), A.copy())) < 1e-7
    assert relative_error(dW, central_difference(lambda z: loss(A, z, b), W.copy())) < 1e-7
    assert relative_error(db, central_difference(lambda z: loss(A, W, z), b.copy())) < 1e-7


def test_mse_loss_is_the_mean_half_squared_error_with_its_gradient():
    Y_hat = np.array([[0.5, 1.0, 0.0], [2.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    loss, dY = REF.mse_loss(Y_hat, Y)
    assert isinstance(loss, float) and loss == pytest.approx(4.25 / 6)
    np.testing.assert_allclose(dY, (Y_hat - Y) / 3)
    numeric = central_difference(lambda z: REF.mse_loss(z, Y)[0], Y_hat.copy())
    assert relative_error(dY, numeric) < 1e-7


# -- initialisation, the network, gradient checking -------------------------------------------------
def test_init_params_draws_the_specified_arrays_in_order():
    rng = np.random.default_rng(42)
    first, second = rng.standard_normal((3, 5)), rng.standard_normal((5, 2))
    params = REF.init_params([3, 5, 2], 42)
    assert list(params) == ["W1", "b1", "W2", "b2"]
    np.testing.assert_allclose(params["W1"], first / np.sqrt(3))
    np.testing.assert_allclose(params["W2"], second / np.sqrt(5))
    np.testing.assert_array_equal(params["b1"], np.zeros((5, 1)))
    np.testing.assert_array_equal(params["b2"], np.zeros((2, 1)))


def random_net(seed, sizes=(3, 5, 4, 2), activations=("relu", "tanh", "sigmoid"), m=6):
    rng = np.random.default_rng(seed)
    return CASES._relu_safe_net(rng, list(sizes), m, list(activations)) + (rng.standard_normal((sizes[-1], m)),)


@pytest.mark.parametrize("activations", [["relu", "linear", "tanh", "sigmoid"], ["sigmoid", "tanh", "relu", "relu"]])
def test_mlp_backward_agrees_with_central_differences(activations):
    X, params, G = random_net(4, (3, 5, 4, 6, 2), activations, m=7)
    grads = REF.mlp_backward(G, REF.mlp_forward(X, params, activations)[1])
    assert list(grads) == list(params)
    for key in params:
        def loss(z, key=key):
            return float(np.sum(G * REF.mlp_forward(X, dict(params, **{key: z}), activations)[0]))
        assert relative_error(grads[key], central_difference(loss, params[key].copy())) < 1e-6, key


def test_batch_gradients_are_the_sum_of_per_instance_gradients():
    activations = ["tanh", "relu", "sigmoid"]
    X, params, G = random_net(5, (3, 5, 4, 2), activations, m=6)
    batch = REF.mlp_backward(G, REF.mlp_forward(X, params, activations)[1])
    for key in params:
        total = sum(REF.mlp_backward(G[:, [k]], REF.mlp_forward(X[:, [k]], params, activations)[1])[key]
                    for k in range(6))
        np.testing.assert_allclose(batch[key], total, rtol=1e-10, atol=1e-14)


def test_numerical_gradient_matches_an_analytic_gradient_and_never_touches_x():
    rng = np.random.default_rng(7)
    x, c = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    seen = []

    def f(z):
        seen.append(z is x)
        return float(np.sum(c * np.sin(3 * z)))

    before = x.copy()
    grad = REF.numerical_gradient(f, x)
    assert not any(seen) and np.array_equal(x, before)
    assert relative_error(grad, 3 * c * np.cos(3 * x)) < 1e-8


# -- training ---------------------------------------------------------------------------------------
def test_gradient_descent_step_returns_new_arrays_and_keeps_its_inputs():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5], [1.0]])}
    grads = {"W1": np.array([[4.0, -2.0]]), "b1": np.array([[1.0], [0.0]])}
    new = REF.gradient_descent_step(params, grads, 0.25)
    np.testing.assert_array_equal(new["W1"], [[0.0, 2.5]])
    np.testing.assert_array_equal(new["b1"], [[0.25], [1.0]])
    np.testing.assert_array_equal(params["W1"], [[1.0, 2.0]])
    assert new["W1"] is not params["W1"]


def test_train_equals_a_hand_written_loop_and_records_the_loss_before_each_step():
    X = np.array([[0.0, 1.0, 2.0, -1.0, 0.5], [1.0, -1.0, 0.5, 2.0, 0.0]])
    Y = np.array([[0.2, 0.9, 0.4, 0.1, 0.7]])
    params, losses = REF.train(X, Y, [2, 3, 1], ["tanh", "sigmoid"], 0.5, 4, 7)
    p = REF.init_params([2, 3, 1], 7)
    for t in range(4):
        H = np.tanh(p["W1"].T @ X + p["b1"])
        O = 1 / (1 + np.exp(-(p["W2"].T @ H + p["b2"])))
        assert losses[t] == pytest.approx(np.mean(np.sum((O - Y) ** 2, axis=0)) / 2, rel=1e-12)
        dF2 = (O - Y) / 5 * O * (1 - O)
        dF1 = (p["W2"] @ dF2) * (1 - H ** 2)
        p = {"W1": p["W1"] - 0.5 * X @ dF1.T, "b1": p["b1"] - 0.5 * dF1.sum(1, keepdims=True),
             "W2": p["W2"] - 0.5 * H @ dF2.T, "b2": p["b2"] - 0.5 * dF2.sum(1, keepdims=True)}
    for key in p:
        np.testing.assert_allclose(params[key], p[key], rtol=1e-12)


def test_training_a_tanh_network_on_xor_drives_the_loss_under_0_01():
    probe = CASES.train_xor(None)
    out = execute(probe, REF)
    assert out["losses"][-1] < CASES.XOR_LOSS_BOUND < out["losses"][0]
    assert f"{out['losses'][0]:.3f}" == "0.129" and f"{out['losses'][-1]:.4f}" == "0.0012"  # as in the handout
    assert CASES.xor_learned(plain(out), None, probe).passed
    assert not CASES.xor_learned({"losses": np.full(500, 0.2), "Y_hat": out["Y_hat"]}, None, probe).passed
    assert not CASES.xor_learned("garbage", None, probe).passed


def test_a_deep_sigmoid_net_has_a_vanishing_first_layer_gradient_as_the_handout_shows():
    rng = np.random.default_rng(0)  # the handout's snippet and numbers
    X, Y = rng.standard_normal((4, 16)), rng.uniform(0, 1, (1, 16))
    norms = {}
    for name in ("sigmoid", "tanh"):
        Y_hat, cache = REF.mlp_forward(X, REF.init_params([4, 8, 8, 8, 8, 8, 1], 1), [name] * 6)
        grads = REF.mlp_backward(REF.mse_loss(Y_hat, Y)[1], cache)
        norms[name] = [float(np.linalg.norm(grads[f"W{l}"])) for l in range(1, 7)]
    assert norms["sigmoid"] == sorted(norms["sigmoid"]) and norms["sigmoid"][0] < 1e-3 * norms["sigmoid"][-1]
    assert f"{norms['sigmoid'][0]:.1e}" == "1.1e-05" and f"{norms['sigmoid'][-1]:.1e}" == "2.6e-02"
    assert min(norms["tanh"]) > 0.1 * max(norms["tanh"])


# -- the cases themselves ---------------------------------------------------------------------------
def test_every_generator_is_deterministic_and_hidden_inputs_differ_between_students():
    exact = Tolerance(exact=True)
    for spec in ASSIGNMENT.cases:
        a, again = probe_for(spec, "alice"), probe_for(spec, "alice")
        assert (a.call, a.driver_source) == (again.call, again.driver_source), spec.name
        assert compare(plain([a.args, a.kwargs]), plain([again.args, again.kwargs]), exact).passed, spec.name
        if not spec.public:
            b = probe_for(spec, "bob")
            assert not compare(plain([a.args, a.kwargs]), plain([b.args, b.kwargs]), exact).passed, spec.name


def test_hidden_nets_are_non_square_use_every_activation_and_keep_relu_off_its_kink():
    for student in STUDENTS:
        probe = probe_for(ASSIGNMENT.case("mlp_backward_random"), student)
        X, params, activations = probe.kwargs["X"], probe.kwargs["params"], probe.kwargs["activations"]
        assert sorted(activations) == sorted(NAMES) and activations[-1] != "linear"
        assert X.shape[1] >= 2
        _, cache = REF.mlp_forward(X, params, activations)
        for A_prev, W, F, name in cache:
            assert W.shape[0] != W.shape[1] and W.shape[0] != X.shape[1]
            assert name != "relu" or np.min(np.abs(F)) > 1e-3


def test_reference_and_an_alternative_correct_solution_earn_full_marks_without_mutating_anything():
    alternative = '''
def activation_forward(F, name):
    _check_name(name)
    return {"sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)),
            "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
            "relu": lambda z: np.where(z > 0, z, 0.0), "linear": lambda z: z + 0.0}[name](F)

def dense_backward(dF, A_prev, W):
    return np.einsum("ij,jk->ik", W, dF), np.einsum("ik,jk->ij", A_prev, dF), dF.sum(axis=1)[:, None]

def numerical_gradient(f, x, h=1e-5):
    g = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h; up = f(x)
        x[i] = saved - h; down = f(x)
        x[i] = saved
        g[i] = (up - down) / (2 * h)
    return g
'''
    other = import_file(ASSIGNMENT.solution_path, "backprop_alternative", extra_source=alternative)
    for module in (REF, other):
        for student in STUDENTS:
            for spec in ASSIGNMENT.cases:
                fraction, message, *_ = grade_case(module, spec, probe_for(spec, student))
                assert fraction == 1.0, (module.__name__, spec.name, message)


def test_the_generated_stub_earns_nothing():
    stub = make_stub(ASSIGNMENT.solution_path.read_text(), "backprop")
    module = import_file(ASSIGNMENT.solution_path, "backprop_stub")
    module.__dict__.clear()
    exec(compile(stub, "backprop_stub.py", "exec"), module.__dict__)
    for spec in ASSIGNMENT.cases:
        assert grade_case(module, spec, probe_for(spec, "alice"))[0] == 0.0, spec.name


def test_the_handout_renders_with_one_section_per_part_in_manifest_order():
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        (ASSIGNMENT.folder / "handout.md.j2").read_text())
    text = template.render(title=ASSIGNMENT.title, parts=ASSIGNMENT.parts, max_points=ASSIGNMENT.max_points)
    assert re.findall(r"<!-- part: (\w+) -->", text) == [p.name for p in ASSIGNMENT.parts]
    assert "0.08216704" in text and f"Total: {ASSIGNMENT.max_points:g} points" in text


# -- the mistake catalogue --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def load_mistake(name):
    source = (ASSIGNMENT.mistakes_dir / f"{name}.py").read_text()
    return import_file(ASSIGNMENT.solution_path, f"backprop_mistake_{name}", extra_source=source)


@functools.lru_cache(maxsize=None)
def mistake_outputs(case_name, student):
    """Every mistake's output on one case, as the engine computes them to name a mistake."""
    probe = probe_for(ASSIGNMENT.case(case_name), student)
    outputs = {}
    for mistake in MISTAKES:
        try:
            outputs[mistake.id] = plain(execute(fresh(probe), load_mistake(mistake.id)))
        except Exception:
            continue
    return outputs


def test_the_catalogue_covers_the_known_backprop_mistakes():
    assert len(MISTAKES) >= 8
    for mistake in MISTAKES:
        assert mistake.name.strip() and mistake.hint.strip()
        assert "def " not in mistake.hint and "np." not in mistake.hint
    names = {m.id for m in MISTAKES}
    assert {"sigmoid_grad_from_f", "output_derivative_forgotten", "loss_without_half", "gradient_ascent",
            "loss_summed", "bias_grad_averaged", "dw_transposed", "relu_grad_at_zero", "sigmoid_overflow",
            "activation_inplace", "backward_consumes_cache"} <= names


@pytest.mark.parametrize("mistake", [m.id for m in MISTAKES])
def test_every_mistake_loses_points_on_a_hidden_case_for_every_student_and_is_named(mistake):
    module, catalogue = load_mistake(mistake), {m.id: m for m in MISTAKES}
    caught, named = {}, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wrong code overflows; the cases, not warnings, must catch it
        for student in STUDENTS:
            for spec in ASSIGNMENT.cases:
                if spec.public and student != STUDENTS[0]:
                    continue
                fraction, _, got, expected, mutations = grade_case(module, spec, probe_for(spec, student))
                if fraction < 1.0 and not spec.public:
                    caught.setdefault(student, []).append(spec.name)
                if student != STUDENTS[0] or fraction == 1.0 or "reference" not in spec.checks:
                    continue
                if mutations:  # the engine names a mistake by the argument it modifies
                    named.append(spec.name)
                elif got is not None and not compare(got, expected, spec.tolerance).passed:
                    found = diagnose(got, expected, spec.tolerance, mistake_outputs(spec.name, student), catalogue)
                    found = found if isinstance(found, (list, tuple)) else [found]  # one or several candidates
                    if any(d is not None and d.id == mistake for d in found):
                        named.append(spec.name)
    for student in STUDENTS:
        assert caught.get(student), f"{mistake} earns full marks on every hidden case for {student}"
    assert named, f"no case names {mistake}"


# ------------------------------------------------------------------ part depth (training issues)

def test_fifteen_sigmoid_layers_with_factor_one_half_give_exactly_0_5_to_the_15():
    G = REF.depth_gradients(np.array([[0.5]]), np.full(15, 2.0), np.full(15, -1.0), "sigmoid")
    assert G.shape == (15, 1)
    assert G[:, 0].tolist() == [0.5 ** l for l in range(1, 16)]  # exact: every factor is 0.25 * 2
    assert G[-1, 0] == 3.0517578125e-05 and abs(G[-1, 0] - 0.0003) > 2.5e-4  # the slide's 0.0003 is 0.5^12
    assert 0.5 ** 12 == pytest.approx(0.000244, rel=1e-3)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_depth_gradients_agree_with_central_differences_of_the_chain(name):
    rng = np.random.default_rng(11)
    L, m = 9, 4
    w = rng.uniform(0.5, 2.5, L) * rng.choice([-1.0, 1.0], L)
    if name == "relu":
        w = np.abs(w)
    b = rng.uniform(-0.5, 0.5, L)
    x = rng.uniform(0.2, 1.0, (1, m))
    G = REF.depth_gradients(x, w, b, name)

    def output(depth, x0):
        a = x0
        for l in range(depth):
            a = REF.activation_forward(w[l] * a + b[l], name)
        return a

    for depth in range(1, L + 1):
        for k in range(m):
            numeric = central_difference(lambda v: float(output(depth, v)[0, 0]), x[:, k:k + 1].copy())
            assert relative_error(G[depth - 1, k], numeric[0, 0]) <= 1e-5, (depth, k)  # values down to 1e-6


def test_depth_gradients_of_a_deep_sigmoid_chain_vanish_and_a_relu_chain_does_not():
    rng = np.random.default_rng(2)
    x, w, b = rng.uniform(-1, 1, (1, 3)), np.ones(20), np.zeros(20)
    sigmoid = np.abs(REF.depth_gradients(x, w, b, "sigmoid"))
    assert np.all(sigmoid[1:] < sigmoid[:-1]) and np.all(sigmoid[-1] < 0.25 ** 20 * 1.01)
    relu = REF.depth_gradients(np.abs(x) + 0.1, w, b, "relu")
    assert np.all(relu == 1.0)


def test_depth_gradients_check_their_arguments_and_leave_them_unchanged():
    x, w, b = np.array([[0.3, -0.2]]), np.array([1.0, 2.0]), np.array([0.1, 0.2])
    before = [v.copy() for v in (x, w, b)]
    REF.depth_gradients(x, w, b, "tanh")
    assert all(np.array_equal(v, u) for v, u in zip((x, w, b), before))
    with pytest.raises(ValueError):
        REF.depth_gradients(x, w, b, "softplus")
    with pytest.raises(ValueError):
        REF.depth_gradients(x, w, b[:1], "tanh")


def test_the_handout_corrects_the_slides_0_5_to_the_15_and_attributes_the_2_2_2_example():
    text = (ASSIGNMENT.folder / "handout.md.j2").read_text()
    assert "0.5^{15} = 1/32768 \\approx 3.05 \\times 10^{-5}" in text and "0.5^{12}" in text
    assert "Matt Mazur" in text and "A Step by Step\nBackpropagation Example" in text
    assert "lecture's worked example" not in text
