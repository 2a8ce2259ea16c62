"""Padding read as the total: p/2 zeros on each side instead of p."""
MISTAKE = "Padding read as the total padding: the p zeros are split between the two sides instead of p zeros on EACH side"
RELATED = "shape_off_by_one padding_size off_by_one"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("pad = p means p rows of zeros above AND p below (and p columns left AND right), so the padded "
        "size is n + 2p; re-read the output-size formula (n + 2p - k) / s + 1.")


def conv_output_size(n, k, stride=1, pad=0):
    n, k, stride, pad = int(n), int(k), int(stride), int(pad)
    if stride < 1 or pad < 0 or n < 1 or k < 1 or k > n + pad:
        raise ValueError("invalid convolution geometry")
    return (n + pad - k) // stride + 1


def zero_pad(A, pad):
    A = np.asarray(A)
    if pad < 0:
        raise ValueError("pad must be 0 or more")
    before, after = pad // 2, pad - pad // 2
    widths = [(0, 0)] * (A.ndim - 2) + [(before, after), (before, after)]
    return np.pad(A, widths, mode="constant")

