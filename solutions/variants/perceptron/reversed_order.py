"""A correct rewrite: sums in another order (features last to first, bias added last), other indexing."""


def sign(z):
    z = np.asarray(z)
    return (2 * (z > 0) - 1).astype(np.int64)


def predict(w, X):
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    z = np.einsum("ij,j->i", X[:, ::-1], w[:0:-1]) + w[0]
    return sign(z)


def update(w, x, y, y_hat, lr):
    step = (lr * (y - y_hat)) * np.append(1.0, np.asarray(x, dtype=np.float64))
    return np.asarray(w, dtype=np.float64) + step


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.asarray(w_init, dtype=np.float64).copy()
    history = []
    while len(history) < max_iter:
        wrong = predict(w, X) != y
        history.append(int(wrong.sum()))
        if wrong.sum() <= error_threshold * len(y):  # at most that fraction misclassified (none when 0)
            break
        i = int(np.argmax(wrong))
        w = update(w, X[i], y[i], -y[i], lr)
    return w, history
