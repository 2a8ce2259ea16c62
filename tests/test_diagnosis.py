"""grader.diagnosis: naming the misconception behind a wrong output (catalogued mistakes, numeric signatures)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.checks import Tolerance
from grader.diagnosis import (Diagnosis, Mistake, affects, call_graph, diagnose, load_catalogue, matching_mistakes,
                              numeric_signature, prefer_consistent)
from grader.errors import SpecError

TOL = Tolerance()
RNG = np.random.default_rng(7)
EXPECTED = RNG.standard_normal((3, 5)) + 0.5  # non-square, no exact zeros


def signature_id(got, expected=EXPECTED, tol=TOL):
    found = numeric_signature(got, expected, tol)
    return None if found is None else found.id


# --- numeric signatures ---------------------------------------------------------------------


@pytest.mark.parametrize("factor, expected_id", [
    (2.0, "factor_2"), (0.5, "factor_half"), (-1.0, "sign"), (3.0, "factor_m"), (8.0, "factor_m"),
    (1 / 4, "factor_m"), (1 / 7, "factor_m"), (-3.0, "factor_m"),
])
def test_a_constant_factor_is_recognised(factor, expected_id):
    assert signature_id(EXPECTED * factor) == expected_id


def test_the_factor_m_name_gives_the_factor():
    found = numeric_signature(EXPECTED * 4, EXPECTED, TOL)
    assert "4" in found.name and found.hint


@pytest.mark.parametrize("factor", [1.5, 2.5, 0.3, 1.0001, -2.5, 0.4])
def test_a_factor_that_is_not_a_whole_number_or_its_inverse_is_not_named(factor):
    assert signature_id(EXPECTED * factor) is None


def test_a_transposed_2d_array_is_recognised():
    assert signature_id(EXPECTED.T.copy()) == "transposed"


def test_a_square_array_cannot_be_called_transposed():
    square = RNG.standard_normal((3, 3))
    assert signature_id(square.T.copy(), square) != "transposed"  # only "the right values in another order"


def test_a_float32_copy_is_recognised():
    assert signature_id(EXPECTED.astype(np.float32)) == "float32"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_where_finite_is_expected_is_recognised(bad):
    got = EXPECTED.copy()
    got[1, 2] = bad
    assert signature_id(got) == "nan"


def test_a_scalar_factor_is_recognised():
    assert signature_id(2 * 1.25, 1.25) == "factor_2"
    assert signature_id(np.float64(-1.25), 1.25) == "sign"


def test_unrelated_errors_have_no_signature():
    assert signature_id(EXPECTED + RNG.standard_normal(EXPECTED.shape)) is None
    assert signature_id(EXPECTED + 1.0) is None
    assert signature_id(np.zeros_like(EXPECTED)) is None
    assert signature_id(EXPECTED[:2]) is None
    assert signature_id("a string") is None
    assert signature_id(None) is None


def test_a_correct_output_has_no_signature():
    assert signature_id(EXPECTED.copy()) is None
    assert signature_id(EXPECTED * (1 + 1e-9)) is None
    assert signature_id({"a": EXPECTED.copy()}, {"a": EXPECTED}) is None


def test_a_factor_that_holds_only_where_the_expected_value_is_nonzero_is_not_named():
    expected = np.array([0.0, 1.0, 2.0, -3.0])
    assert signature_id(np.array([0.0, 2.0, 4.0, -6.0]), expected) == "factor_2"
    assert signature_id(np.array([5.0, 2.0, 4.0, -6.0]), expected) is None


def test_the_first_wrong_leaf_of_a_nested_output_decides():
    expected = {"loss": 0.75, "grads": (EXPECTED, EXPECTED[:, :2])}
    got = {"loss": 0.75, "grads": (EXPECTED * 2, -EXPECTED[:, :2])}
    assert signature_id(got, expected) == "factor_2"
    got = {"loss": 0.75, "grads": (EXPECTED.copy(), -EXPECTED[:, :2])}
    assert signature_id(got, expected) == "sign"


def test_a_nested_leaf_that_is_wrong_in_an_unrelated_way_stops_the_search():
    expected = (EXPECTED, EXPECTED)
    assert signature_id((EXPECTED + 1.0, EXPECTED * 2), expected) is None


# --- catalogued mistakes --------------------------------------------------------------------


def mistake(mid: str, tmp_path: Path) -> Mistake:
    return Mistake(mid, f"Mistake {mid}", f"Hint for {mid}.", tmp_path / f"{mid}.py")


def test_a_catalogued_mistake_whose_output_matches_is_named_before_any_signature(tmp_path):
    expected = EXPECTED
    got = expected * 2  # also the factor_2 signature
    catalogue = {"doubled": mistake("doubled", tmp_path), "other": mistake("other", tmp_path)}
    outputs = {"doubled": expected * 2, "other": expected + 1}
    found = diagnose(got, expected, TOL, outputs, catalogue)
    assert [d.id for d in found] == ["doubled"]
    assert "Mistake doubled" in found[0].name and found[0].hint == "Hint for doubled."
    assert "Mistake doubled. Hint for doubled." in found[0].sentence


def test_without_a_matching_mistake_the_signature_is_given(tmp_path):
    catalogue = {"other": mistake("other", tmp_path)}
    found = diagnose(EXPECTED * 2, EXPECTED, TOL, {"other": EXPECTED + 1}, catalogue)
    assert [d.id for d in found] == ["factor_2"]


def test_without_mistake_or_signature_there_is_no_diagnosis(tmp_path):
    assert diagnose(EXPECTED + 1, EXPECTED, TOL, {}, {}) == []


def test_a_mistake_that_gives_the_expected_output_is_never_named(tmp_path):
    catalogue = {"harmless": mistake("harmless", tmp_path)}
    # the student is right on these inputs, and so is the mistake: naming it would be wrong
    assert matching_mistakes(EXPECTED.copy(), EXPECTED, {"harmless": EXPECTED.copy()}, catalogue, TOL) == []
    # the student is wrong in another way; the mistake still gives the expected output
    assert matching_mistakes(EXPECTED + 1, EXPECTED, {"harmless": EXPECTED + 1e-12}, catalogue, TOL) == []


def test_every_matching_mistake_is_a_candidate_and_unknown_ids_are_ignored(tmp_path):
    catalogue = {"a": mistake("a", tmp_path), "b": mistake("b", tmp_path)}
    outputs = {"a": EXPECTED * 3, "b": EXPECTED * 3, "gone": EXPECTED * 3}
    found = matching_mistakes(EXPECTED * 3, EXPECTED, outputs, catalogue, TOL)
    assert sorted(d.id for d in found) == ["a", "b"]


def d(mid: str) -> Diagnosis:
    return Diagnosis(mid, mid, "")


def test_prefer_consistent_picks_the_candidate_explaining_the_most_cases():
    per_case = [[d("zero_positive"), d("np_sign")], [d("np_sign")], [], [d("np_sign"), d("zero_positive")], [d("other")]]
    chosen = prefer_consistent(per_case)
    assert [c.id if c else None for c in chosen] == ["np_sign", "np_sign", None, "np_sign", "other"]


def test_prefer_consistent_counts_a_candidate_once_per_case():
    per_case = [[d("a"), d("a"), d("a"), d("b")], [d("b")], [d("a"), d("b")]]
    assert [c.id for c in prefer_consistent(per_case)] == ["b", "b", "b"]


def test_affects_follows_calls_through_the_reference():
    reference = call_graph("def outer(x):\n    return inner(x)\n\ndef inner(x):\n    return x\n\ndef other(x):\n    return x\n")
    assert affects(reference, "def inner(x):\n    return -x\n", {"outer"})
    assert not affects(reference, "def other(x):\n    return -x\n", {"outer"})


# --- the catalogue on disk ------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_load_catalogue_reads_id_name_and_hint_of_each_file_in_order(tmp_path):
    write(tmp_path, "zeta_mistake.py", '''
        """Docstring."""
        MISTAKE = "Zeta name"
        HINT = "Zeta hint."

        def f(x):
            return x
    ''')
    write(tmp_path, "alpha_mistake.py", 'MISTAKE = "Alpha name"\nHINT = "Alpha hint."\n')
    write(tmp_path, "_helper.py", "this is not even python(")
    write(tmp_path, "notes.txt", "MISTAKE = 'ignored'")
    catalogue = load_catalogue(tmp_path)
    assert [(m.id, m.name, m.hint) for m in catalogue] == [
        ("alpha_mistake", "Alpha name", "Alpha hint."), ("zeta_mistake", "Zeta name", "Zeta hint."),
    ]
    assert catalogue[1].path == tmp_path / "zeta_mistake.py"
    assert "def f(x):" in catalogue[1].source


def test_load_catalogue_of_a_missing_folder_is_empty(tmp_path):
    assert load_catalogue(tmp_path / "nope") == []


@pytest.mark.parametrize("text, fragment", [
    ('HINT = "h"\n', "MISTAKE"),
    ('MISTAKE = "m"\n', "HINT"),
    ('MISTAKE = "m"\nHINT = 3\n', "HINT"),
    ('MISTAKE = "m"\nHINT = "h"\ndef f(x)\n    return x\n', "syntax error"),
])
def test_a_bad_mistake_file_is_a_spec_error_naming_the_file(tmp_path, text, fragment):
    path = write(tmp_path, "broken.py", text)
    with pytest.raises(SpecError) as info:
        load_catalogue(tmp_path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_a_mistake_file_that_is_not_utf8_is_a_spec_error_naming_the_file(tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b'MISTAKE = "caf\xe9"\nHINT = "h"\n')
    with pytest.raises(SpecError) as info:
        load_catalogue(tmp_path)
    assert str(path) in str(info.value)


def test_every_real_catalogue_loads(course):
    for slug in course.slugs():
        catalogue = load_catalogue(course.assignment(slug).mistakes_dir)
        assert catalogue, slug
        assert all(m.name and m.hint for m in catalogue)


def test_a_tie_goes_to_the_mistake_contradicted_by_fewer_passed_cases():
    from grader.diagnosis import Diagnosis, prefer_consistent

    deep = Diagnosis("deep", "dropout_forward ignores train", "")
    shallow = Diagnosis("shallow", "the network passes train=True", "")
    per_case = [[deep, shallow], [deep, shallow], []]
    contradicted = {"deep": 2, "shallow": 0}  # the student passed the cases that test dropout_forward itself
    assert prefer_consistent(per_case, contradicted.__getitem__) == [shallow, shallow, None]
    assert prefer_consistent(per_case, {"deep": 0, "shallow": 1}.__getitem__) == [deep, deep, None]
