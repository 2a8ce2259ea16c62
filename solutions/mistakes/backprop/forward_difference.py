"""One-sided instead of central differences."""
import numpy as np

MISTAKE = "numerical_gradient uses the one-sided difference (f(x + h e_i) - f(x)) / h instead of the central one"
RELATED = "precision"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("The central difference (f(x + h e_i) - f(x - h e_i)) / (2h) has an error of order h^2 instead of h: "
        "with h = 1e-5 that is about 1e-10 instead of 1e-5.")


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    grad = np.zeros_like(point)
    flat = point.reshape(-1)
    out = grad.reshape(-1)
    base = float(f(point))
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = float(f(point))
        flat[i] = old
        out[i] = (plus - base) / h
    return grad
