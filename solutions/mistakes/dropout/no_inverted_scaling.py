"""Kept units not scaled by 1/(1 - p)."""
import numpy as np

MISTAKE = "No inverted scaling: the kept units are not divided by 1 - p, so the mean drops to (1 - p) times the input's"
RELATED = "backward_unscaled factor_other factor_m factor_2 factor_half"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Inverted dropout rescales the units it keeps so that every unit's expected value is unchanged; the gradient is rescaled the same way."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A.copy(), None
    keep = rng.random(A.shape) >= p
    return A * keep, keep


def dropout_backward(d_out, mask, p):
    _check_p(p)
    return np.asarray(d_out, dtype=np.float64) * mask
