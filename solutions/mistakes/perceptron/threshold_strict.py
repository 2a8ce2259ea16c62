"""The error threshold tested with < instead of <=."""
MISTAKE = "Training stops only when the error is strictly below the threshold (< instead of <=)"
RELATED = "stops_late"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Stop as soon as the classification error is at most error_threshold (<=); with the default 0 that is 'no instance misclassified'."


def _stops(n_wrong, m, error_threshold):
    return n_wrong == 0 or n_wrong / m < error_threshold
