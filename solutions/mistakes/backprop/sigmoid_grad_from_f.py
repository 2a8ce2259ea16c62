"""sigmoid' evaluated as F (1 - F) on the pre-activation instead of A (1 - A)."""
import numpy as np

MISTAKE = "sigmoid' computed from the pre-activation F as F (1 - F) instead of from A = sigmoid(F) as A (1 - A)"
HINT = ("The identity sigmoid'(f) = sigma(1 - sigma) is written with the OUTPUT of the sigmoid. "
        "activation_backward receives F, so compute A = sigmoid(F) first and use it in the derivative.")


def activation_backward(dA, F, name):
    _check_name(name)
    dA = np.asarray(dA, dtype=np.float64)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        return dA * F * (1.0 - F)
    if name == "tanh":
        A = np.tanh(F)
        return dA * (1.0 - A * A)
    if name == "relu":
        return dA * (F > 0)
    return dA.copy()
