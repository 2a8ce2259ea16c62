"""Training updates on the misclassified instance of highest index."""
MISTAKE = "Training updates on the LAST misclassified instance instead of the first"
HINT = "The spec fixes the order: each iteration updates on the misclassified instance of LOWEST index."


def train(X, y, lr=1.0, max_iter=1000, w_init=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=np.float64)
    history = []
    for _ in range(max_iter):
        y_hat = predict(w, X)
        wrong = np.flatnonzero(y_hat != y)
        history.append(int(wrong.size))
        if wrong.size == 0:
            break
        i = wrong[-1]
        w = update(w, X[i], y[i], y_hat[i], lr)
    return w, history
