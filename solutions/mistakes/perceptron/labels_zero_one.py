"""The step function in {0, 1} instead of sgn in {-1, +1}."""
MISTAKE = "Outputs in {0, 1} (a step function) instead of {-1, +1}"
RELATED = "labels_01"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "This perceptron's labels are -1 and +1: the negative class is -1, not 0."


def sign(z):
    return (np.asarray(z) > 0).astype(np.int64)
