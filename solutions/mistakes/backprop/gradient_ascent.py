"""Parameters moved along the gradient instead of against it."""
import numpy as np

MISTAKE = "gradient_descent_step adds lr * dP (gradient ascent) instead of subtracting it"
RELATED = "update_sign"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The gradient points to where the loss increases; descent moves every parameter the opposite way."


def gradient_descent_step(params, grads, lr):
    return {key: np.asarray(value, dtype=np.float64) + lr * np.asarray(grads[key], dtype=np.float64)
            for key, value in params.items()}
