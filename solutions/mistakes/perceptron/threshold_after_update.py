"""The error threshold checked after the update instead of before it."""
MISTAKE = "The stopping test on the error threshold comes after the update, so one extra update is made"
HINT = "In each iteration predict, record the count, and stop BEFORE updating when the error is at most the threshold."


def train(X, y, lr=1.0, max_iter=1000, w_init=None, error_threshold=0.0):
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
        i = wrong[0]
        w = update(w, X[i], y[i], y_hat[i], lr)
        if wrong.size / len(y) <= error_threshold:
            break
    return w, history
