"""Padding done in place: the input's border is overwritten with zeros."""
MISTAKE = "In-place padding: zero_pad overwrites the outer pad rows and columns of A with zeros instead of adding new ones around it"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Padding ADDS p rows and columns of zeros around the input (the result is (H + 2p) x (W + 2p)) and "
        "must leave A untouched: build a new, larger array (np.zeros or np.pad) and copy A into its middle.")


def zero_pad(A, pad):
    A = np.asarray(A)
    if pad < 0:
        raise ValueError("pad must be 0 or more")
    if pad > 0:
        A[..., :pad, :] = 0
        A[..., -pad:, :] = 0
        A[..., :, :pad] = 0
        A[..., :, -pad:] = 0
    return A
