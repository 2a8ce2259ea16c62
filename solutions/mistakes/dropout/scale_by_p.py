"""Kept units divided by p instead of 1 - p."""
import numpy as np

MISTAKE = "Kept units scaled by 1/p instead of 1/(1 - p)"
RELATED = "keep_probability nan factor_other factor_m factor_2 factor_half"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The scale factor is one over the probability that a unit is KEPT; p is the probability that it is dropped."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A.copy(), None
    keep = rng.random(A.shape) >= p
    return A * keep / p, keep


def dropout_backward(d_out, mask, p):
    _check_p(p)
    return np.asarray(d_out, dtype=np.float64) * mask / p
