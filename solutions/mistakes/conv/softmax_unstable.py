"""Softmax without subtracting the row maximum."""
MISTAKE = "Unstable softmax: exp(Z) overflows to inf (or every exp underflows to 0) for entries like +-1000, giving NaN"
RELATED = "nan"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("softmax(z) = softmax(z - c) for any constant c: subtract each row's maximum before exp, so the "
        "largest exponent is exp(0) = 1.")


def softmax(Z):
    Z = np.asarray(Z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)
