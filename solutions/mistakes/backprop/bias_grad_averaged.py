"""db averaged over the batch instead of summed."""
import numpy as np

MISTAKE = "db averaged over the instances instead of summed (the bias gradient is m times too small)"
RELATED = "factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("The loss already carries the 1/m (it is in dY_hat). Every instance adds its own dF column to the "
        "gradient of the shared bias: sum dF over its columns, keeping shape (n, 1).")


def dense_backward(dF, A_prev, W):
    dF = np.asarray(dF, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return W @ dF, A_prev @ dF.T, np.mean(dF, axis=1, keepdims=True)
