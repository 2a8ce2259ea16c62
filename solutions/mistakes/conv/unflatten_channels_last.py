"""The backward pass unflattens in a different order than flatten used."""
MISTAKE = "Flatten/unflatten order mismatch: the gradient of the flattened vector is reshaped channels-last, not in the C order flatten used"
HINT = ("The backward pass of flatten is its inverse: reshape da back to (N, C, H, W) in the same C (row-major) order, "
        "da.reshape(A2.shape); reshaping to (N, H, W, C) and moving the axis puts each gradient on another unit.")


def _unflatten(d_flat, shape):
    N, C, H, Wd = shape
    return np.moveaxis(np.asarray(d_flat).reshape(N, H, Wd, C), -1, 1)
