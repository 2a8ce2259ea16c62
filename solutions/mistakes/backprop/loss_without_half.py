"""The 1/2 of the squared error dropped."""
import numpy as np

MISTAKE = "The 1/2 of the lecture's error 1/2 (y_hat - y)^2 dropped: the loss and its gradient are twice too large"
RELATED = "factor_2"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The per-instance error is 1/2 (y_hat - y)^2, whose derivative is (y_hat - y) with no factor 2."


def mse_loss(Y_hat, Y):
    Y_hat = np.asarray(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y_hat.shape[1]
    diff = Y_hat - Y
    return float(np.sum(diff * diff) / m), 2.0 * diff / m
