"""The update changes the caller's w in place."""
MISTAKE = "update modifies w in place (w += ...) instead of returning a new array"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Functions must not change their inputs: compute the new weights into a new array and return it."


def update(w, x, y, y_hat, lr):
    w += lr * (y - y_hat) * np.concatenate(([1.0], np.asarray(x, dtype=np.float64)))
    return w
