"""Training stops after one pass over the data."""
MISTAKE = "Training stops after a single pass instead of repeating until no instance is misclassified"
RELATED = "one_pass"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Keep iterating until an iteration finds 0 misclassified instances (or max_iter is reached)."


def train(X, y, lr=1.0, max_iter=1000, w_init=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=np.float64)
    history = []
    for i in range(len(X)):
        y_hat = predict(w, X)
        history.append(int(np.count_nonzero(y_hat != y)))
        if y_hat[i] != y[i]:
            w = update(w, X[i], y[i], y_hat[i], lr)
    return w, history
