"""Softmax + cross-entropy gradient without subtracting the one-hot labels."""
MISTAKE = "The gradient of softmax + cross-entropy is softmax(Z) / N, without subtracting the one-hot labels"
RELATED = "one_hot_missing"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "d loss / dZ = (P - Y) / N with Y the one-hot rows of y: subtract 1 at each row's true class."


def _scores_gradient(P, y):
    return P / P.shape[0]
