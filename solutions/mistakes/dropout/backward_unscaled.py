"""Backward pass forgets the 1/(1 - p) factor."""
import numpy as np

MISTAKE = "Backward without the 1/(1 - p) factor: the forward scales the kept units, so their gradient must be scaled too"
RELATED = "no_inverted_scaling factor_other factor_m factor_2 factor_half"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Differentiate out = A * mask / (1 - p) with respect to A: every factor of the forward appears in the gradient."


def dropout_backward(d_out, mask, p):
    _check_p(p)
    return np.asarray(d_out, dtype=np.float64) * mask
