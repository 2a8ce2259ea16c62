"""A correct rewrite: explicit loops in the lecture's order (no matrix products)."""


def sign(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty(z.shape, dtype=np.int64)
    for i in np.ndindex(z.shape):
        out[i] = 1 if z[i] > 0 else -1
    return out


def predict(w, X):
    X = np.asarray(X, dtype=np.float64)
    m, n = X.shape
    out = np.empty(m, dtype=np.int64)
    for i in range(m):
        z = float(w[0])
        for j in range(n):
            z += float(w[j + 1]) * X[i, j]
        out[i] = 1 if z > 0 else -1
    return out


def update(w, x, y, y_hat, lr):
    new = [float(v) for v in w]
    new[0] += lr * (y - y_hat) * 1.0
    for j in range(len(x)):
        new[j + 1] += lr * (y - y_hat) * float(x[j])
    return np.array(new, dtype=np.float64)


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=np.float64)
    history = []
    for _ in range(max_iter):
        labels = predict(w, X)
        wrong = [i for i in range(len(X)) if labels[i] != y[i]]
        history.append(len(wrong))
        if not wrong or len(wrong) / len(X) <= error_threshold:
            break
        w = update(w, X[wrong[0]], int(y[wrong[0]]), int(labels[wrong[0]]), lr)
    return w, history
