"""(N, H, W, C) layout: output returned channels-last."""
MISTAKE = "Channels-last layout: Z is returned as (N, H', W', F) instead of the batch-first (N, F, H', W')"
RELATED = "permutation"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("This course uses the batch-first, channels-first layout of PyTorch: activations are (N, C, H, W), "
        "so the layer's output is (N, F, H', W') with the filter index second.")


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    Z = _correlate(A_prev, W, stride, pad) + b[None, :, None, None]
    return np.ascontiguousarray(Z.transpose(0, 2, 3, 1))
