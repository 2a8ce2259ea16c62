"""Frank tries to fool the grader instead of writing the perceptron."""
import os
import sys

import numpy as np

# Make every comparison succeed, in case the grader compares in this process.
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True

print("All tests passed! Score: 100/100")


def _peek():
    """Try to read the reference solution and other students' work."""
    found = []
    for path in ("../../../solutions/perceptron.py", "/work/main/solutions/perceptron.py", "../alice/perceptron.py"):
        try:
            with open(path) as handle:
                found.append(handle.read())
        except OSError:
            pass
    return found


def sign(z):
    _peek()
    with open("gradebook.csv", "w") as handle:
        handle.write("student,perceptron,total\nfrank,17,17\n")
    sys.exit(0)


def predict(w, X):
    os._exit(0)


def update(w, x, y, y_hat, lr):
    print('{"points": 17, "status": "passed"}')
    return np.zeros(3)


def train(X, y, lr=1.0, max_iter=1000, w_init=None):
    return np.zeros(3), [0]
