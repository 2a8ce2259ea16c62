"""relu'(0) taken as 1."""
import numpy as np

MISTAKE = "relu'(0) taken as 1 (F >= 0) instead of 0 (F > 0)"
HINT = "The assignment fixes relu'(f) = 1 only for f > 0; at f = 0 exactly the derivative is taken as 0."


def activation_backward(dA, F, name):
    _check_name(name)
    dA = np.asarray(dA, dtype=np.float64)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        A = _sigmoid(F)
        return dA * A * (1.0 - A)
    if name == "tanh":
        A = np.tanh(F)
        return dA * (1.0 - A * A)
    if name == "relu":
        return dA * (F >= 0)
    return dA.copy()
