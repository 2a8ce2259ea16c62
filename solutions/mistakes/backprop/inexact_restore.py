"""x perturbed in place and 'restored' by arithmetic."""
import numpy as np

MISTAKE = ("numerical_gradient perturbs x in place and undoes it by arithmetic (+h, -2h, +h), "
           "which leaves rounding errors in x")
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("In floating point x + h - 2h + h is not always x. Save the original value and put it back, or "
        "perturb a copy of x.")


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size):
        flat[i] += h
        plus = float(f(x))
        flat[i] -= 2 * h
        minus = float(f(x))
        flat[i] += h
        out[i] = (plus - minus) / (2 * h)
    return grad
