"""Bias added once per input channel."""
MISTAKE = "Bias added inside the loop over input channels: each filter's output gets C * b[f] instead of b[f]"
RELATED = "offset"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("There is one bias per FILTER, added once after summing over the input channels: "
        "Z[n, f] = (sum over c of ...) + b[f].")


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    C = A_prev.shape[1]
    return _correlate(A_prev, W, stride, pad) + C * b[None, :, None, None]
