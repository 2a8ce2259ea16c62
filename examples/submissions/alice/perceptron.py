"""Alice's perceptron: correct, written with plain loops."""
import numpy as np


def sign(z):
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape, dtype=int)
    for idx in np.ndindex(z.shape):
        out[idx] = 1 if z[idx] > 0 else -1
    return out


def predict(w, X):
    labels = []
    for row in np.asarray(X, dtype=float):
        total = w[0]
        for weight, feature in zip(w[1:], row):
            total += weight * feature
        labels.append(1 if total > 0 else -1)
    return np.array(labels, dtype=int)


def update(w, x, y, y_hat, lr):
    new_w = np.array(w, dtype=float)
    step = lr * (y - y_hat)
    new_w[0] += step
    for j, feature in enumerate(x):
        new_w[j + 1] += step * feature
    return new_w


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
    X = np.asarray(X, dtype=float)
    if w_init is None:
        w = np.zeros(X.shape[1] + 1)
    else:
        w = np.array(w_init, dtype=float)
    history = []
    for _ in range(max_iter):
        guesses = predict(w, X)
        mistakes = [i for i in range(len(y)) if guesses[i] != y[i]]
        history.append(len(mistakes))
        if len(mistakes) <= error_threshold * len(y):
            break
        first = mistakes[0]
        w = update(w, X[first], y[first], guesses[first], lr)
    return w, history
