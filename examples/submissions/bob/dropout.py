"""Bob's dropout: he reads p as the chance that a unit survives."""
import numpy as np


def _check(p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 0 <= p < 1:
        raise ValueError(f"invalid dropout probability {p!r}")


def dropout_forward(A, p, train, rng):
    _check(p)
    if not train:
        return np.array(A, dtype=np.float64), None
    mask = rng.random(A.shape) < p  # keep the unit with probability p
    return A * mask / p, mask


def dropout_backward(d_out, mask, p):
    _check(p)
    return d_out * mask / p


def mlp_dropout_forward(X, params, p, train, rng):
    F1 = params["W1"].T @ X + params["b1"]
    D1, mask = dropout_forward(np.maximum(F1, 0), p, train, rng)
    return params["W2"].T @ D1 + params["b2"], (X, F1, D1, mask, p, params["W2"])


def mlp_dropout_backward(dY_hat, cache):
    X, F1, D1, mask, p, W2 = cache
    dD1 = W2 @ dY_hat
    dF1 = (dD1 if mask is None else dropout_backward(dD1, mask, p)) * (F1 > 0)
    return {"W1": X @ dF1.T, "b1": dF1.sum(1, keepdims=True), "W2": D1 @ dY_hat.T, "b2": dY_hat.sum(1, keepdims=True)}
