"""The error threshold compared with the number misclassified instead of the error rate."""
MISTAKE = "Error threshold compared with the count of misclassified instances instead of the classification error (count / m)"
RELATED = "stops_late"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The threshold is on the classification error, a fraction: stop when (number misclassified) / m <= error_threshold."


def _stops(n_wrong, m, error_threshold):
    return n_wrong <= error_threshold
