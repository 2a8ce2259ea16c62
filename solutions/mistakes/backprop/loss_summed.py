"""The squared error summed over the instances instead of averaged."""
import numpy as np

MISTAKE = "The loss summed over the m instances instead of averaged (loss and dY_hat m times too large)"
RELATED = "factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The loss is the MEAN over the m columns of the per-instance error: divide by m, and so does its gradient."


def mse_loss(Y_hat, Y):
    Y_hat = np.asarray(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    diff = Y_hat - Y
    return float(np.sum(diff * diff) / 2), diff.copy()
