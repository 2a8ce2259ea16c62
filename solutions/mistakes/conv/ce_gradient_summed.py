"""The cross-entropy gradient of a mean loss without the 1/N."""
MISTAKE = "The loss is the mean over the N instances but its gradient is P - Y, without the 1/N"
RELATED = "factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The loss averages over the batch, so every instance's gradient carries the factor 1/N: dZ = (P - Y) / N."


def _scores_gradient(P, y):
    dZ = P.copy()
    dZ[np.arange(P.shape[0]), y] -= 1.0
    return dZ
