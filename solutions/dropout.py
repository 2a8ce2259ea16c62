"""Inverted dropout: drop hidden units at random while training, use every unit for prediction.

The lecture's dropout: during training each unit of a layer is dropped (set to 0, so it does not
propagate forward or backward) independently with probability ``p``; the units that are kept are
scaled by ``1 / (1 - p)`` ("inverted dropout") so that the expected value of every activation is
unchanged; for prediction all units are used as they are, without any scaling. You write the
dropout layer (forward and backward) and a two-layer network with dropout on its hidden layer.
Conventions: instances are columns, as in backprop (``F = W.T @ A + b``); ``p`` is the probability of
DROPPING a unit; the random numbers come from the ``numpy.random.Generator`` you are given, through
exactly one call ``rng.random(A.shape)`` per training forward. Every array is float64 unless stated
otherwise, and no function modifies its arguments.
"""
import numpy as np


def dropout_forward(A, p, train, rng):
    """Inverted dropout on the activations ``A``.

    Training (``train`` true), with exactly ONE draw from ``rng``:
        keep = rng.random(A.shape) >= p         (bool, True where the unit is kept)
        out  = A * keep / (1 - p)
    so each unit is dropped with probability p, and E[out] = A.

    Prediction (``train`` false): every unit is used, unscaled: ``out`` equals ``A``, the mask is
    ``None``, and ``rng`` is not used at all (its state must be the same after the call).

    ``p = 0`` drops nothing: in training ``out`` equals ``A`` and the mask is all True (the one
    draw still happens).

    Args:
        A: ndarray float64 of any shape, e.g. (H, m): H units (rows) of m instances (columns).
        p: float, the probability of DROPPING a unit, 0 <= p < 1.
        train: bool, True while training, False for prediction.
        rng: numpy.random.Generator, the only source of randomness.

    Returns:
        (out, mask): out ndarray float64 of A's shape (A itself is never modified);
        mask the bool ndarray ``keep`` of A's shape in training, ``None`` for prediction.

    Raises:
        ValueError: p is not a number with 0 <= p < 1 (checked in both modes).
    """
    _check_p(p)
    A = np.asarray(A, dtype=np.float64)
    if not train:
        return A.copy(), None
    keep = rng.random(A.shape) >= p
    return A * keep / (1.0 - p), keep


def dropout_backward(d_out, mask, p):
    """Gradient of inverted dropout: dL/dA = dL/dout * mask / (1 - p).

    A dropped unit did not propagate forward, so no gradient flows back through it (exactly 0);
    a kept unit was multiplied by 1 / (1 - p), so its gradient is too.

    Args:
        d_out: ndarray float64 of any shape, dL/dout, the gradient of the loss w.r.t. the output
            of :func:`dropout_forward`.
        mask: bool ndarray of d_out's shape, the mask :func:`dropout_forward` returned in training.
        p: float, the same drop probability as in the forward pass, 0 <= p < 1.

    Returns:
        ndarray float64 of d_out's shape, dL/dA.

    Raises:
        ValueError: p is not a number with 0 <= p < 1.
    """
    _check_p(p)
    return np.asarray(d_out, dtype=np.float64) * mask / (1.0 - p)


def mlp_dropout_forward(X, params, p, train, rng):
    """Forward pass of a two-layer network with dropout on the hidden layer.

        F1 = W1.T @ X + b1                      (H, m)
        A1 = relu(F1) = max(F1, 0)              (H, m)
        D1, mask = dropout_forward(A1, p, train, rng)
        Y_hat = W2.T @ D1 + b2                  (K, m)   (linear output)

    Dropout acts on the hidden activations only (not on X, not on Y_hat): in training it draws
    exactly once from ``rng`` (``rng.random((H, m))``); for prediction every hidden unit is used
    and ``rng`` is not touched.

    Args:
        X: ndarray float64 (n, m), m instances as columns.
        params: dict with "W1" (n, H), "b1" (H, 1), "W2" (H, K), "b2" (K, 1), all float64.
        p: float, the probability of dropping a hidden unit, 0 <= p < 1.
        train: bool, True while training (dropout on), False for prediction (dropout off).
        rng: numpy.random.Generator.

    Returns:
        (Y_hat, cache): Y_hat ndarray float64 (K, m); cache whatever
        :func:`mlp_dropout_backward` needs (it is only ever passed back to your own backward).

    Raises:
        ValueError: p is not a number with 0 <= p < 1.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    F1 = W1.T @ X + b1
    A1 = np.maximum(F1, 0.0)
    D1, mask = dropout_forward(A1, p, train, rng)
    Y_hat = W2.T @ D1 + b2
    cache = {"X": X, "F1": F1, "D1": D1, "mask": mask, "p": p, "W2": W2}
    return Y_hat, cache


def mlp_dropout_backward(dY_hat, cache):
    """Gradients of the loss w.r.t. the parameters, given dL/dY_hat and the forward's cache.

        dW2 = D1 @ dY_hat.T                     (H, K)
        db2 = sum of dY_hat over instances      (K, 1)
        dD1 = W2 @ dY_hat                       (H, m)
        dA1 = dropout_backward(dD1, mask, p)    (if the forward ran with train false there was
                                                 no dropout: dA1 = dD1)
        dF1 = dA1 * [F1 > 0]                    (H, m)
        dW1 = X @ dF1.T                         (n, H)
        db1 = sum of dF1 over instances         (H, 1)

    Gradients are summed over the m instances (dY_hat already carries any 1/m of the loss).

    Args:
        dY_hat: ndarray float64 (K, m), dL/dY_hat.
        cache: what :func:`mlp_dropout_forward` returned with Y_hat.

    Returns:
        dict with "W1" (n, H), "b1" (H, 1), "W2" (H, K), "b2" (K, 1), the gradients dL/dW1 ...,
        each float64 of its parameter's shape.
    """
    X, F1, D1, mask, p, W2 = (cache[k] for k in ("X", "F1", "D1", "mask", "p", "W2"))
    dW2 = D1 @ dY_hat.T
    db2 = np.sum(dY_hat, axis=1, keepdims=True)
    dD1 = W2 @ dY_hat
    dA1 = dD1 if mask is None else dropout_backward(dD1, mask, p)
    dF1 = dA1 * (F1 > 0)
    dW1 = X @ dF1.T
    db1 = np.sum(dF1, axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _check_p(p):
    """Raise ValueError unless p is a real number with 0 <= p < 1."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise ValueError(f"p must be a number in [0, 1), got {p!r}")
    if not 0.0 <= float(p) < 1.0:
        raise ValueError(f"p is the probability of dropping a unit and must satisfy 0 <= p < 1, got {p!r}")
