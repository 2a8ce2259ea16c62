"""Softmax that shifts its input in place."""
MISTAKE = "In-place edit of the input: softmax subtracts the row maximum from Z itself (Z -= ...), changing the caller's array"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("Never modify an argument: the caller still needs Z. Subtract the row maxima into a NEW array "
        "(an expression, not an in-place -= on Z or a view of it).")


def softmax(Z):
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)
