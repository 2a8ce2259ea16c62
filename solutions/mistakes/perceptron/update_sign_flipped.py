"""The update subtracts instead of adds."""
MISTAKE = "The update has the wrong sign (w - lr (y - y_hat) x)"
RELATED = "sign update_sign"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Move w TOWARDS a misclassified positive point and away from a misclassified negative one: w + lr (y - y_hat) [1, x]."


def update(w, x, y, y_hat, lr):
    w = np.asarray(w, dtype=np.float64)
    return w - lr * (y - y_hat) * np.concatenate(([1.0], np.asarray(x, dtype=np.float64)))
