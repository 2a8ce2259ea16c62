"""p read as the probability of keeping a unit."""
import numpy as np

MISTAKE = "p used as the keep probability: units are kept with probability p (and scaled by 1/p) instead of dropped with it"
RELATED = "scale_by_p nan factor_other factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "In this course p is the probability of DROPPING a unit; a unit is kept with probability 1 - p. Check which side of the comparison with p a kept unit falls on."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A.copy(), None
    keep = rng.random(A.shape) < p
    return A * keep / p, keep


def dropout_backward(d_out, mask, p):
    _check_p(p)
    return np.asarray(d_out, dtype=np.float64) * mask / p
