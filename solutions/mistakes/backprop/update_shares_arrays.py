"""A new dict whose arrays are the caller's, updated in place."""
import numpy as np

MISTAKE = ("gradient_descent_step copies the dict but updates its arrays in place (P -= lr * dP), "
           "changing the caller's params")
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("dict(params) or params.copy() copies only the dict: its values are still the caller's arrays. "
        "Compute new arrays (P - lr * dP) instead of subtracting in place.")


def gradient_descent_step(params, grads, lr):
    new = dict(params)
    for key in new:
        new[key] -= lr * grads[key]
    return new
