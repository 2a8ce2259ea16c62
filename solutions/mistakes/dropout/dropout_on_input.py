"""Dropout put on the input instead of the hidden activations."""
import numpy as np

MISTAKE = "Dropout on the input X instead of the hidden activations"
HINT = "In this network dropout acts on the hidden layer's activations, after the ReLU; the inputs go in unchanged."


def mlp_dropout_forward(X, params, p, train, rng):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Xd, mask = dropout_forward(X, p, train, rng)
    F1 = W1.T @ Xd + b1
    A1 = np.maximum(F1, 0.0)
    Y_hat = W2.T @ A1 + b2
    return Y_hat, {"X": X, "Xd": Xd, "F1": F1, "A1": A1, "mask": mask, "p": p, "W1": W1, "W2": W2}


def mlp_dropout_backward(dY_hat, cache):
    X, Xd, F1, A1, mask, p, W2 = (cache[k] for k in ("X", "Xd", "F1", "A1", "mask", "p", "W2"))
    dF1 = (W2 @ dY_hat) * (F1 > 0)
    return {
        "W1": Xd @ dF1.T, "b1": np.sum(dF1, axis=1, keepdims=True),
        "W2": A1 @ dY_hat.T, "b2": np.sum(dY_hat, axis=1, keepdims=True),
    }
