"""The output layer's activation derivative skipped in the backward pass."""
import numpy as np

MISTAKE = "mlp_backward uses dY_hat as dF of the output layer, forgetting the output activation's derivative"
HINT = ("Y_hat = g_L(F_L), so the chain rule gives dF_L = dY_hat * g_L'(F_L) for the output layer too; "
        "it equals dY_hat only when g_L is linear.")


def mlp_backward(dY_hat, cache):
    dA = np.asarray(dY_hat, dtype=np.float64)
    grads = {}
    for l in range(len(cache), 0, -1):
        A_prev, W, F, name = cache[l - 1]
        dF = dA.copy() if l == len(cache) else activation_backward(dA, F, name)
        dA, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dF, A_prev, W)
    return {key: grads[key] for l in range(1, len(cache) + 1) for key in (f"W{l}", f"b{l}")}
