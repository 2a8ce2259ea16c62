"""The input array modified in place."""
import numpy as np

MISTAKE = "In-place update (A *= keep): the caller's activations (or gradient) are overwritten"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Augmented assignments such as *= and /= write into the array you were given; compute a new array and leave the arguments as they were."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    if not train:
        return A, None
    keep = rng.random(A.shape) >= p
    A *= keep
    A /= 1.0 - p
    return A, keep


def dropout_backward(d_out, mask, p):
    _check_p(p)
    d_out *= mask
    d_out /= 1.0 - p
    return d_out
