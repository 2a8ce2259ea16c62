"""grader.checks: comparing outputs with the reference (type, shape, dtype, NaN/inf, values) and gradient checks."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks import Tolerance, Verdict, central_difference, compare, gradient_check, matches, relative_error

# --- shapes ---------------------------------------------------------------------------------


def test_column_where_a_vector_is_expected_fails_although_allclose_broadcasts():
    got, expected = np.ones((3, 1)), np.ones(3)
    assert np.allclose(got, expected)  # the trap this check exists for
    verdict = compare(got, expected)
    assert not verdict.passed and verdict.fraction == 0.0
    assert "shape (3, 1), expected (3,)" in verdict.message
    assert "reshape, keepdims or transpose" in verdict.message
    assert verdict.details["got_shape"] == [3, 1] and verdict.details["expected_shape"] == [3]


def test_transposed_matrix_fails_with_the_reshape_hint():
    expected = np.arange(6.0).reshape(2, 3)
    verdict = compare(expected.T, expected)
    assert "shape (3, 2), expected (2, 3)" in verdict.message
    assert "transpose" in verdict.message


def test_shape_with_a_different_size_fails_without_the_reshape_hint():
    verdict = compare(np.ones(2), np.ones(3))
    assert "shape (2,), expected (3,)" in verdict.message
    assert "reshape" not in verdict.message


# --- dtypes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("got, expected, fragment", [
    (np.array([1, 2]), np.array([1.0, 2.0]), "dtype is int64, expected floating point"),
    (np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.0]), "dtype is float32, expected float64"),
    (np.array([1.0, 2.0]), np.array([1, 2]), "dtype is float64, expected an integer dtype"),
    (np.array([True, False]), np.array([1, 0]), "dtype is bool, expected an integer dtype"),
    (np.array([1, 0]), np.array([True, False]), "dtype is int64, expected bool"),
    (np.array([True, False]), np.array([1.0, 0.0]), "dtype is bool, expected floating point"),
    (np.array([1 + 0j]), np.array([1.0]), "dtype is complex128, expected float64"),
])
def test_right_values_in_the_wrong_dtype_earn_half_and_say_so_in_one_line(got, expected, fragment):
    assert np.array_equal(got, expected)
    verdict = compare(got, expected)
    assert verdict.fraction == 0.5
    assert verdict.message.startswith("right values, wrong dtype") and fragment in verdict.message
    assert verdict.details["got_dtype"] == str(got.dtype)


def test_wrong_values_in_the_wrong_dtype_earn_nothing():
    assert compare(np.array([1, 3]), np.array([1.0, 2.0])).fraction == 0.0


def test_float32_inside_is_named_as_lost_precision_with_half_credit():
    expected = np.linspace(0.1, 3.0, 12)
    got = expected * (1 + 2e-5)  # what float32 arithmetic over many terms, cast back, looks like
    verdict = compare(got, expected)
    assert verdict.fraction == 0.5 and verdict.message.startswith("right formula, precision lost")
    assert compare(expected * 1.01, expected).fraction == 0.0  # a real error is not a slip


def test_a_slip_in_one_item_does_not_hide_a_wrong_later_item():
    assert compare([np.array([1, 2]), np.array([5.0])], [np.array([1.0, 2.0]), np.array([6.0])]).fraction == 0.0
    assert compare({"a": np.array([1, 2]), "b": 3.0}, {"a": np.array([1.0, 2.0]), "b": 3.0}).fraction == 0.5


def test_higher_precision_float_and_another_integer_width_are_accepted():
    assert compare(np.array([0.5, 1.5]), np.array([0.5, 1.5], dtype=np.float32)).passed
    assert compare(np.array([1, 2], dtype=np.int32), np.array([1, 2], dtype=np.int64)).passed


# --- NaN and inf ------------------------------------------------------------------------------


def test_nan_where_a_finite_value_is_expected_names_nan_and_its_index():
    verdict = compare(np.array([1.0, 2.0, np.nan]), np.array([1.0, 2.0, 3.0]))
    assert not verdict.passed
    assert "NaN at index [2]" in verdict.message
    assert verdict.details["non_finite"] == "NaN"


def test_inf_where_a_finite_value_is_expected_names_inf_and_its_index():
    verdict = compare(np.array([[1.0, 2.0], [-np.inf, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert "inf at index [1, 0]" in verdict.message
    assert verdict.details["non_finite"] == "inf"


def test_nan_in_both_is_accepted_in_tolerant_and_exact_mode():
    values = np.array([1.0, np.nan, 3.0])
    assert compare(values.copy(), values).passed
    assert compare(values.copy(), values, Tolerance(exact=True)).passed


def test_matching_infinities_are_accepted():
    values = np.array([np.inf, -np.inf, 1.0])
    assert compare(values.copy(), values).passed
    assert compare(values.copy(), values, Tolerance(exact=True)).passed


@pytest.mark.parametrize("tol", [Tolerance(), Tolerance(exact=True), Tolerance(rtol=1e300, atol=1e300)],
                         ids=["default", "exact", "huge"])
@pytest.mark.parametrize("got, expected", [
    ([np.nan], [1.0]), ([1.0], [np.nan]), ([np.inf], [np.nan]), ([-np.inf], [np.inf]), ([5.0], [np.inf]),
    ([np.nan], [np.inf]),
], ids=["nan-for-finite", "finite-for-nan", "inf-for-nan", "minus-inf-for-inf", "finite-for-inf", "nan-for-inf"])
def test_a_non_finite_mismatch_never_passes_whatever_the_tolerance(got, expected, tol):
    # the `not err > tol` trap: a NaN error compares False with everything
    assert not compare(np.array(got), np.array(expected), tol).passed


# --- tolerance --------------------------------------------------------------------------------


def bound(expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """|s - r| <= atol * max(1, max|r|) + rtol * |r|, written out independently of the grader."""
    return atol * max(1.0, float(np.max(np.abs(expected)))) + rtol * np.abs(expected)


TOL = Tolerance(rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("expected", [
    np.array([3.0, -0.5, 1e-3, 0.0, 250.0]),   # max|r| > 1: atol is scaled
    np.array([0.0, 0.5, -0.25]),                # max|r| < 1: atol used as is
])
def test_values_just_inside_the_bound_pass_and_just_outside_fail(expected):
    b = bound(expected, TOL.rtol, TOL.atol)
    signs = np.where(np.arange(expected.size) % 2 == 0, 1.0, -1.0)
    assert compare(expected + 0.9 * b * signs, expected, TOL).passed
    for i in range(expected.size):
        outside = expected + 0.9 * b * signs
        outside[i] = expected[i] + 1.1 * b[i] * signs[i]
        verdict = compare(outside, expected, TOL)
        assert not verdict.passed, i
        assert verdict.details["first_bad_index"] == [i]


def test_absolute_tolerance_scales_with_the_largest_expected_value():
    expected = np.array([0.0, 1e6])
    got = np.array([0.5 * 1e-8 * 1e6, 1e6])  # half of atol * max|r| off where r == 0
    assert compare(got, expected).passed
    assert not compare(np.array([2e-8 * 1e6, 1e6]), expected).passed


def test_default_tolerance_is_rtol_1e6_atol_1e8():
    assert Tolerance() == Tolerance(rtol=1e-6, atol=1e-8, exact=False)
    expected = np.array([2.0])
    assert compare(expected * (1 + 0.4e-6), expected).passed
    assert not compare(expected * (1 + 2e-6), expected).passed


def test_exact_mode_rejects_a_rounding_difference():
    expected = np.array([0.1 + 0.2])
    assert compare(np.array([0.3]), expected).passed
    verdict = compare(np.array([0.3]), expected, Tolerance(exact=True))
    assert not verdict.passed
    assert compare(expected.copy(), expected, Tolerance(exact=True)).passed


def test_integers_are_always_compared_exactly():
    expected = np.array([10**15], dtype=np.int64)
    assert not compare(expected + 1, expected, Tolerance(rtol=1e-3, atol=1e-3)).passed


# --- what the verdict reports ------------------------------------------------------------------


def test_first_bad_index_of_a_2d_array_is_in_row_major_order():
    expected = np.zeros((3, 4))
    got = expected.copy()
    got[2, 0] = 1.0
    got[1, 2] = -1.0
    verdict = compare(got, expected)
    assert verdict.details["first_bad_index"] == [1, 2]
    assert verdict.details["wrong"] == 2 and verdict.details["size"] == 12
    assert "2 of 12 values wrong" in verdict.message
    assert "index [1, 2]" in verdict.message
    assert verdict.details["got_at_first"] == -1.0 and verdict.details["expected_at_first"] == 0.0


def test_details_give_the_max_absolute_and_relative_errors():
    expected = np.array([1.0, 2.0, 4.0, 0.0])
    got = np.array([1.0, 2.5, 3.0, 0.0])
    verdict = compare(got, expected)
    assert verdict.details["max_abs_err"] == pytest.approx(1.0)          # |3 - 4|
    assert verdict.details["max_rel_err"] == pytest.approx(0.25)         # 0.5 / 2 and 1 / 4
    assert "max abs err 1" in verdict.message


def test_small_arrays_are_shown_in_the_details():
    verdict = compare(np.array([1.0, 5.0]), np.array([1.0, 2.0]))
    assert "5." in verdict.details["got"] and "2." in verdict.details["expected"]


def test_where_names_the_output_in_the_message():
    verdict = compare(np.ones(2), np.zeros(2), where="dW")
    assert verdict.message.startswith("dW:") and verdict.where == "dW"


# --- nested outputs ---------------------------------------------------------------------------


def test_tuple_item_path_is_in_the_message():
    expected = (np.zeros(2), np.ones(2))
    verdict = compare((np.zeros(2), np.full(2, 2.0)), expected)
    assert verdict.message.startswith("output[1]:")
    assert verdict.where == "output[1]"


def test_dict_key_path_is_in_the_message():
    expected = {"W1": np.ones((2, 3)), "b1": np.zeros(3)}
    verdict = compare({"W1": np.ones((3, 2)), "b1": np.zeros(3)}, expected)
    assert verdict.message.startswith("output['W1']: shape (3, 2), expected (2, 3)")


def test_nested_paths_compose():
    expected = {"grads": [np.zeros(2), {"db": np.zeros(1)}]}
    verdict = compare({"grads": [np.zeros(2), {"db": np.ones(1)}]}, expected)
    assert verdict.where == "output['grads'][1]['db']"


def test_missing_and_extra_dict_keys_are_named():
    verdict = compare({"W": 1.0, "c": 2.0}, {"W": 1.0, "b": 2.0})
    assert "missing keys ['b']" in verdict.message
    assert "unexpected keys ['c']" in verdict.message


def test_list_length_mismatch_gives_both_lengths():
    verdict = compare([1.0, 2.0], [1.0, 2.0, 3.0])
    assert "has 2 items, expected 3" in verdict.message


def test_a_container_where_another_kind_is_expected_fails():
    assert "expected a dict" in compare([1.0], {"a": 1.0}).message
    assert "expected a tuple of 2" in compare(np.zeros(2), (1.0, 2.0)).message
    assert "expected a numpy array of shape (2,)" in compare([0.0, 0.0], np.zeros(2)).message


def test_equal_nested_outputs_pass():
    expected = {"a": (np.arange(3.0), [1, 2.5, "x", None]), "b": True}
    got = {"a": (np.arange(3.0), [1, 2.5, "x", None]), "b": True}
    assert compare(got, expected).passed and matches(got, expected)


# --- scalars ----------------------------------------------------------------------------------


def test_python_float_and_numpy_float64_are_interchangeable():
    assert compare(np.float64(0.5), 0.5).passed
    assert compare(0.5, np.float64(0.5)).passed
    assert compare(0.5, np.array(0.5)).passed


def test_scalar_values_use_the_tolerance():
    assert compare(1.0 + 1e-9, 1.0).passed
    verdict = compare(1.1, 1.0)
    assert not verdict.passed and "expected 1" in verdict.message


def test_float_where_an_integer_is_expected_fails():
    verdict = compare(3.0, 3)
    assert not verdict.passed and "expected an integer" in verdict.message
    assert not compare(np.float64(3.0), np.int64(3)).passed
    assert compare(np.int64(3), 3).passed


@pytest.mark.parametrize("got, expected", [(1, True), (True, 1), (1.0, True), (np.bool_(True), 1.0)])
def test_bool_and_number_are_not_interchangeable(got, expected):
    assert not compare(got, expected).passed


def test_bools_compare_by_value():
    assert compare(np.bool_(True), True).passed
    assert not compare(False, True).passed


def test_a_string_where_a_number_is_expected_fails():
    assert "returned str, expected a number" in compare("1.0", 1.0).message


# --- unusable outputs -------------------------------------------------------------------------


def test_unsupported_object_is_named_by_its_type():
    verdict = compare({"__unsupported__": "generator"}, np.zeros(3))
    assert not verdict.passed
    assert "returned a generator object" in verdict.message


def test_comparing_with_none_gives_a_failing_verdict_not_an_exception():
    verdict = compare(np.zeros(2), None)
    assert isinstance(verdict, Verdict) and not verdict.passed
    assert not compare(None, np.zeros(2)).passed
    assert compare(None, None).passed


# --- verdicts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fraction, expected", [(0.25, 0.25), (1.5, 1.0), (-1.0, 0.0), (float("nan"), 0.0)])
def test_partial_credit_is_clamped_and_nan_earns_nothing(fraction, expected):
    verdict = Verdict.partial(fraction, "statistic")
    assert verdict.fraction == expected
    assert verdict.passed == (expected >= 1.0)


# --- gradients --------------------------------------------------------------------------------


def test_central_difference_of_a_known_function_matches_its_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    c = rng.standard_normal((3, 4))
    numeric = central_difference(lambda v: float(np.sum(np.sin(v) * c)), x)
    np.testing.assert_allclose(numeric, np.cos(x) * c, rtol=0, atol=1e-8)


def test_central_difference_restores_x_exactly():
    x = np.random.default_rng(1).standard_normal(7) * 1e3
    before = x.copy()
    central_difference(lambda v: float(np.sum(v ** 3)), x)
    assert x.tobytes() == before.tobytes()


def test_central_difference_perturbs_x_in_place_for_closures():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    numeric = central_difference(lambda _: float(np.sum(W ** 2)), W)  # CS231n style: f reads W itself
    np.testing.assert_allclose(numeric, 2 * W, atol=1e-8)


def test_central_difference_of_a_non_contiguous_view():
    A = np.arange(1.0, 7.0).reshape(2, 3)
    x = A.T
    numeric = central_difference(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(numeric, 3 * x ** 2, rtol=1e-7)


def test_central_difference_of_a_scalar_input():
    numeric = central_difference(lambda v: float(v ** 2), np.array(1.5))
    assert float(numeric) == pytest.approx(3.0, abs=1e-8)


def test_relative_error_is_zero_for_equal_arrays_and_follows_the_formula():
    a = np.array([1.0, -2.0, 0.0])
    assert relative_error(a, a.copy()) == 0.0
    # max |a - n| / max(1e-8, |a| + |n|): |1 - 3| / 4 = 0.5 beats |-2 - -2| / 4 = 0
    assert relative_error(np.array([1.0, -2.0]), np.array([3.0, -2.0])) == pytest.approx(0.5)
    assert relative_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-12 / 1e-8)


def test_relative_error_is_inf_for_a_shape_mismatch():
    assert relative_error(np.zeros((2, 3)), np.zeros((3, 2))) == float("inf")


def test_gradient_check_passes_within_the_threshold_and_fails_above():
    numeric = np.array([1.0, 2.0])
    close = numeric * (1 + 1e-7)    # relative error ~ 5e-8
    far = numeric * (1 + 1e-3)      # ~ 5e-4
    assert gradient_check(close, numeric, threshold=1e-7).passed
    verdict = gradient_check(far, numeric, threshold=1e-5, where="dW")
    assert not verdict.passed
    assert verdict.message.startswith("dW: relative error")
    assert verdict.details["relative_error"] == pytest.approx(1e-3 / (2 + 1e-3), rel=1e-6)


def test_gradient_check_fails_a_nan_gradient():
    assert not gradient_check(np.array([np.nan]), np.array([1.0]), threshold=1.0).passed


def test_gradient_check_fails_an_all_zero_gradient():
    assert not gradient_check(np.zeros(3), np.array([1.0, -1.0, 2.0])).passed


def test_a_real_array_where_a_complex_one_is_expected_fails():
    verdict = compare(np.array([1.0, 2.0]), np.array([1.0 + 0j, 2.0 + 0j]))
    assert not verdict.passed and "expected complex" in verdict.message
    assert compare(np.array([1.0 + 0j]), np.array([1.0 + 0j])).passed


def test_a_wrong_single_number_is_reported_without_counts_or_indices():
    verdict = compare(1.5, 0.75)
    assert verdict.message == "output: got 1.5, expected 0.75 (abs err 0.75)"


def test_a_gradient_check_on_float32_values_blames_precision_not_the_backward_pass():
    from grader.checks import gradient_check
    numeric = np.array([0.1234567891, -2.5, 3.0e-3])
    analytic = numeric.astype(np.float32).astype(np.float64) * (1 + 3e-5)
    verdict = gradient_check(analytic.astype(np.float32).astype(np.float64), numeric)
    assert not verdict.passed and "float32 precision" in verdict.message


def test_whole_structure_and_quick_comparisons_decide_exactly_as_the_step_by_step_walk():
    """The all-leaves-at-once check and matches() skip work, never change a verdict.

    Random near misses, NaN, inf, huge values, several dtypes, exact tolerances, nested lists,
    tuples and dicts with numbers, strings and None beside the arrays.
    """
    from grader.checks.values import _compare

    rng = np.random.default_rng(7)
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300]
    for trial in range(600):
        e = rng.standard_normal(rng.integers(1, 6, size=rng.integers(0, 3))) * 10.0 ** rng.integers(-9, 9)
        if rng.random() < 0.3:
            e = e.astype(rng.choice([np.int64, np.float32, np.bool_]))
        g = e.copy()
        kind = trial % 5
        if kind == 1 and g.size:
            with np.errstate(over="ignore"):
                g.flat[rng.integers(g.size)] = rng.choice(specials) if g.dtype.kind == "f" else 1
        elif kind == 2 and g.dtype.kind == "f":
            g = g * (1 + rng.choice([1e-7, 1e-5, -1e-6]))
        elif kind == 3:
            g = g.astype(np.float32) if g.dtype.kind != "f" or g.dtype.itemsize == 8 else g.astype(np.float64)
        if rng.random() < 0.2 and e.dtype.kind == "f" and e.size:
            with np.errstate(over="ignore"):
                e.flat[0] = rng.choice(specials)
        x = float(rng.standard_normal())
        y = x if trial % 3 else x * (1 + 1e-5)
        tol = Tolerance(exact=bool(rng.random() < 0.2))
        shapes = [(g, e), ([g, (x, g), None], [e, (y, e), None]), ({"a": g, "b": [3, "s"]}, {"a": e, "b": [3, "s"]}),
                  ([e, g, e * 2], [e, e, e * 2]), ((y, 7), (x, 7)),
                  ([x, 2.0, -3.5, 1e9 * y, 0.0, x], [y, 2.0, -3.5, 1e9 * x, 0.0, y]),
                  ([1, 2, 3, 4, 5, trial], [1, 2, 3, 4, 5, trial + (trial % 2)]), ([1, 2, 3, 4, 5.0], [1, 2, 3, 4, 5]),
                  ([x, x, x, x, float(rng.choice(specials))], [x, x, x, x, float(rng.choice(specials))])]
        for got, expected in shapes:
            walked = _compare(got, expected, tol, "output", False)
            whole = compare(got, expected, tol)
            assert (whole.passed, whole.fraction, whole.message) == (walked.passed, walked.fraction, walked.message)
            assert compare(got, expected, tol, quick=True).passed == walked.passed == matches(got, expected, tol)


def test_a_long_list_of_small_arrays_is_compared_at_once_and_still_names_the_first_bad_one():
    expected = [np.full((2, 2), float(i)) for i in range(300)]
    got = [a.copy() for a in expected]
    assert compare(got, expected).passed
    got[217] = got[217] + 1.0
    verdict = compare(got, expected)
    assert not verdict.passed and verdict.message.startswith("output[217]: 4 of 4 values wrong")
