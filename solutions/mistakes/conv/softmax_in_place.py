"""Softmax that shifts its input in place."""
MISTAKE = "In-place edit of the input: softmax subtracts the row maximum from Z itself (Z -= ...), changing the caller's array"
HINT = ("Never modify an argument: write shifted = Z - Z.max(axis=1, keepdims=True) (a new array) "
        "instead of Z -= ... ; the caller may still need Z.")


def softmax(Z):
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)
