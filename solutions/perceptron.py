"""The perceptron learning algorithm (PLA): a linear threshold unit trained by the lecture's update rule.

Conventions: labels are in {-1, +1}; X is (m, n) with one instance per ROW and no bias column; the
weight vector w is (n + 1,) with the bias weight FIRST (w[0] multiplies the constant input x0 = 1).
No function may modify its inputs.
"""
import numpy as np


def sign(z):
    """The perceptron's activation, applied elementwise.

    sgn(z) = +1 if z > 0, and -1 if z <= 0 (so sgn(0) = -1: np.sign is NOT this function).

    Args:
        z: a number or an array of any shape.
    Returns:
        an integer ndarray of z's shape with entries in {-1, +1}.
    """
    z = np.asarray(z)
    return np.where(z > 0, 1, -1).astype(np.int64, copy=False)


def predict(w, X):
    """Predicted labels of every instance: y_hat_i = sgn(w[0] + x_i . w[1:]).

    Args:
        w: (n + 1,) float weights, bias first.
        X: (m, n) instances, one per row.
    Returns:
        (m,) integer ndarray with entries in {-1, +1}.
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return sign(w[0] + X @ w[1:])


def update(w, x, y, y_hat, lr):
    """One PLA step on one instance: w_new = w + lr * (y - y_hat) * [1, x].

    When the instance is classified correctly (y == y_hat) the step changes nothing.

    Args:
        w: (n + 1,) float weights, bias first. Must NOT be modified: return a new array.
        x: (n,) the instance (without the bias input).
        y: its true label, -1 or +1.
        y_hat: the predicted label, -1 or +1.
        lr: the learning rate (a positive float).
    Returns:
        (n + 1,) float64 ndarray, the updated weights.
    """
    w = np.asarray(w, dtype=np.float64)
    x1 = np.concatenate(([1.0], np.asarray(x, dtype=np.float64)))
    return w + lr * (y - y_hat) * x1


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
    """The perceptron learning algorithm with a fixed, deterministic order.

    Start from w = w_init (zeros of shape (n + 1,) when None). In each iteration:
      1. predict every instance and append the number misclassified to `history`;
      2. stop if the classification error (that number divided by m) is at most `error_threshold`
         (with the default 0 this means: stop when every instance is classified correctly);
      3. otherwise apply `update` on the misclassified instance of LOWEST index.
    Stop after `max_iter` iterations at the latest (non-separable data never reaches 0).

    Args:
        X: (m, n) instances, one per row.
        y: (m,) labels in {-1, +1}.
        lr: learning rate.
        max_iter: the most iterations (predictions of the whole set) to run.
        w_init: None or (n + 1,) initial weights (not modified).
        error_threshold: the lecture's stopping threshold on the classification error, a fraction
            in [0, 1]: stop as soon as (number misclassified) / m <= error_threshold.
    Returns:
        (w, history): w the (n + 1,) float64 weights, history a list of ints (misclassified counts,
        one per iteration; the last one is 0 when training converged, and at most
        error_threshold * m when training stopped on the threshold).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=np.float64)
    history = []
    for _ in range(max_iter):
        y_hat = predict(w, X)
        wrong = (y_hat != y).ravel().nonzero()[0]  # np.flatnonzero(y_hat != y)
        history.append(int(wrong.size))
        if _stops(wrong.size, len(y), error_threshold):
            break
        i = wrong[0]
        w = update(w, X[i], y[i], y_hat[i], lr)
    return w, history


def _stops(n_wrong, m, error_threshold):
    """The PLA's stopping test: no instance misclassified, or the error n_wrong / m at most the threshold."""
    return n_wrong == 0 or n_wrong / m <= error_threshold
