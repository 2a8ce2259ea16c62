"""Softmax normalised along axis 1 instead of over each column."""
MISTAKE = "Softmax normalised over axis 1 (across time steps) instead of over each column (axis 0)"
RELATED = "wrong_axis"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "Each column is one time step's distribution over the vocabulary: which axis must sum to "
    "1? (Part 2)"
)


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
