"""activation_backward multiplies dA in place."""
import numpy as np

MISTAKE = "activation_backward multiplies dA in place (dA *= g'(F)) and returns it, changing the caller's array"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("An operation like `dA *= ...` or `dA[mask] = 0` writes into the caller's array. Build a new array "
        "(dF = dA * ...) so that every input is left exactly as it was.")


def activation_backward(dA, F, name):
    _check_name(name)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        A = _sigmoid(F)
        dA *= A * (1.0 - A)
    elif name == "tanh":
        A = np.tanh(F)
        dA *= 1.0 - A * A
    elif name == "relu":
        dA[F <= 0] = 0.0
    return dA
