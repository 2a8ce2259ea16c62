"""The char_rnn reference is right, its cases are deterministic and strong, and every catalogued mistake loses points."""
import copy
import math
import re
from pathlib import Path

import jinja2
import numpy as np
import pytest

from grader.cases import Probe, case_rng, execute
from grader.checks import Tolerance, Verdict, central_difference, compare, relative_error
from grader.spec import Course, import_file

ROOT = Path(__file__).resolve().parents[2]
SLUG = "char_rnn"
SECRET = "test-secret"
STUDENTS = ("alice", "bob", "carol")
KEYS = ("W_xh", "W_hh", "W_hy", "b_h", "b_y")
MISTAKE_FILES = sorted((ROOT / "solutions" / "mistakes" / SLUG).glob("*.py"))


@pytest.fixture(scope="module")
def assignment():
    return Course(ROOT).assignment(SLUG)


@pytest.fixture(scope="module")
def ref(assignment):
    return import_file(assignment.solution_path, "char_rnn_reference_under_test")


def _random_params(rng, V, H, scale=0.7):
    W_hh = rng.standard_normal((H, H)) * scale
    return {
        "W_xh": rng.standard_normal((V, H)) * scale, "W_hh": W_hh, "W_hy": rng.standard_normal((H, V)) * scale,
        "b_h": rng.standard_normal((H, 1)) * 0.5, "b_y": rng.standard_normal((V, 1)) * 0.5,
    }


def _problem(seed=0, V=4, H=6, T=5):
    """A random non-square problem: H != V, asymmetric W_hh, non-zero h0 and biases."""
    rng = np.random.default_rng(seed)
    inputs = [int(i) for i in rng.integers(0, V, T)]
    targets = [int(i) for i in rng.integers(0, V, T)]
    return inputs, targets, rng.standard_normal((H, 1)) * 0.5, _random_params(rng, V, H)


# ------------------------------------------------------------------ independent naive implementation
def _naive_loss(inputs, targets, h0, params):
    """Element-by-element forward and per-step outer-product BPTT, written without the reference."""
    W_xh, W_hh, W_hy, b_h, b_y = (params[k] for k in KEYS)
    V, H = W_xh.shape
    hs = [h0[:, 0].copy()]
    probs, loss = [], 0.0
    for t, k in enumerate(inputs):
        h = np.empty(H)
        for j in range(H):
            a = b_h[j, 0] + W_xh[k, j] + sum(W_hh[i, j] * hs[-1][i] for i in range(H))
            h[j] = math.tanh(a)
        hs.append(h)
        z = [b_y[v, 0] + sum(W_hy[j, v] * h[j] for j in range(H)) for v in range(V)]
        m = max(z)
        log_total = m + math.log(math.fsum(math.exp(zv - m) for zv in z))
        loss += log_total - z[targets[t]]
        probs.append(np.array([math.exp(zv - log_total) for zv in z]))
    grads = {key: np.zeros_like(params[key]) for key in KEYS}
    carry = np.zeros(H)
    for t in reversed(range(len(inputs))):
        dz = probs[t].copy()
        dz[targets[t]] -= 1.0
        grads["W_hy"] += np.outer(hs[t + 1], dz)
        grads["b_y"][:, 0] += dz
        dh = W_hy @ dz + carry
        da = (1.0 - hs[t + 1] ** 2) * dh
        grads["W_xh"][inputs[t], :] += da
        grads["W_hh"] += np.outer(hs[t], da)
        grads["b_h"][:, 0] += da
        carry = W_hh @ da
    return loss, grads, hs[-1].reshape(H, 1), np.column_stack(hs[1:]), np.column_stack(probs)


# ------------------------------------------------------------------------------------ lecture facts
def test_encode_uses_the_given_vocabulary_order(ref):
    assert ref.encode("hello", ["h", "e", "l", "o"]) == [0, 1, 2, 2, 3]
    assert ref.encode("hello", ["o", "l", "e", "h"]) == [3, 2, 1, 1, 0]
    assert all(type(i) is int for i in ref.encode("hello", list("helo")))


