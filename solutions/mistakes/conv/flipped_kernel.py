"""Flipped kernel: a true (mathematical) convolution instead of cross-correlation."""
MISTAKE = "Flipped kernel: the kernel is rotated by 180 degrees (true convolution) instead of slid as it is (cross-correlation)"
RELATED = "sign"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("CNN layers compute cross-correlation: out[i, j] multiplies the window starting at (i*s, j*s) "
        "element by element with W[u, v] as it is stored. Compare your stride-1 result with the lecture "
        "example; a flipped kernel gives exactly its negation there.")


def _correlate(A, W, stride, pad):
    windows = _windows(A, W.shape[2], W.shape[3], stride, pad)
    Z = np.tensordot(windows, W[:, :, ::-1, ::-1], axes=([1, 4, 5], [1, 2, 3]))
    return np.ascontiguousarray(Z.transpose(0, 3, 1, 2))
