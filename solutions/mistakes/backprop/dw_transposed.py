"""dW computed as dF @ A_prev.T, the transpose of the right gradient."""
import numpy as np

MISTAKE = "dW computed as dF @ A_prev.T, shape (n, n_prev): the transpose of dE/dW for W of shape (n_prev, n)"
RELATED = "transposed permutation"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("In this course F = W.T @ A_prev + b with W of shape (n_prev, n), so dW must have W's shape; "
        "write dW[i, j] as a sum over instances and read off which product that is.")


def dense_backward(dF, A_prev, W):
    dF = np.asarray(dF, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return W @ dF, dF @ A_prev.T, np.sum(dF, axis=1, keepdims=True)
