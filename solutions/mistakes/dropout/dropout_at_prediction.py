"""Units dropped at prediction time too."""
import numpy as np

MISTAKE = "Dropout applied at prediction: train is ignored and units are dropped (and the rng used) when predicting"
RELATED = "network_ignores_train ignored_argument"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Dropout is a training-time regulariser only: for prediction every unit is used, and the random generator is not touched."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    keep = rng.random(A.shape) >= p
    return A * keep / (1.0 - p), keep
