"""Alice's dropout: inverted dropout, and a small two-layer net that uses it."""
import numbers

import numpy as np


def _valid_p(p):
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise ValueError(f"p must be a real number, got {p!r}")
    if not (0 <= p < 1):
        raise ValueError(f"p must be in [0, 1), got {p}")
    return float(p)


def dropout_forward(A, p, train, rng):
    p = _valid_p(p)
    A = np.array(A, dtype=float)  # a copy: A itself is never touched
    if not train:
        return A, None  # prediction: all units, no scaling, no random numbers
    draws = rng.random(A.shape)
    kept = draws >= p  # p is the probability of dropping
    out = np.zeros(A.shape)
    out[kept] = A[kept] / (1 - p)
    return out, kept


def dropout_backward(d_out, mask, p):
    p = _valid_p(p)
    return np.asarray(d_out, dtype=float) * mask / (1 - p)


def mlp_dropout_forward(X, params, p, train, rng):
    _valid_p(p)
    X = np.asarray(X, dtype=float)
    F1 = params["W1"].T @ X + params["b1"]
    A1 = np.maximum(F1, 0)
    D1, mask = dropout_forward(A1, p, train, rng)
    Y_hat = params["W2"].T @ D1 + params["b2"]
    cache = {"X": X, "F1": F1, "D1": D1, "mask": mask, "p": p, "W2": params["W2"].copy()}
    return Y_hat, cache


def mlp_dropout_backward(dY_hat, cache):
    dY_hat = np.asarray(dY_hat, dtype=float)
    dW2 = cache["D1"] @ dY_hat.T
    db2 = dY_hat.sum(axis=1, keepdims=True)
    dD1 = cache["W2"] @ dY_hat
    if cache["mask"] is None:
        dA1 = dD1
    else:
        dA1 = dropout_backward(dD1, cache["mask"], cache["p"])
    dF1 = dA1 * (cache["F1"] > 0)
    dW1 = cache["X"] @ dF1.T
    db1 = dF1.sum(axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