def test_encode_rejects_unknown_characters_and_repeated_vocabulary(ref):
    with pytest.raises(ValueError):
        ref.encode("help", ["h", "e", "l", "o"])
    with pytest.raises(ValueError):
        ref.encode("hell", ["h", "e", "l", "l"])


def test_one_hot_puts_each_index_in_its_own_column(ref):
    X = ref.one_hot([0, 1, 2, 2, 3], 4)
    assert X.shape == (4, 5) and X.dtype == np.float64
    np.testing.assert_array_equal(X, np.eye(4)[:, [0, 1, 2, 2, 3]])
    with pytest.raises(ValueError):
        ref.one_hot([0, 4], 4)


def test_softmax_of_huge_logits_matches_the_lecture_values(ref):
    p = ref.softmax(np.array([[1000.0], [999.0], [0.0], [-5.0]]))
    e = 1.0 / (1.0 + math.exp(-1.0))
    np.testing.assert_allclose(p[:, 0], [e, 1.0 - e, 0.0, 0.0], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(p[:2, 0], [0.73105858, 0.26894142], atol=5e-9)


def test_softmax_normalises_each_column_and_ignores_column_shifts(ref):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 3))
    p = ref.softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(axis=0), rtol=1e-14)
    np.testing.assert_allclose(ref.softmax(z + np.array([[700.0, -700.0, 3.0]])), p, rtol=1e-12)


def test_cross_entropy_of_the_lecture_logits_is_finite_and_exact(ref):
    params = _random_params(np.random.default_rng(1), 4, 3)
    params["W_hy"] = np.zeros((3, 4))
    params["b_y"] = np.array([[1000.0], [999.0], [0.0], [-5.0]])
    loss, grads, _ = ref.rnn_loss([0, 3], [1, 2], np.zeros((3, 1)), params)
    assert loss == pytest.approx(1.3132616875 + 1000.3132616875, rel=1e-12)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_fresh_weights_give_the_chance_loss_on_hello(ref):
    params = ref.init_params(4, 8, 0)
    loss, _, _ = ref.rnn_loss([0, 1, 2, 2], [1, 2, 2, 3], np.zeros((8, 1)), params)
    assert loss == pytest.approx(4 * math.log(4), abs=5e-3)
    assert 4 * math.log(4) == pytest.approx(5.545177, abs=1e-6)


# ---------------------------------------------------------------------------- forward and backward
def test_step_forward_matches_element_sums_with_transposed_weights(ref):
    rng = np.random.default_rng(5)
    V, H = 3, 5
    x, h_prev = rng.standard_normal((V, 1)), rng.standard_normal((H, 1))
    p = _random_params(rng, V, H)
    got = ref.rnn_step_forward(x, h_prev, p["W_xh"], p["W_hh"], p["b_h"])
    want = [math.tanh(p["b_h"][j, 0] + sum(p["W_xh"][i, j] * x[i, 0] for i in range(V))
                      + sum(p["W_hh"][i, j] * h_prev[i, 0] for i in range(H))) for j in range(H)]
    assert got.shape == (H, 1)
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-13)


