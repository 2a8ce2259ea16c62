"""dY_hat with the wrong sign."""
import numpy as np

MISTAKE = "dY_hat computed as (Y - Y_hat) / m: the derivative of the loss with its sign flipped"
RELATED = "sign"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Differentiate 1/2 (y_hat - y)^2 with respect to y_hat (not y): the result grows when y_hat "
        "is above the target.")


def mse_loss(Y_hat, Y):
    Y_hat = np.asarray(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y_hat.shape[1]
    diff = Y_hat - Y
    return float(np.sum(diff * diff) / (2 * m)), -diff / m
