"""The +1 of the output-size formula forgotten."""
MISTAKE = "The +1 of the output-size formula is forgotten: the first window position is not counted"
RELATED = "shape_off_by_one off_by_one"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("(n + 2p - k) / s counts the steps the window can take; the number of positions is one more. "
        "A 3x3 kernel on a 5x5 input fits in 3 positions per axis, not 2.")


def conv_output_size(n, k, stride=1, pad=0):
    n, k, stride, pad = int(n), int(k), int(stride), int(pad)
    if stride < 1 or pad < 0 or n < 1 or k < 1 or k > n + 2 * pad:
        raise ValueError("invalid convolution geometry")
    return (n + 2 * pad - k) // stride
