"""The bias weight stored last instead of first."""
MISTAKE = "The bias weight is stored last (w[-1]) instead of first (w[0])"
RELATED = "permutation"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Here the bias comes FIRST: w[0] multiplies the constant input 1 and w[1:] multiply the features."


def predict(w, X):
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return sign(X @ w[:-1] + w[-1])


def update(w, x, y, y_hat, lr):
    w = np.asarray(w, dtype=np.float64)
    return w + lr * (y - y_hat) * np.concatenate((np.asarray(x, dtype=np.float64), [1.0]))