@pytest.mark.parametrize("seed,V,H,T", [(0, 4, 6, 5), (1, 5, 3, 7), (2, 3, 8, 2), (3, 6, 4, 1)])
def test_forward_and_loss_agree_with_a_naive_loop(ref, seed, V, H, T):
    inputs, targets, h0, params = _problem(seed, V, H, T)
    loss, grads, h_last, hs, ps = _naive_loss(inputs, targets, h0, params)
    got_hs, got_ps = ref.rnn_forward(inputs, h0, params)
    np.testing.assert_allclose(got_hs, hs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got_ps, ps, rtol=1e-12, atol=1e-14)
    got_loss, got_grads, got_last = ref.rnn_loss(inputs, targets, h0, params)
    assert isinstance(got_loss, float) and got_loss == pytest.approx(loss, rel=1e-12)
    assert set(got_grads) == set(KEYS)
    for key in KEYS:
        assert got_grads[key].shape == params[key].shape
        np.testing.assert_allclose(got_grads[key], grads[key], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(got_last, h_last, rtol=1e-13)


@pytest.mark.parametrize("seed,V,H,T", [(10, 4, 6, 5), (11, 5, 3, 6), (12, 3, 7, 2)])
def test_bptt_gradients_match_central_differences(ref, seed, V, H, T):
    inputs, targets, h0, params = _problem(seed, V, H, T)
    _, grads, _ = ref.rnn_loss(inputs, targets, h0, params)
    for key in KEYS:
        def f(value, key=key):
            moved = dict(params)
            moved[key] = value
            return ref.rnn_loss(inputs, targets, h0, moved)[0]
        numeric = central_difference(f, params[key].copy())
        assert relative_error(grads[key], numeric) <= 1e-6, key


def test_bptt_carries_gradient_back_through_time(ref):
    """With T >= 2 the earlier steps' W_hh gradient differs from a one-step truncation."""
    inputs, targets, h0, params = _problem(20, 4, 5, 4)
    _, full, _ = ref.rnn_loss(inputs, targets, h0, params)
    truncated = np.zeros_like(params["W_hh"])
    h_prev = h0
    for t in range(len(inputs)):
        _, g, h_next = ref.rnn_loss(inputs[t:t + 1], targets[t:t + 1], h_prev, params)
        truncated += g["W_hh"]
        h_prev = h_next
    assert not np.allclose(full["W_hh"], truncated, rtol=1e-3)


# ------------------------------------------------------------------------ clip, init, sample, train
def test_clip_gradients_returns_new_clipped_arrays(ref):
    grads = {"W": np.array([[-7.0, 0.5], [3.0, 10.0]]), "b": np.array([[-0.25], [6.0]])}
    before = copy.deepcopy(grads)
    out = ref.clip_gradients(grads, 5.0)
    np.testing.assert_array_equal(out["W"], [[-5.0, 0.5], [3.0, 5.0]])
    np.testing.assert_array_equal(out["b"], [[-0.25], [5.0]])
    assert out is not grads and all(out[k] is not grads[k] for k in grads)
    assert compare(grads, before, Tolerance(exact=True)).passed
    with pytest.raises(ValueError):
        ref.clip_gradients(grads, 0.0)


def test_init_params_draws_in_the_specified_order(ref):
    params = ref.init_params(5, 3, 42)
    rng = np.random.default_rng(42)
    draws = rng.standard_normal(5 * 3 + 3 * 3 + 3 * 5) * 0.01
    np.testing.assert_array_equal(params["W_xh"], draws[:15].reshape(5, 3))
    np.testing.assert_array_equal(params["W_hh"], draws[15:24].reshape(3, 3))
    np.testing.assert_array_equal(params["W_hy"], draws[24:].reshape(3, 5))
    np.testing.assert_array_equal(params["b_h"], np.zeros((3, 1)))
    np.testing.assert_array_equal(params["b_y"], np.zeros((5, 1)))


def test_sample_feeds_back_the_one_hot_of_each_prediction(ref):
    rng = np.random.default_rng(7)
    V, H = 5, 4
    p = _random_params(rng, V, H, scale=1.2)
    h, x, want = rng.standard_normal((H, 1)), 2, []
    got = ref.sample(h.copy(), 2, 8, p)
    for _ in range(8):
        h = np.tanh(p["W_xh"][x].reshape(H, 1) + p["W_hh"].T @ h + p["b_h"])
        x = int(np.argmax(p["W_hy"].T @ h + p["b_y"]))
        want.append(x)
    assert got == want and all(type(i) is int for i in got)
    assert ref.sample(np.zeros((H, 1)), 0, 0, p) == []


def test_train_with_default_settings_learns_hello(ref):
    params, losses = ref.train("hello", ["h", "e", "l", "o"], 8, 0.1, 100, 0)
    assert len(losses) == 100 and all(isinstance(v, float) for v in losses)
    assert losses[0] == pytest.approx(4 * math.log(4), abs=5e-3)
    assert losses[-1] <= 0.1 * losses[0]
    assert ref.sample(np.zeros((8, 1)), 0, 4, params) == [1, 2, 2, 3]


def test_train_takes_clipped_gradient_steps_each_from_a_zero_state(ref):
    params, losses = ref.train("hello", list("helo"), 6, 0.3, 2, 9, clip=0.05)
    want = ref.init_params(4, 6, 9)
    want_losses = []
    for _ in range(2):
        loss, grads, _, _, _ = _naive_loss([0, 1, 2, 2], [1, 2, 2, 3], np.zeros((6, 1)), want)
        want_losses.append(loss)
        want = {k: want[k] - 0.3 * np.clip(grads[k], -0.05, 0.05) for k in KEYS}
    assert losses == [pytest.approx(v, rel=1e-12) for v in want_losses]
    for key in KEYS:
        np.testing.assert_allclose(params[key], want[key], rtol=1e-12, atol=1e-15)
    start = ref.init_params(4, 6, 9)
    zero_params, zero_losses = ref.train("hello", list("helo"), 6, 0.3, 0, 9)
    assert zero_losses == [] and all(np.array_equal(zero_params[k], start[k]) for k in KEYS)


def test_loss_returns_unclipped_gradients_on_a_long_confident_sequence(ref):
    rng = np.random.default_rng(4)
    params = _random_params(rng, 3, 4, scale=0.5)
    params["b_y"][0, 0] += 4.0  # confidently predicts index 0, which never comes
    inputs = [int(i) for i in rng.integers(0, 3, 20)]
    targets = [int(i) for i in rng.integers(1, 3, 20)]
    _, grads, _ = ref.rnn_loss(inputs, targets, np.zeros((4, 1)), params)
    _, naive, _, _, _ = _naive_loss(inputs, targets, np.zeros((4, 1)), params)
    assert grads["b_y"][0, 0] > 5.0
    for key in KEYS:
        np.testing.assert_allclose(grads[key], naive[key], rtol=1e-10, atol=1e-13)


def test_functions_leave_their_inputs_unchanged_and_keep_no_state(ref):
    inputs, targets, h0, params = _problem(30, 4, 5, 6)
    before = copy.deepcopy((inputs, targets, h0, params))
    first = ref.rnn_loss(inputs, targets, h0, params)
    second = ref.rnn_loss(inputs, targets, h0, params)
    ref.rnn_forward(inputs, h0, params)
    ref.sample(h0, 1, 5, params)
    ref.clip_gradients(params, 0.1)
    assert compare((inputs, targets, h0, params), before, Tolerance(exact=True)).passed
    assert compare(second, first, Tolerance(exact=True)).passed


# --------------------------------------------------------------------------------------- the cases
def _probe(assignment, case, student):
    rng = case_rng(SLUG, case.name, None if case.public else student, SECRET)
    return assignment.generator(case)(rng)


def _fresh(probe):
    return Probe.from_description(copy.deepcopy(probe.describe()))


def _grade(assignment, case, probe, module, expected):
    """Fraction of the case's points the module earns: 0 on an exception or a modified input."""
    mine = _fresh(probe)
    before = copy.deepcopy((mine.args, mine.kwargs))
    try:
        with np.errstate(all="ignore"):
            got = execute(mine, module)
    except Exception:
        return 0.0
    if not compare((mine.args, mine.kwargs), before, Tolerance(exact=True)).passed:
        return 0.0
    fractions = []
    for check in case.checks:
        if check == "reference":
            fractions.append(compare(got, expected, case.tolerance).fraction)
        else:
            fractions.append(assignment.property_check(check)(got, expected, probe).fraction)
    return min(fractions)


def test_reference_earns_full_marks_for_every_student(assignment, ref):
    # how long this takes is measured by benchmarks/ (never asserted here: machines are shared)
    for student in STUDENTS:
        for case in assignment.cases:
            probe = _probe(assignment, case, student)
            expected = execute(_fresh(probe), ref)
            assert _grade(assignment, case, probe, ref, expected) == 1.0, (student, case.name)


def test_manifest_parts_match_the_handout_and_the_reference(assignment, ref):
    assert 10 <= assignment.max_points <= 30
    for name in assignment.functions:
        assert callable(getattr(ref, name)) and getattr(ref, name).__doc__
    text = (assignment.folder / "handout.md.j2").read_text()
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).render(
        title=assignment.title, parts=assignment.parts, max_points=assignment.max_points)
    assert re.findall(r"<!-- part: (\w+) -->", rendered) == [p.name for p in assignment.parts]
    assert "hidden_size=8, lr=0.1, steps=100, seed=0" in rendered


