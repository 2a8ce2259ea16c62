"""A valid mask from a different expression than the spec's draw."""
import numpy as np

MISTAKE = "A different mask expression (rng.random(A.shape) < 1 - p): the statistics are right but the mask is not the spec's draw"
RELATED = "other_mask"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Build the mask from the spec's one draw compared with p exactly as the handout writes it: with the same seeded generator your mask must reproduce the reference's unit for unit."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A.copy(), None
    keep = rng.random(A.shape) < 1.0 - p
    return A * keep / (1.0 - p), keep
