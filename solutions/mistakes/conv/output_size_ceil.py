"""Ceiling instead of floor in the output size."""
MISTAKE = "Output size rounded up (ceil) instead of down: a window that would stick out of the input is counted"
RELATED = "shape_off_by_one off_by_one"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Only windows that lie completely inside the padded input count, so the division in "
        "(n + 2p - k) / s + 1 rounds DOWN; try n=6, k=3, s=2 by drawing the windows.")


def conv_output_size(n, k, stride=1, pad=0):
    n, k, stride, pad = int(n), int(k), int(stride), int(pad)
    if stride < 1 or pad < 0 or n < 1 or k < 1 or k > n + 2 * pad:
        raise ValueError("invalid convolution geometry")
    return -(-(n + 2 * pad - k) // stride) + 1
