"""Case generators, drivers and property checks for the perceptron assignment."""
import numpy as np

from grader.cases import call, run
from grader.checks import Verdict

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _separable(rng, m, n, margin=2.0):
    """Integer points labelled by an integer hyperplane, none closer than `margin` to it."""
    w_true = rng.integers(-3, 4, size=n + 1).astype(float)
    while not np.any(w_true[1:]):
        w_true = rng.integers(-3, 4, size=n + 1).astype(float)
    rows = []
    while len(rows) < m:
        x = rng.integers(-5, 6, size=n).astype(float)
        if abs(w_true[0] + x @ w_true[1:]) >= margin:
            rows.append(x)
    X = np.array(rows)
    y = np.where(w_true[0] + X @ w_true[1:] > 0, 1, -1)
    if len(set(y.tolist())) < 2:  # make sure both classes occur
        X[0] = -X[0]
        y = np.where(w_true[0] + X @ w_true[1:] > 0, 1, -1)
    return X, y


# -- sign --------------------------------------------------------------------------------------
def sign_example(rng):
    return call("sign", np.array([-2.5, -1.0, 0.0, 0.5, 3.0]))


def sign_matrix(rng):
    z = rng.integers(-3, 4, size=(3, 5)).astype(float) * rng.choice([0.5, 1.0, 2.0])
    z[rng.integers(3), rng.integers(5)] = 0.0
    return call("sign", z)


# -- predict -----------------------------------------------------------------------------------
def predict_and_gate(rng):
    return call("predict", np.array([-1.5, 1.0, 1.0]), CORNERS.copy())


def predict_random(rng):
    n, m = 3, 7
    w = rng.integers(-3, 4, size=n + 1).astype(float)
    w[1] = w[1] or 1.0
    X = rng.integers(-4, 5, size=(m, n)).astype(float)
    # put one point exactly on the boundary, so sgn(0) matters
    X[2, 0] = 0.0
    X[2, 0] = -(w[0] + X[2] @ w[1:]) / w[1]
    return call("predict", w, X)


# -- update ------------------------------------------------------------------------------------
def update_example(rng):
    return call("update", np.zeros(3), np.array([2.0, 1.0]), 1, -1, 0.5)


def _update_keeps_w(student, w, x, y, y_hat, lr):
    before = w.copy()
    new = student.update(w, x, y, y_hat, lr)
    return {"new_w": new, "w_unchanged": bool(np.array_equal(before, w)), "new_is_not_w": new is not w}


def update_keeps_w(rng):
    return run(_update_keeps_w, w=np.array([0.5, -1.0, 2.0]), x=np.array([1.0, 3.0]), y=-1, y_hat=1, lr=1.0)


def update_random(rng):
    n = int(rng.integers(2, 5))
    w = rng.integers(-4, 5, size=n + 1) * 0.5
    x = rng.integers(-4, 5, size=n).astype(float)
    y = int(rng.choice([-1, 1]))
    return call("update", w, x, y, -y, float(rng.choice([0.25, 0.5, 1.0])))


def update_correct_point(rng):
    w = rng.integers(-4, 5, size=4) * 0.5
    y = int(rng.choice([-1, 1]))
    return call("update", w, rng.integers(-4, 5, size=3).astype(float), y, y, 1.0)


# -- train -------------------------------------------------------------------------------------
def train_and(rng):
    return call("train", CORNERS.copy(), np.array([-1, -1, -1, 1]), 1.0)


def train_or(rng):
    return call("train", CORNERS.copy(), np.array([-1, 1, 1, 1]), 1.0)


def train_random(rng):
    X, y = _separable(rng, 8, 2)
    w_init = rng.integers(-2, 3, size=3).astype(float)
    return call("train", X, y, float(rng.choice([0.5, 1.0])), 1000, w_init)


def train_xor_capped(rng):
    X = CORNERS.copy()
    y = np.array([-1, 1, 1, -1])
    return call("train", X, y, 1.0, int(rng.integers(5, 12)))


def _train_twice(student, X, y, w_init):
    first = student.train(X, y, 1.0, 1000, w_init)
    second = student.train(X, y, 1.0, 1000, w_init)
    return {"first": first, "second": second}


def train_no_hidden_state(rng):
    X, y = _separable(rng, 6, 2)
    return run(_train_twice, X=X, y=y, w_init=rng.integers(-2, 3, size=3).astype(float))


def train_large(rng):
    X, y = _separable(rng, 30, 3, margin=3.0)
    return call("train", X, y, 1.0, 20000)


def separates(got, expected, probe):
    """The trained weights classify every training instance correctly, and history ends at 0."""
    X, y = probe.args[0], probe.args[1]
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return Verdict.fail("train must return a pair (w, history)")
    w, history = got
    w = np.asarray(w, dtype=float)
    if w.shape != (X.shape[1] + 1,):
        return Verdict.fail(f"w has shape {w.shape}, expected {(X.shape[1] + 1,)}")
    if not np.all(np.isfinite(w)):
        return Verdict.fail("w contains NaN or inf")
    y_hat = np.where(w[0] + X @ w[1:] > 0, 1, -1)
    wrong = int(np.count_nonzero(y_hat != y))
    if wrong:
        return Verdict.fail(f"the trained w misclassifies {wrong} of {len(y)} training points of linearly separable data")
    if not history or list(history)[-1] != 0:
        return Verdict.fail("w separates the data but history does not end with 0 misclassified")
    return Verdict.ok("separates every point")


# -- train: the lecture's error threshold -------------------------------------------------------
# m is a power of two and the thresholds are k / m, so count / m <= t and count <= t * m agree exactly.

def _stop_count(X, y, lr, threshold, max_iter=1000):
    """How many instances are misclassified when the PLA stops at ``threshold`` (None: max_iter hit)."""
    w = np.zeros(X.shape[1] + 1)
    for _ in range(max_iter):
        wrong = np.flatnonzero(np.where(w[0] + X @ w[1:] > 0, 1, -1) != y)
        if wrong.size / len(y) <= threshold:
            return int(wrong.size)
        i = wrong[0]
        w = w + lr * 2 * y[i] * np.concatenate(([1.0], X[i]))
    return None


def _noisy(rng, m, k):
    """Separable data with k + 1 labels flipped, chosen so the threshold k / m stops the PLA at exactly k wrong."""
    while True:
        X, y = _separable(rng, m, 2)
        y = y.copy()
        y[rng.choice(m, k + 1, replace=False)] *= -1
        lr = float(rng.choice([0.5, 1.0]))
        if _stop_count(X, y, lr, k / m) == k:  # ends exactly on the threshold: <= and < differ here
            return X, y, lr


def train_threshold_example(rng):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    y = np.array([-1, -1, -1, 1, 1, -1, 1, -1])  # x1 + x2 > 1.5, except (2, 0) and (3, 1): not separable
    return call("train", X, y, 1.0, 1000, None, error_threshold=0.25)


def train_threshold_random(rng):
    m = int(rng.choice([8, 16]))
    k = int(rng.integers(1, 3))
    X, y, lr = _noisy(rng, m, k)
    return call("train", X, y, lr, 1000, None, error_threshold=k / m)


def _default_threshold(student, X, y):
    return {"default": student.train(X, y), "zero": student.train(X, y, error_threshold=0.0)}


def train_threshold_default(rng):
    X, y = _separable(rng, 8, 2)
    return run(_default_threshold, X=X, y=y)
