"""The dropout reference is right, its cases are deterministic and strong, and every catalogued mistake loses points."""
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
SLUG = "dropout"
SECRET = "test-secret"
STUDENTS = ("alice", "bob", "carol")
WRONG_DRAW = "your mask is a valid dropout mask but not the one the spec's single rng.random(A.shape) draw gives"


@pytest.fixture(scope="module")
def assignment():
    return Course(ROOT).assignment(SLUG)


@pytest.fixture(scope="module")
def ref(assignment):
    return import_file(assignment.solution_path, "dropout_reference_under_test")


MISTAKE_FILES = sorted((ROOT / "solutions" / "mistakes" / SLUG).glob("*.py"))


def _load_mistake(assignment, path):
    return import_file(assignment.solution_path, f"dropout_mistake_{path.stem}", extra_source=path.read_text())


def _probe(assignment, case, student):
    rng = case_rng(SLUG, case.name, None if case.public else student, SECRET)
    return assignment.generator(case)(rng)


def _fresh(probe):
    return Probe.from_description(copy.deepcopy(probe.describe()))


def _grade(assignment, case, probe, module, ref):
    """(fraction, message) as the engine would give it: min over the case's checks, 0 on error or mutation."""
    expected = execute(_fresh(probe), ref)
    mine = _fresh(probe)
    before = copy.deepcopy((mine.args, mine.kwargs))
    try:
        with np.errstate(all="ignore"):  # some mistakes divide by zero at p = 0; that costs them the case, not a warning
            got = execute(mine, module)
    except Exception as exc:  # a student error costs the case
        return 0.0, f"{type(exc).__name__}: {exc}"
    if not compare((mine.args, mine.kwargs), before, Tolerance(exact=True)).passed:
        return 0.0, "an input was modified in place"
    worst = Verdict.ok()
    for check in case.checks:
        if check == "reference":
            verdict = compare(got, expected, case.tolerance)
        else:
            verdict = assignment.property_check(check)(got, expected, _fresh(probe))
        if verdict.fraction < worst.fraction:
            worst = verdict
    return worst.fraction, worst.message


