"""Backward pass that averages dW and db over the batch."""
MISTAKE = "dW and db averaged over the batch (divided by N) instead of summed"
RELATED = "factor_half factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("conv_forward has no 1/N, so dL/dW and dL/db add up the contributions of every instance and "
        "every output pixel: sum over n, i, j. Any averaging belongs to the loss, which already shows in dZ.")

_reference_backward = conv_backward  # the reference, bound before it is overridden


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    dA_prev, dW, db = _reference_backward(dZ, A_prev, W, b, stride, pad)
    N = np.shape(A_prev)[0]
    return dA_prev, dW / N, db / N

