"""The perceptron's case generators: the PLA runs they replay in integers are the stepwise ones."""
from pathlib import Path

import numpy as np
import pytest

from grader.spec import Course

CASES = Course(Path(__file__).resolve().parents[2]).assignment("perceptron").case_module
VARIANTS = ({}, *CASES.SLIPS, *CASES.THRESHOLD_SLIPS, {"flip": True, "pick": -1}, {"flip": True, "sgn0": 0, "bias": False},
            {"sweep": True, "sgn0": 0}, {"single": True, "sgn0": 0}, {"pick": -1, "sgn0": 1, "stop": "count"})


def _data(rng):
    """Separable or noisy integer data, as the generators draw them, or plain random labels."""
    m, n = int(rng.choice([2, 8, 16])), int(rng.integers(1, 4))
    if rng.random() < 0.25:
        return rng.integers(-5, 6, size=(m, n)).astype(float), rng.choice([-1, 1], size=m)
    X, y = CASES._separable(rng, m, n)
    if rng.random() < 0.5:
        y = y.copy()
        y[rng.choice(m, min(m, 3), replace=False)] *= -1
    return X, y


@pytest.mark.parametrize("seed", range(4))
def test_the_replayed_runs_are_the_stepwise_runs(seed):
    rng = np.random.default_rng(seed)
    for _ in range(8):
        X, y = _data(rng)
        lr = float(rng.choice([0.5, 1.0, 2.0]))
        w_init = None if rng.random() < 0.5 else rng.integers(-2, 3, size=X.shape[1] + 1).astype(float)
        max_iter, threshold = int(rng.choice([3, 100, 1000])), float(rng.choice([0.0, 0.125, 0.25]))
        assert CASES._replay.PackedPLA.of(X, y, lr, max_iter, w_init) is not None
        for variant in VARIANTS:
            w, history = CASES._pla(X, y, lr, max_iter, w_init, threshold=threshold, **variant)
            w_stepwise, history_stepwise = CASES._pla_stepwise(X, y, lr, max_iter, w_init, threshold=threshold, **variant)
            assert (w.dtype, w.tobytes(), history) == (w_stepwise.dtype, w_stepwise.tobytes(), history_stepwise), variant


def test_inexact_arguments_run_stepwise():
    X, y = np.array([[0.5, 1.0], [1.0, -1.0], [-2.0, 0.25]]), np.array([1, -1, -1])
    assert CASES._replay.PackedPLA.of(X, y, 1.0, 50, None) is None
    assert CASES._replay.PackedPLA.of(np.round(X), y, 0.3, 50, None) is None
    w, history = CASES._pla(X, y, 1.0, 50, None)
    w_stepwise, history_stepwise = CASES._pla_stepwise(X, y, 1.0, 50, None)
    assert (w.tolist(), history) == (w_stepwise.tolist(), history_stepwise)
