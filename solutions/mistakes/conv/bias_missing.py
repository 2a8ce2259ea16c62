"""Bias forgotten."""
MISTAKE = "Bias forgotten: Z is the cross-correlation without + b[f]"
RELATED = "offset"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Every output map Z[n, f] gets its filter's bias b[f] added at every pixel."


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return _correlate(A_prev, W, stride, pad)
