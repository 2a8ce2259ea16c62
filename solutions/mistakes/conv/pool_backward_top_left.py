"""Max pooling's backward pass routes each window's gradient to its top-left position."""
MISTAKE = "Max pooling's backward pass sends each window's gradient to the window's top-left position instead of the position of its maximum"
HINT = ("In max pooling only the position that held the maximum influenced the output: route dA[n, c, i, j] to "
        "that argmax (remember it from the forward input), and give the other positions of the window nothing.")


def _argmax_offsets(A_prev, size, stride):
    shape = _windows(A_prev, size, size, stride, 0).shape[:4]
    return np.zeros(shape, dtype=int), np.zeros(shape, dtype=int)
