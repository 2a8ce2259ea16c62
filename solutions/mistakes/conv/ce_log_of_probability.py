"""Cross-entropy as the log of the softmax probability (log 0 = -inf for scores far apart)."""
MISTAKE = "Cross-entropy computed as -log(softmax(Z)[n, y_n]): a probability that underflows to 0 gives an infinite loss"
RELATED = "nan"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Use log P[n, y] = Z[n, y] - m - log sum_k exp(Z[n, k] - m) with m the row maximum: it stays finite when "
        "the probability itself rounds to 0.")


def _log_probability_of(Z, y):
    with np.errstate(divide="ignore"):
        return np.log(softmax(Z)[np.arange(Z.shape[0]), y])
