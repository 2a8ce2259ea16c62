"""Average pooling's backward pass hands every position the whole gradient."""
MISTAKE = "Average pooling's backward pass gives every position of the window the whole gradient instead of 1/size^2 of it"
RELATED = "factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The average is sum / size^2, so each position's share of the gradient is dA / size^2 (only sum pooling passes dA on whole)."


def _window_share(dA, size, mode):
    return dA
