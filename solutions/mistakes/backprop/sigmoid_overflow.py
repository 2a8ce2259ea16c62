"""Naive sigmoid that overflows in exp for large negative F."""
import numpy as np

MISTAKE = "Sigmoid computed as 1 / (1 + exp(-F)) for every F: exp overflows (a warning, inf) when F is very negative"
RELATED = "nan"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("exp(-F) overflows for F below about -709. Evaluate the sigmoid with an exponential that never "
        "overflows, e.g. exp(-|F|), choosing the algebraically equal form for F >= 0 and for F < 0.")


def activation_forward(F, name):
    _check_name(name)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-F))
    if name == "tanh":
        return np.tanh(F)
    if name == "relu":
        return np.maximum(F, 0.0)
    return F.copy()
