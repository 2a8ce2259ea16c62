"""No sum over input channels: each channel overwrites the previous one."""
MISTAKE = "No sum over input channels: Z[n, f] keeps only the last channel's cross-correlation instead of the sum over all channels"
HINT = ("Each filter W[f] has one kernel per input channel and the layer adds up ALL their responses: "
        "Z[n, f] = sum over c of conv2d(A_prev[n, c], W[f, c]) + b[f]. Accumulate (+=) over c.")


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    last = _correlate(A_prev[:, -1:], W[:, -1:], stride, pad)
    return last + b[None, :, None, None]
