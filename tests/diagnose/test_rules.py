"""grader.diagnose.rules: each structural rule fires on its wrong answer, and stays silent on a right one and on an unrelated wrong one."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks import Tolerance
from grader.diagnose.leaves import Context, differing
from grader.diagnose.whole import structural, update_direction, with_inputs

RNG = np.random.default_rng(11)
CTX = Context(Tolerance())


def rule_id(got, expected, ctx=CTX):
    found = structural(got, expected, ctx)
    return None if found is None else found.id


def softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


Z = RNG.standard_normal((4, 6))
IMAGE = RNG.standard_normal((2, 3, 5, 6))
BORDER = IMAGE.copy()
BORDER[..., 0, :] += 1.0
BORDER[..., :, -1] -= 0.5
SEQUENCE = RNG.standard_normal((3, 7))
MASKED = RNG.standard_normal((5, 4)) + 3.0
MASKED_EXPECTED = MASKED * (RNG.random((5, 4)) >= 0.4)
SAME_MASK = MASKED * (np.array([[1], [0], [1], [1], [0]]))
HISTORY = RNG.standard_normal(6)
FLAT = RNG.standard_normal((3, 12))
FLAT_OTHER_ORDER = FLAT.reshape(3, 2, 2, 3).transpose(0, 3, 1, 2).reshape(3, 12)
SMALL = RNG.standard_normal((3, 5)) + 2.0

BIASED = IMAGE + np.array([0.5, -1.0, 2.0]).reshape(1, 3, 1, 1)
LABELS = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
ZERO_AT_BOUNDARY = LABELS.copy()
ZERO_AT_BOUNDARY[[1, 4]] = 0.0
INDICES = np.array([0, 1, 2, 2, 3, 1, 0, 3])
RENAMED = np.array([2, 0, 1, 3])[INDICES]

DROPPED = RNG.standard_normal((8, 10)) + 5.0
PROBS = softmax_rows(RNG.standard_normal((5, 4)))
ONE_HOT = np.eye(4)[[0, 3, 1, 1, 2]]
GRAD = RNG.standard_normal((3, 5))

# rule id, a wrong answer it must name, the expected value, context
CASES = {
    "transposed": (Z.T.copy(), Z, CTX),
    "permutation": (FLAT_OTHER_ORDER, FLAT, CTX),
    "wrong_axis": (softmax_rows(Z), softmax_columns(Z), CTX),
    "border": (BORDER, IMAGE, CTX),
    "shape_off_by_one": (IMAGE[..., :-1, :-1].copy(), IMAGE, CTX),
    "time_shift": (np.concatenate([np.zeros((3, 1)), SEQUENCE[:, :-1]], axis=1), SEQUENCE, CTX),
    "factor_m": (SMALL * 4, SMALL, Context(Tolerance(), {"whole_number": "the batch size m"})),
    "factor_other": (SMALL / 0.7, SMALL, Context(Tolerance(), {"other": "1/(1-p)"})),
    "sign": (-SMALL, SMALL, CTX),
    "factor_2": (SMALL * 2, SMALL, CTX),
    "precision": (SMALL * (1 + 3e-6), SMALL, CTX),
    "float32": (SMALL.astype(np.float32), SMALL, CTX),
    "nan": (np.where(SMALL > 2.5, np.inf, SMALL), SMALL, CTX),
    "same_mask": (SAME_MASK, MASKED_EXPECTED, CTX),
    "state_between_calls": (((SMALL, 1.5), (SMALL + 1.0, 2.5)), ((SMALL, 1.5), (SMALL.copy(), 1.5)), CTX),
    "history_short": (HISTORY[:-1].copy(), HISTORY, CTX),
    "offset": (BIASED, IMAGE, CTX),
    "labels_01": ((LABELS + 1) / 2, LABELS, CTX),
    "sign_zero": (ZERO_AT_BOUNDARY, LABELS, CTX),
    "relabelled": (RENAMED, INDICES, CTX),
    "check_missing": ({"p = 1": "accepted", "p = 0.5": "accepted"}, {"p = 1": "ValueError", "p = 0.5": "accepted"}, CTX),
    "check_too_strict": ({"p = 0": "ValueError"}, {"p = 0": "accepted"}, CTX),
    "clipped": (np.clip(Z * 4, -5, 5), Z * 4, CTX),
    "padding_size": (np.pad(IMAGE, [(0, 0), (0, 0), (2, 2), (2, 2)]), np.pad(IMAGE, [(0, 0), (0, 0), (1, 1), (1, 1)]), CTX),
    "off_by_one": (np.array([3, 5, 2, 8]), np.array([3, 4, 1, 7]), CTX),
    "other_mask": (DROPPED * (RNG.random(DROPPED.shape) >= 0.3), DROPPED * (RNG.random(DROPPED.shape) >= 0.3), CTX),
    "factor_half": (SMALL / 2, SMALL, CTX),
    "one_hot_missing": (PROBS / 5, (PROBS - ONE_HOT) / 5, CTX),
    "ignored_argument": ({"h=1e-5": GRAD, "h=0.01": GRAD.copy()}, {"h=1e-5": GRAD, "h=0.01": GRAD + 0.01 * SMALL}, CTX),
    "stops_late": ((np.array([4.0, -4.0, 6.0]), [5, 3, 5, 2, 1, 3, 0]), (np.array([6.0, -2.0, 6.0]), [5, 3, 5, 2]), CTX),
    "sizes_off_by_one": ({"n=5, k=3, s=2": 3, "n=7, k=3, s=3": 3, "n=5, k=3, s=1": 3}, {"n=5, k=3, s=2": 2, "n=7, k=3, s=3": 2, "n=5, k=3, s=1": 3}, CTX),
}
ALIASES = {"sizes_off_by_one": "off_by_one"}  # the same rule id, reached on a whole output of several sizes


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_names_its_own_wrong_answer(rule):
    got, expected, ctx = CASES[rule]
    assert rule_id(got, expected, ctx) == ALIASES.get(rule, rule)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_is_silent_on_a_right_answer(rule):
    _, expected, ctx = CASES[rule]
    right = expected if isinstance(expected, (tuple, dict)) else expected.copy()
    assert rule_id(right, expected, ctx) is None
    if isinstance(expected, np.ndarray) and expected.dtype.kind == "f":
        assert rule_id(expected * (1 + 1e-9), expected, ctx) is None


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_is_silent_on_an_unrelated_wrong_answer(rule):
    _, expected, ctx = CASES[rule]
    if isinstance(expected, dict) and all(isinstance(v, str) for v in expected.values()):
        # another error raised where one is due, or another wrong result where none is
        unrelated = {k: "TypeError" if v == "ValueError" else "accepted, but another value" for k, v in expected.items()}
    elif isinstance(expected, dict) and all(isinstance(v, int) for v in expected.values()):  # sizes off by 2 and 0
        unrelated = {k: v + 2 * (i % 2) - 1 + (i == 0) for i, (k, v) in enumerate(expected.items())}
    elif isinstance(expected, dict):  # every result wrong in its own way
        unrelated = {k: v + RNG.standard_normal(v.shape) for k, v in expected.items()}
    elif rule == "stops_late":  # a history of the same length with other counts, and other weights
        unrelated = (expected[0] + 1.0, [n + 1 for n in expected[1]] + [0, 0])
    elif isinstance(expected, tuple):  # two calls, both wrong the same way: no state is kept
        noise = RNG.standard_normal(expected[0][0].shape)
        unrelated = tuple((e[0] + noise, e[1] + 1.0) for e in expected)
    else:
        unrelated = expected + RNG.standard_normal(expected.shape)
    assert rule_id(unrelated, expected, ctx) is None


def test_factor_hints_follow_the_assignment_and_guess_nothing_without_it():
    meant = structural(SMALL * 4, SMALL, Context(Tolerance(), {"whole_number": "T, the number of time steps"}))
    assert "time steps" in meant.hint
    plain = structural(SMALL * 2, SMALL, CTX)
    assert "1/2" not in plain.hint and "batch" not in plain.hint


def test_a_factor_that_the_assignment_gives_no_meaning_is_not_named():
    assert rule_id(SMALL / 0.7, SMALL) is None


def test_no_factor_or_shift_is_named_on_integer_or_label_outputs():
    indices = np.array([3, 1, 4, 1, 5, 2, 6])
    assert rule_id(indices * 3, indices) is None
    labels = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
    assert rule_id(np.roll(labels, 1), labels) is None
    assert rule_id([2, 4, 6], [1, 2, 3]) is None


def test_a_permutation_needs_distinct_values():
    zeros_ones = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]])
    assert rule_id(zeros_ones[:, ::-1].copy() * 0 + zeros_ones[::-1], zeros_ones) is None


def test_every_differing_component_is_listed():
    expected = {"dW": SMALL, "db": SMALL[:, :1], "loss": 1.5}
    got = {"dW": SMALL * 2, "db": SMALL[:, :1].copy(), "loss": 2.5}
    assert [p for p, _, _ in differing(got, expected, Tolerance())] == ["['dW']", "['loss']"]


def test_an_update_that_goes_the_wrong_way_is_named_from_the_change_to_the_input():
    params = {"W": SMALL, "b": SMALL[:, :1]}
    grads = {"W": SMALL * 0.3 - 1.0, "b": SMALL[:, :1] + 2.0}
    right = {k: params[k] - 0.5 * grads[k] for k in params}
    ascent = {k: params[k] + 0.5 * grads[k] for k in params}
    assert update_direction(ascent, right, (params, grads, 0.5), CTX).id == "update_sign"
    assert update_direction(right, right, (params, grads, 0.5), CTX) is None
    unrelated = {k: params[k] - 0.7 * grads[k] for k in params}
    assert update_direction(unrelated, right, (params, grads, 0.5), CTX) is None


def test_a_floating_point_error_where_none_is_expected_is_named_an_overflow():
    assert rule_id({"sigmoid": "FloatingPointError: overflow in exp"}, {"sigmoid": "no floating-point error"}) == "nan"
    assert rule_id({"sigmoid": "no floating-point error"}, {"sigmoid": "no floating-point error"}) is None
    assert rule_id({"sigmoid": "ValueError"}, {"sigmoid": "no floating-point error"}) != "nan"


def test_an_update_that_leaves_one_entry_where_it_was_is_named():
    w, x = np.array([0.5, -1.0, 2.0]), np.array([2.0, 1.0])
    right = w + 0.5 * 2 * np.concatenate([[1.0], x])
    skips = right.copy()
    skips[0] = w[0]
    assert with_inputs(skips, right, (w, x, 1, -1, 0.5), CTX).id == "update_skips_entry"
    assert with_inputs(right.copy(), right, (w, x, 1, -1, 0.5), CTX) is None
    assert with_inputs(right + np.array([0.0, 0.3, -0.2]), right, (w, x, 1, -1, 0.5), CTX) is None


def test_gradients_rescaled_by_their_norm_where_each_entry_is_clipped_are_named():
    grads = {"W": GRAD * 4, "b": SMALL[:, :1]}
    clipped = {k: np.clip(v, -2.5, 2.5) for k, v in grads.items()}
    rescaled = {k: v * min(1.0, 2.5 / np.linalg.norm(v)) for k, v in grads.items()}
    assert with_inputs(rescaled, clipped, (grads, 2.5), CTX).id == "rescaled_not_clipped"
    assert with_inputs({k: v.copy() for k, v in clipped.items()}, clipped, (grads, 2.5), CTX) is None
    assert with_inputs({k: np.clip(v, -2.0, 2.0) for k, v in grads.items()}, clipped, (grads, 2.5), CTX) is None


def test_a_result_that_is_the_same_for_two_arguments_needs_one_of_them_right():
    expected = {"h=1e-5": GRAD, "h=0.01": GRAD + 0.01 * SMALL}
    both_wrong = {"h=1e-5": GRAD + 1.0, "h=0.01": GRAD + 1.0}
    assert rule_id(both_wrong, expected) != "ignored_argument"


def test_every_rule_id_is_documented_for_course_authors():
    from pathlib import Path

    from grader.diagnose.whole import RULE_IDS

    text = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert [r for r in RULE_IDS if f"`{r}`" not in text] == []


def test_a_history_with_one_entry_per_instance_is_named_a_single_pass():
    X = RNG.standard_normal((4, 2))
    expected = (np.array([-4.0, 4.0, 2.0]), [1, 3, 2, 1, 2, 1, 1, 0])
    single = (np.array([2.0, 2.0, 2.0]), [1, 1, 2, 1])
    assert with_inputs(single, expected, (X, np.ones(4)), CTX).id == "one_pass"
    assert with_inputs((expected[0].copy(), list(expected[1])), expected, (X, np.ones(4)), CTX) is None
    converged = (np.array([2.0, 2.0, 2.0]), [3, 1, 1, 0])  # four entries that end in 0: it stopped on convergence
    assert with_inputs(converged, expected, (X, np.ones(4)), CTX) is None
