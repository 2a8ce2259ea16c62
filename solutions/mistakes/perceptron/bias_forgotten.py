"""The update forgets the constant input x0 = 1, so the bias never learns."""
MISTAKE = "The bias input x0 = 1 is forgotten in the update (w[0] never changes)"
RELATED = "update_skips_entry"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The update multiplies (y - y_hat) by the input WITH its constant 1 prepended: the bias weight w[0] learns like any other weight."


def update(w, x, y, y_hat, lr):
    w = np.array(w, dtype=np.float64)
    w[1:] = w[1:] + lr * (y - y_hat) * np.asarray(x, dtype=np.float64)
    return w