def _network_inputs(rng, n=4, H=6, K=3, m=5):
    while True:
        X = rng.normal(size=(n, m))
        params = {"W1": rng.normal(size=(n, H)), "b1": rng.normal(size=(H, 1)),
                  "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=(K, 1))}
        if np.min(np.abs(params["W1"].T @ X + params["b1"])) > 1e-2:  # >> 10 h: no ReLU kink in the differences
            return X, params


# ---------------------------------------------------------------- the dropout layer

def test_training_forward_matches_an_elementwise_loop_over_the_spec_draw(ref):
    rng = np.random.default_rng(0)
    A, p, seed = rng.normal(size=(5, 7)), 0.3, 123
    out, mask = ref.dropout_forward(A, p, True, np.random.default_rng(seed))
    u = np.random.default_rng(seed).random((5, 7))
    for i in range(5):
        for j in range(7):
            kept = u[i, j] >= p
            assert mask[i, j] == kept
            assert out[i, j] == pytest.approx(A[i, j] / 0.7 if kept else 0.0, rel=1e-12, abs=0)
    assert mask.dtype == np.bool_ and out.dtype == np.float64


def test_training_forward_draws_exactly_once(ref):
    A = np.ones((3, 4))
    rng, twin = np.random.default_rng(9), np.random.default_rng(9)
    ref.dropout_forward(A, 0.2, True, rng)
    twin.random((3, 4))
    assert rng.bit_generator.state == twin.bit_generator.state


def test_statistics_on_a_large_input_around_ten(ref):
    rng = np.random.default_rng(1)
    A = rng.uniform(9, 11, size=(500, 500))
    for p in (0.2, 0.3):
        out, mask = ref.dropout_forward(A, p, True, rng)
        assert abs((1 - mask.mean()) - p) <= 0.01
        assert abs(out.mean() - A.mean()) <= 0.1
        assert np.all(out[~mask] == 0)


def test_prediction_returns_A_exactly_and_leaves_the_rng_alone(ref):
    A = np.random.default_rng(2).normal(size=(4, 6))
    rng = np.random.default_rng(5)
    state = copy.deepcopy(rng.bit_generator.state)
    out, mask = ref.dropout_forward(A, 0.7, False, rng)
    assert mask is None and np.array_equal(out, A) and out is not A
    assert rng.bit_generator.state == state


def test_p_zero_is_the_identity_in_training(ref):
    A = np.random.default_rng(3).normal(size=(3, 8))
    out, mask = ref.dropout_forward(A, 0.0, True, np.random.default_rng(4))
    assert np.array_equal(out, A) and mask.all()


@pytest.mark.parametrize("p", [1.0, 1.5, -0.1, float("nan"), "0.3", None, True])
@pytest.mark.parametrize("train", [True, False])
def test_p_outside_zero_one_raises_ValueError(ref, p, train):
    with pytest.raises(ValueError):
        ref.dropout_forward(np.ones((2, 2)), p, train, np.random.default_rng(0))
    if train:
        with pytest.raises(ValueError):
            ref.dropout_backward(np.ones((2, 2)), np.ones((2, 2), bool), p)


def test_no_argument_is_modified(ref):
    A = np.random.default_rng(6).normal(size=(4, 5))
    A0 = A.copy()
    out, mask = ref.dropout_forward(A, 0.4, True, np.random.default_rng(0))
    d = np.random.default_rng(7).normal(size=(4, 5))
    d0, mask0 = d.copy(), mask.copy()
    ref.dropout_backward(d, mask, 0.4)
    assert np.array_equal(A, A0) and np.array_equal(d, d0) and np.array_equal(mask, mask0)


def test_backward_agrees_with_central_differences_of_the_forward(ref):
    rng = np.random.default_rng(8)
    A, G, p, seed = rng.normal(size=(4, 6)), rng.normal(size=(4, 6)), 0.35, 77

    def loss(a):
        return float(np.sum(G * ref.dropout_forward(a, p, True, np.random.default_rng(seed))[0]))

    _, mask = ref.dropout_forward(A, p, True, np.random.default_rng(seed))
    analytic = ref.dropout_backward(G, mask, p)
    assert relative_error(analytic, central_difference(loss, A.copy())) <= 1e-7
    assert np.all(analytic[~mask] == 0)
    np.testing.assert_allclose(analytic[mask], G[mask] / 0.65, rtol=1e-12)


# ---------------------------------------------------------------- the network

def test_network_forward_matches_a_loop_over_instances_and_units(ref):
    rng = np.random.default_rng(10)
    X, params = _network_inputs(rng)
    p, seed = 0.3, 5
    Y_hat, _ = ref.mlp_dropout_forward(X, params, p, True, np.random.default_rng(seed))
    keep = np.random.default_rng(seed).random((6, 5)) >= p
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    for j in range(5):
        hidden = []
        for h in range(6):
            f = sum(W1[i, h] * X[i, j] for i in range(4)) + b1[h, 0]
            hidden.append(max(f, 0.0) * keep[h, j] / (1 - p))
        for k in range(3):
            y = sum(W2[h, k] * hidden[h] for h in range(6)) + b2[k, 0]
            assert Y_hat[k, j] == pytest.approx(y, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("train", [True, False])
def test_network_gradients_agree_with_central_differences_for_a_fixed_mask(ref, train):
    rng = np.random.default_rng(11)
    X, params = _network_inputs(rng)
    G, p, seed = rng.normal(size=(3, 5)), 0.4, 21
    Y_hat, cache = ref.mlp_dropout_forward(X, params, p, train, np.random.default_rng(seed))
    grads = ref.mlp_dropout_backward(G, cache)
    for name in ("W1", "b1", "W2", "b2"):
        def loss(value, name=name):
            changed = dict(params, **{name: value})
            return float(np.sum(G * ref.mlp_dropout_forward(X, changed, p, train, np.random.default_rng(seed))[0]))

        numeric = central_difference(loss, params[name].copy())
        assert grads[name].shape == params[name].shape
        assert relative_error(grads[name], numeric) <= 1e-5, name


def test_network_prediction_uses_every_unit_and_leaves_the_rng_alone(ref):
    rng = np.random.default_rng(12)
    X, params = _network_inputs(rng)
    gen = np.random.default_rng(3)
    state = copy.deepcopy(gen.bit_generator.state)
    Y_hat, _ = ref.mlp_dropout_forward(X, params, 0.6, False, gen)
    plain = params["W2"].T @ np.maximum(params["W1"].T @ X + params["b1"], 0) + params["b2"]
    np.testing.assert_allclose(Y_hat, plain, rtol=1e-12)
    assert gen.bit_generator.state == state


def test_network_training_draws_one_hidden_sized_mask(ref):
    X, params = _network_inputs(np.random.default_rng(13))
    rng, twin = np.random.default_rng(4), np.random.default_rng(4)
    ref.mlp_dropout_forward(X, params, 0.25, True, rng)
    twin.random((6, 5))
    assert rng.bit_generator.state == twin.bit_generator.state


# ---------------------------------------------------------------- the manifest, cases and handout

def test_manifest_loads_with_sane_points_and_every_check_exists(assignment):
    assert 10 <= assignment.max_points <= 30
    assert [p.name for p in assignment.parts] == ["forward", "backward", "network"]
    for case in assignment.cases:
        assert callable(assignment.generator(case))
        for check in case.checks:
            assert check == "reference" or callable(assignment.property_check(check))


def test_handout_renders_with_one_marker_per_part_in_order(assignment):
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string((assignment.folder / "handout.md.j2").read_text())
    text = template.render(title=assignment.title, parts=assignment.parts, max_points=assignment.max_points)
    assert re.findall(r"^<!-- part: (\w+) -->$", text, flags=re.M) == ["forward", "backward", "network"]
    assert "rng.random(A.shape) >= p" in text


def test_reference_earns_full_marks_on_every_case_for_several_students(assignment, ref):
    for student in STUDENTS + ("dave", "erin"):
        for case in assignment.cases:
            fraction, message = _grade(assignment, case, _probe(assignment, case, student), ref, ref)
            assert fraction == 1.0, (student, case.name, message)


def test_generators_are_deterministic_for_a_seed(assignment):
    for case in assignment.cases:
        a, b = _probe(assignment, case, "alice"), _probe(assignment, case, "alice")
        assert compare(a.describe(), b.describe(), Tolerance(exact=True)).passed, case.name


def test_hidden_inputs_differ_between_students(assignment):
    for case in assignment.cases:
        if case.public:
            continue
        a, b = _probe(assignment, case, "alice"), _probe(assignment, case, "bob")
        assert not compare(a.kwargs or list(a.args), b.kwargs or list(b.args), Tolerance(exact=True)).passed, case.name


def test_hidden_drop_probabilities_stay_away_from_one_half(assignment):
    for case in assignment.cases:
        for student in STUDENTS:
            p = _probe(assignment, case, student)
            value = p.kwargs.get("p", p.args[2] if p.call else None)
            if isinstance(value, float) and value > 0:
                assert abs(value - 0.5) >= 0.1 - 1e-9, (case.name, value)
            if case.generator == "forward_large":
                assert 0.2 <= value <= 0.3 and p.kwargs["A"].size >= 470 * 505  # the smallest _around_ten draws


@pytest.mark.parametrize("garbage", [None, 3, "text", [1, 2], {"dropout_forward": None}, {"mask": np.zeros(2), "d_A": None},
                                     {"dropout_forward": (np.zeros((2, 2)), np.zeros((2, 2)))}, {"dropout_forward": "ab"}])
def test_property_checks_fail_cleanly_on_garbage(assignment, ref, garbage):
    for case in assignment.cases:
        for check in case.checks:
            if check == "reference":
                continue
            probe = _probe(assignment, case, "alice")
            verdict = assignment.property_check(check)(garbage, execute(_fresh(probe), ref), probe)
            assert verdict.fraction == 0.0 and verdict.message


# ---------------------------------------------------------------- the mistakes catalogue

def test_there_are_at_least_eight_mistakes():
    assert len(MISTAKE_FILES) >= 8


@pytest.mark.parametrize("path", MISTAKE_FILES, ids=lambda p: p.stem)
def test_mistake_loads_and_explains_itself(assignment, path):
    module = _load_mistake(assignment, path)
    assert isinstance(module.MISTAKE, str) and len(module.MISTAKE) > 10
    assert isinstance(module.HINT, str) and len(module.HINT) > 10
    assert "rng.random" not in module.HINT and "return" not in module.HINT  # a hint, never code


@pytest.mark.parametrize("path", MISTAKE_FILES, ids=lambda p: p.stem)
def test_mistake_loses_points_on_a_hidden_case_for_every_student(assignment, ref, path):
    module = _load_mistake(assignment, path)
    for student in STUDENTS:
        lost = [case.name for case in assignment.cases if not case.public
                and _grade(assignment, case, _probe(assignment, case, student), module, ref)[0] < 1.0]
        assert lost, (path.stem, student)


def test_wrong_draw_with_right_statistics_earns_partial_credit_with_the_spec_sentence(assignment, ref):
    module = _load_mistake(assignment, ROOT / "solutions" / "mistakes" / SLUG / "different_draw.py")
    for student in STUDENTS:
        draw = _grade(assignment, assignment.case("forward_draw"), _probe(assignment, assignment.case("forward_draw"), student), module, ref)
        assert 0.0 < draw[0] < 1.0 and WRONG_DRAW in draw[1]
        stats = _grade(assignment, assignment.case("forward_statistics"), _probe(assignment, assignment.case("forward_statistics"), student), module, ref)
        assert stats[0] == 1.0


def test_right_draw_with_a_float_mask_earns_partial_credit_naming_the_dtype(assignment, ref):
    float_mask = (
        "def dropout_forward(A, p, train, rng):\n"
        "    out, mask = _reference_forward(A, p, train, rng)\n"
        "    return out, (None if mask is None else mask.astype(float))\n"
    )
    module = import_file(assignment.solution_path, "dropout_float_mask",
                         extra_source="_reference_forward = dropout_forward\n" + float_mask)
    case = assignment.case("forward_draw")
    fraction, message = _grade(assignment, case, _probe(assignment, case, "alice"), module, ref)
    assert 0.0 < fraction < 1.0 and "bool" in message


@pytest.mark.parametrize("p_as_keep", [False, True])
def test_statistics_property_rejects_wrong_fraction_or_wrong_scale(assignment, ref, p_as_keep):
    case = assignment.case("forward_statistics")
    probe = _probe(assignment, case, "alice")
    A, p = probe.kwargs["A"], probe.kwargs["p"]
    keep = np.random.default_rng(0).random(A.shape) >= (1 - p if p_as_keep else p)
    out = A * keep / (1 - p) if p_as_keep else A * keep
    verdict = assignment.property_check("statistics")({"dropout_forward": (out, keep)}, None, probe)
    assert verdict.fraction == 0.0
    assert ("fraction of units dropped" in verdict.message) == p_as_keep
    assert math.isfinite(p)
