"""Each iteration sweeps over every instance, updating on each misclassified one."""
MISTAKE = "One iteration updates on every misclassified instance in turn (an online sweep) instead of one"
HINT = "In this PLA an iteration predicts all instances, records how many are wrong, and then makes ONE update (on the first wrong instance)."


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
        for i in range(len(X)):
            y_i = predict(w, X[i:i + 1])[0]
            w = update(w, X[i], y[i], y_i, lr)
    return w, history
