"""The `perceptron` reference: the lecture's error threshold of the PLA (the rest is covered by the CLI tests)."""
from pathlib import Path

import numpy as np
import pytest

from grader.cases import case_rng, execute
from grader.spec import Course, import_file

ASSIGNMENT = Course(Path(__file__).resolve().parents[2]).assignment("perceptron")
REF = import_file(ASSIGNMENT.solution_path, "perceptron_reference_under_test")
CASES = ASSIGNMENT.case_module
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_the_default_threshold_changes_nothing():
    for y in ([-1, -1, -1, 1], [-1, 1, 1, 1]):
        w, history = REF.train(CORNERS, np.array(y), 1.0)
        assert (w.tolist(), history) == (REF.train(CORNERS, np.array(y), 1.0, error_threshold=0.0)[0].tolist(), history)
    assert REF.train(CORNERS, np.array([-1, -1, -1, 1]))[0].tolist() == [-4.0, 4.0, 2.0]
    w, history = REF.train(CORNERS, np.array([-1, 1, 1, -1]), 1.0, 7)  # XOR never reaches 0: max_iter
    assert len(history) == 7 and history[-1] > 0


def test_training_stops_at_the_first_error_at_most_the_threshold():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    y = np.array([-1, -1, -1, 1, 1, -1, 1, -1])
    _, unlimited = REF.train(X, y, 1.0, 200)
    assert len(unlimited) == 200 and min(unlimited) > 0  # not separable
    for threshold in (0.125, 0.25, 0.375, 0.5):
        _, history = REF.train(X, y, 1.0, 200, None, error_threshold=threshold)
        assert history[-1] / len(y) <= threshold and all(h / len(y) > threshold for h in history[:-1])


@pytest.mark.parametrize("student", ["alice", "bob", "carol", "dave"])
def test_the_random_threshold_case_stops_at_exactly_k_so_strict_and_non_strict_differ(student):
    probe = CASES.train_threshold_random(case_rng("perceptron", "train_threshold_random", student, "test-secret"))
    X, y, lr = probe.args[:3]
    threshold = probe.kwargs["error_threshold"]
    m = len(y)
    assert m in (8, 16) and (threshold * m).is_integer()  # k / m: exact in binary, so <= and * m agree
    _, history = execute(probe, REF)
    assert history[-1] == threshold * m


def test_the_handout_explains_why_x_is_m_by_n_here():
    text = (ASSIGNMENT.folder / "handout.md.j2").read_text()
    assert "Why rows here" in text and "instances as columns" in text and "error_threshold" in text
