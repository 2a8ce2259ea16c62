"""The network's backward lets gradient flow through dropped units."""
import numpy as np

MISTAKE = "Network backward skips the dropout layer: gradient flows into hidden units that were dropped in the forward pass"
HINT = "A dropped unit contributed nothing to the output, so it gets no gradient; back-propagate through the dropout layer with the forward's mask."


def mlp_dropout_backward(dY_hat, cache):
    X, F1, D1, p, W2 = (cache[k] for k in ("X", "F1", "D1", "p", "W2"))
    dW2 = D1 @ dY_hat.T
    db2 = np.sum(dY_hat, axis=1, keepdims=True)
    dA1 = W2 @ dY_hat
    dF1 = dA1 * (F1 > 0)
    return {"W1": X @ dF1.T, "b1": np.sum(dF1, axis=1, keepdims=True), "W2": dW2, "b2": db2}
