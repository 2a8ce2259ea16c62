"""Dave's perceptron does not parse: a missing colon."""
import numpy as np


def sign(z)
    return np.where(np.asarray(z) > 0, 1, -1)
