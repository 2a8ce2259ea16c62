"""Weights drawn as (n_l, n_{l-1}) and transposed."""
import numpy as np

MISTAKE = "init_params draws each W as an (n_l, n_{l-1}) array and transposes it: right shape, wrong numbers"
RELATED = "permutation"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Draw exactly rng.standard_normal((n_{l-1}, n_l)): a generator fills an array in row-major order, "
        "so the shape you ask for decides which number lands where.")


def init_params(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        n_prev, n = int(layer_sizes[l - 1]), int(layer_sizes[l])
        params[f"W{l}"] = rng.standard_normal((n, n_prev)).T / np.sqrt(n_prev)
        params[f"b{l}"] = np.zeros((n, 1))
    return params
