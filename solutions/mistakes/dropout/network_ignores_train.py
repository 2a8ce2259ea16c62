"""The network always runs dropout in training mode."""
import numpy as np

MISTAKE = "Network ignores train: dropout_forward is always called with train=True, so prediction drops hidden units"
RELATED = "dropout_at_prediction"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Pass the network's train flag on to the dropout layer: prediction must use every hidden unit and leave the generator untouched."


def mlp_dropout_forward(X, params, p, train, rng):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    F1 = W1.T @ X + b1
    A1 = np.maximum(F1, 0.0)
    D1, mask = dropout_forward(A1, p, True, rng)
    Y_hat = W2.T @ D1 + b2
    return Y_hat, {"X": X, "F1": F1, "D1": D1, "mask": mask, "p": p, "W2": W2}
