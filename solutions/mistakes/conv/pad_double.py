"""Padding doubled: 2p zeros on each side."""
MISTAKE = "Padding doubled: 2p zeros on each side instead of p"
RELATED = "padding_size"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("pad = p already means p zeros on each side; the 2p in (n + 2p - k) / s + 1 counts both sides "
        "together. Check the padded shape: (H + 2p, W + 2p).")


def zero_pad(A, pad):
    A = np.asarray(A)
    if pad < 0:
        raise ValueError("pad must be 0 or more")
    widths = [(0, 0)] * (A.ndim - 2) + [(2 * pad, 2 * pad), (2 * pad, 2 * pad)]
    return np.pad(A, widths, mode="constant")

