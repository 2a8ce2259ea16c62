"""ReLU's derivative taken at the incoming gradient instead of the pre-activation."""
MISTAKE = "ReLU's derivative evaluated at the wrong place: at the incoming gradient dA (relu applied to dA) instead of at the pre-activation Z"
RELATED = "other_mask"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("dZ = dA * relu'(Z): the mask (Z > 0) comes from the forward pass's pre-activation. A negative gradient "
        "flowing into an active unit passes through unchanged; a gradient reaching an inactive unit is stopped.")


def relu_backward(dA, Z):
    dA = np.asarray(dA, dtype=np.float64)
    return dA * (dA > 0)