@pytest.mark.parametrize("case_name", [
    "encode_random", "one_hot_random", "softmax_columns", "step_random", "forward_random", "loss_random",
    "loss_long", "loss_large_logits", "no_hidden_state", "clip_random", "init_random", "sample_random", "train_random",
])
def test_hidden_cases_are_deterministic_and_differ_between_students(assignment, case_name):
    case = assignment.case(case_name)
    assert not case.public
    a1, a2, b = (_probe(assignment, case, s) for s in ("alice", "alice", "bob"))
    assert compare(a1.describe(), a2.describe(), Tolerance(exact=True)).passed
    assert not compare(b.describe(), a1.describe(), Tolerance(exact=True)).passed


def test_public_cases_do_not_depend_on_the_student(assignment):
    for case in assignment.cases:
        if case.public:
            assert compare(_probe(assignment, case, "alice").describe(), _probe(assignment, case, "bob").describe(),
                           Tolerance(exact=True)).passed, case.name


@pytest.mark.parametrize("student", STUDENTS + ("dave", "erin"))
def test_hidden_rnn_inputs_are_non_square_and_asymmetric(assignment, student):
    for name in ("step_random", "forward_random", "loss_random", "loss_long", "no_hidden_state", "sample_random"):
        probe = _probe(assignment, assignment.case(name), student)
        values = list(probe.args) + list(probe.kwargs.values())
        W_hh = values[3] if name == "step_random" else next(v for v in values if isinstance(v, dict))["W_hh"]
        W_xh = values[2] if name == "step_random" else next(v for v in values if isinstance(v, dict))["W_xh"]
        assert W_xh.shape[0] != W_xh.shape[1], name
        assert not np.allclose(W_hh, W_hh.T), name
        if name != "step_random" and name != "sample_random":
            assert len(next(v for v in values if isinstance(v, list))) >= 2, name


