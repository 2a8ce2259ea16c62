"""Softmax without subtracting the maximum."""
MISTAKE = "Unstable softmax: exp(z) is taken without subtracting the column maximum (overflow gives NaN)"
RELATED = "nan"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "exp overflows for logits around 1000 and underflows around -1000; softmax does not "
    "change when a constant is subtracted from a column (Part 2)."
)


def softmax(z):
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow and NaN are the point
        e = np.exp(np.asarray(z, dtype=np.float64))
        return e / np.sum(e, axis=0, keepdims=True)
