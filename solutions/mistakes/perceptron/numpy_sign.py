"""np.sign used as the activation: it returns 0 at z = 0."""
MISTAKE = "np.sign used for sgn (it gives 0 at z = 0)"
RELATED = "sign_zero_positive sign_zero"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "np.sign(0) is 0, but a perceptron's output must be -1 or +1: the lecture's sgn maps 0 to -1."


def sign(z):
    return np.sign(np.asarray(z)).astype(np.int64)
