"""numerical_gradient ignores its h argument."""
import numpy as np

MISTAKE = "numerical_gradient ignores its h argument and always steps by 1e-5"
RELATED = "ignored_argument"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Use the step h the caller passes; 1e-5 is only its default value."


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    grad = np.zeros_like(point)
    flat = point.reshape(-1)
    out = grad.reshape(-1)
    step = 1e-5
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + step
        plus = float(f(point))
        flat[i] = old - step
        minus = float(f(point))
        flat[i] = old
        out[i] = (plus - minus) / (2 * step)
    return grad
