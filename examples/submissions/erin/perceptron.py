"""Erin forgot max_iter: on data that is not linearly separable her training never stops."""
import numpy as np


def sign(z):
    return np.where(np.asarray(z) > 0, 1, -1)


def predict(w, X):
    return sign(w[0] + np.asarray(X) @ w[1:])


def update(w, x, y, y_hat, lr):
    return w + lr * (y - y_hat) * np.concatenate(([1.0], x))


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=float)
    history = []
    while True:
        y_hat = predict(w, X)
        wrong = np.flatnonzero(y_hat != y)
        history.append(len(wrong))
        if len(wrong) / len(y) <= error_threshold:
            return w, history
        w = update(w, X[wrong[0]], y[wrong[0]], y_hat[wrong[0]], lr)