@pytest.mark.parametrize("student", STUDENTS + ("dave", "erin", "frank"))
def test_long_case_has_gradients_above_the_default_clip(assignment, ref, student):
    probe = _probe(assignment, assignment.case("loss_long"), student)
    _, grads, _ = execute(probe, ref)
    assert max(float(np.max(np.abs(g))) for g in grads.values()) > 5.5


def test_reference_gradients_pass_the_gradient_check_case_with_margin(assignment, ref):
    case = assignment.case("loss_gradcheck")
    probe = _probe(assignment, case, None)
    got = execute(_fresh(probe), ref)
    assert max(relative_error(got["grads"][k], got["numeric"][k]) for k in KEYS) <= 1e-7
    assert assignment.property_check("consistent_gradients")(got, got, probe).passed


def test_property_checks_fail_garbage_without_raising(assignment):
    probe = _probe(assignment, assignment.case("train_learns_hello"), None)
    learns = assignment.property_check("learns_hello")
    consistent = assignment.property_check("consistent_gradients")
    for garbage in (None, 3.5, [1, 2], {"losses": "x"}, {"grads": None, "numeric": {}}):
        assert isinstance(learns(garbage, None, probe), Verdict) and not learns(garbage, None, probe).passed
        assert not consistent(garbage, {"numeric": {"W_xh": np.zeros((2, 2))}}, probe).passed
    half = learns({"losses": np.linspace(5.5, 0.1, 100), "generated": [1, 2, 2, 2]}, None, probe)
    assert half.fraction == 0.5 and "ello" in half.message


