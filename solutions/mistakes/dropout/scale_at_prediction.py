"""Prediction output multiplied by 1 - p on top of the inverted scaling in training."""
import numpy as np

MISTAKE = "Scaling by (1 - p) at prediction: with inverted dropout the training pass already rescales, so prediction must return A unscaled"
RELATED = "factor_other factor_m factor_2 factor_half"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Inverted dropout puts all the rescaling in the training pass; reread what the prediction output must equal."


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A * (1.0 - p), None
    keep = rng.random(A.shape) >= p
    return A * keep / (1.0 - p), keep
