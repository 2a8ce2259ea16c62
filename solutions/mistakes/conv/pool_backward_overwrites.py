"""Max pooling's backward pass assigns instead of adding, so overlapping windows overwrite each other."""
MISTAKE = "Max pooling's backward pass assigns (=) each window's gradient instead of adding it (+=): where windows overlap, one overwrites the other"
HINT = ("When stride < size, one input position can be the maximum of several windows and receives the gradient of "
        "each: accumulate (np.add.at for fancy indexing, or += in a loop), never overwrite.")


def _scatter_add(target, index, values):
    target[index] = values
