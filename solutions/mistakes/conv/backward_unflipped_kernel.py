"""Backward pass that correlates dZ with the unflipped kernel."""
MISTAKE = "dA_prev computed with the kernel not flipped: the gradient is spread back with W[f, c, kh-1-u, kw-1-v] instead of W[f, c, u, v]"
HINT = ("Each input pixel Ap[n, c, i*s + u, j*s + v] was multiplied by W[f, c, u, v] to make Z[n, f, i, j]; "
        "send dZ[n, f, i, j] * W[f, c, u, v] back to exactly that pixel (written as a convolution, this is "
        "the FULL convolution of dZ with the 180-degree-rotated kernel).")

_reference_backward = conv_backward  # the reference, bound before it is overridden


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    W = np.asarray(W, dtype=np.float64)
    _, dW, db = _reference_backward(dZ, A_prev, W, b, stride, pad)
    dA_prev, _, _ = _reference_backward(dZ, A_prev, W[:, :, ::-1, ::-1], b, stride, pad)
    return dA_prev, dW, db

