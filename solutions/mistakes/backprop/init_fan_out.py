"""Weights scaled by 1/sqrt(fan-out)."""
import numpy as np

MISTAKE = "init_params scales W{l} by 1 / sqrt(n_l) (fan-out) instead of 1 / sqrt(n_{l-1}) (fan-in)"
RELATED = "factor_other"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("The scale keeps the variance of F = W.T @ A_prev near that of A_prev: F sums n_{l-1} terms, "
        "so divide by the square root of the number of INPUTS of the layer.")


def init_params(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        n_prev, n = int(layer_sizes[l - 1]), int(layer_sizes[l])
        params[f"W{l}"] = rng.standard_normal((n_prev, n)) / np.sqrt(n)
        params[f"b{l}"] = np.zeros((n, 1))
    return params