# --------------------------------------------------------------------------------------- mistakes
def test_there_are_enough_mistakes_and_each_names_itself():
    assert len(MISTAKE_FILES) >= 8
    for path in MISTAKE_FILES:
        source = path.read_text()
        module = import_file(ROOT / "solutions" / "char_rnn.py", f"char_rnn_mistake_meta_{path.stem}", extra_source=source)
        assert isinstance(module.MISTAKE, str) and module.MISTAKE
        assert isinstance(module.HINT, str) and module.HINT
        assert "np." not in module.HINT and "```" not in module.HINT  # a pointer to read, never code


@pytest.mark.parametrize("path", MISTAKE_FILES, ids=lambda p: p.stem)
def test_every_mistake_loses_points_on_a_hidden_case_for_every_student(assignment, ref, path):
    source = path.read_text()
    hidden = [c for c in assignment.cases if not c.public]
    for student in STUDENTS:
        caught = []
        for case in hidden:
            probe = _probe(assignment, case, student)
            expected = execute(_fresh(probe), ref)
            module = import_file(assignment.solution_path, f"char_rnn_mistake_{path.stem}", extra_source=source)
            if _grade(assignment, case, probe, module, expected) < 1.0:
                caught.append(case.name)
        assert caught, f"{path.stem} earns full marks on every hidden case for {student}"


# ------------------------------------------------------------------ the lecture's concatenated form and teacher forcing

def test_the_step_equals_the_concatenated_form_with_stacked_weights(ref):
    rng = np.random.default_rng(5)
    V, H = 4, 6
    x, h = rng.standard_normal((V, 1)), rng.standard_normal((H, 1))
    W, b = rng.standard_normal((V + H, H)), rng.standard_normal((H, 1))
    concatenated = np.tanh(W.T @ np.vstack([x, h]) + b)
    assert np.allclose(ref.rnn_step_forward(x, h, W[:V], W[V:], b), concatenated, rtol=1e-12, atol=1e-14)


def test_the_concatenated_case_passes_the_reference_and_fails_an_untransposed_w_hh(assignment, ref):
    spec = next(c for c in assignment.cases if c.name == "step_concatenated")
    assert list(spec.checks) == ["reference", "concatenated_form"] and not spec.public
    cases = assignment.case_module
    for student in STUDENTS:
        probe = assignment.generator(spec)(case_rng(SLUG, spec.name, student, SECRET))
        got = execute(probe, ref)
        assert cases.concatenated_form(got, got, probe).passed
        k = probe.kwargs
        V = k["x_t"].shape[0]
        wrong = np.tanh(k["W"][:V].T @ k["x_t"] + k["W"][V:] @ k["h_prev"] + k["b_h"])  # W_hh not transposed
        assert not cases.concatenated_form(wrong, got, probe).passed


def test_the_handout_has_the_concatenated_form_and_ties_the_shifted_text_to_teacher_forcing(assignment):
    text = (assignment.folder / "handout.md.j2").read_text()
    assert "(W_{xh} \\oplus W_{hh})^\\top (x_t \\oplus h_{t-1})" in text and "step_concatenated" in text
    assert "x_t = y_{t-1}$ at training\" (teacher forcing)" in text and "`text[:-1]`" in text
