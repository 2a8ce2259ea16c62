"""Flatten in (N, H, W, C) order."""
MISTAKE = "Flatten in channels-last order: the channel index varies fastest instead of the column index"
RELATED = "permutation"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Flatten in C (row-major) order of the (N, C, H, W) array: all of channel 0 row by row, then "
        "channel 1, ...: out[n, (c*H + i)*W + j] = A[n, c, i, j].")


def flatten(A):
    A = np.asarray(A)
    return np.ascontiguousarray(np.moveaxis(A, 1, -1)).reshape(A.shape[0], -1)
