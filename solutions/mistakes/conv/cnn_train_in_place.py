"""Gradient descent that updates the caller's parameter arrays in place."""
MISTAKE = "cnn_train updates the parameter arrays it was given in place (P -= lr * dP on the caller's arrays)"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Copy the parameters first (or build new arrays: P = P - lr * dP): the caller's params must not change."


def _descend(params, grads, lr):
    for key in params:
        params[key] -= lr * grads[key]
    return params
