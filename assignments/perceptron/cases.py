"""Case generators, drivers and property checks for the perceptron assignment."""
from pathlib import Path

import numpy as np

from grader.cases import call, run
from grader.checks import Verdict
from grader.spec import import_file

# the same runs as _pla_stepwise, in exact integers (a sibling file: this one is imported by path, not as a package)
_replay = import_file(Path(__file__).with_name("pla_replay.py"), "grader_cases_perceptron_pla_replay")

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _separable(rng, m, n, margin=2.0, origin=False):
    """Integer points labelled by an integer hyperplane, none closer than `margin` to it; with
    `origin`, the first point is the origin, labelled +1 (only a learned bias can get it right)."""
    w_true = rng.integers(-3, 4, size=n + 1).astype(float)
    while not np.any(w_true[1:]):
        w_true = rng.integers(-3, 4, size=n + 1).astype(float)
    if origin:
        w_true[0] = max(3.0, margin)
    rows = [np.zeros(n)] if origin else []
    while len(rows) < m:  # one point at a time, in effect: Generator.integers draws element by element, so a
        # block of the k points still missing is the next k draws of a point, and at least k more are drawn
        block = rng.integers(-5, 6, size=(m - len(rows), n)).astype(float)
        rows += list(block[np.abs(w_true[0] + block @ w_true[1:]) >= margin])
    X = np.array(rows)
    y = np.where(w_true[0] + X @ w_true[1:] > 0, 1, -1)
    if len(set(y.tolist())) < 2:  # make sure both classes occur
        X[0] = -X[0]
        y = np.where(w_true[0] + X @ w_true[1:] > 0, 1, -1)
    return X, y


def _pla(X, y, lr, max_iter, w_init, sgn0=-1, pick=0, bias=True, sweep=False, single=False, flip=False,
         threshold=0.0, stop="fraction"):
    """The lecture's PLA and the classic ways to get it wrong (sgn(0), which point, the bias input,
    an online sweep, a single pass, the update's sign), so generators can insist that a case tells
    them apart; it stops once at most ``threshold`` of the instances are misclassified (``stop``:
    "strict" below it, "count" when the count itself is at most the threshold)."""
    return _runner(X, y, lr, max_iter, w_init, threshold)(sgn0=sgn0, pick=pick, bias=bias, sweep=sweep,
                                                          single=single, flip=flip, stop=stop)


def _pla_stepwise(X, y, lr, max_iter, w_init, sgn0=-1, pick=0, bias=True, sweep=False, single=False, flip=False,
                  threshold=0.0, stop="fraction"):
    """_pla step by step, as the lecture writes it (the definition; pla_replay computes the same faster)."""
    def sgn(z):
        return np.where(z > 0, 1, np.where(z < 0, -1, sgn0))

    w = np.zeros(X.shape[1] + 1) if w_init is None else np.array(w_init, dtype=float)
    history = []
    seen, states = {}, []  # an iteration depends on w alone: once w repeats, the run is periodic to max_iter
    for it in range(len(X) if single else max_iter):
        if not single:
            first = seen.setdefault(w.tobytes(), it)
            if first != it:
                period = it - first
                history += [history[first + (k - first) % period] for k in range(it, max_iter)]
                return states[first + (max_iter - first) % period], history
            states.append(w)
        y_hat = sgn(w[0] + X @ w[1:])
        wrong = (y_hat != y).nonzero()[0]
        history.append(int(wrong.size))
        if single:
            chosen = [it] if y_hat[it] != y[it] else []
        elif wrong.size == 0 or (wrong.size <= threshold if stop == "count" else
                                 wrong.size / len(y) < threshold if stop == "strict" else wrong.size / len(y) <= threshold):
            break
        else:
            chosen = range(len(X)) if sweep else [wrong[pick]]
        for i in chosen:
            y_i = sgn(w[0] + X[i] @ w[1:]) if sweep else y_hat[i]
            step = (-lr if flip else lr) * (y[i] - y_i) * np.concatenate(([1.0], X[i]))
            w = w + (step if bias else np.concatenate(([0.0], step[1:])))
    return w, history


def _runner(X, y, lr, max_iter, w_init, threshold=0.0):
    """_pla on these arguments as a function of the slip's keywords, remembering each run (the
    generators ask for the lecture's run more than once)."""
    packed = _replay.PackedPLA.of(X, y, lr, max_iter, w_init)
    runs = {}

    def pla(sgn0=-1, pick=0, bias=True, sweep=False, single=False, flip=False, stop="fraction"):
        slip = dict(sgn0=sgn0, pick=pick, bias=bias, sweep=sweep, single=single, flip=flip, stop=stop)
        key = tuple(slip.values())
        if key not in runs:
            runs[key] = (packed(threshold=threshold, **slip) if packed is not None and packed.handles(sgn0, pick) else
                         _pla_stepwise(X, y, lr, max_iter, w_init, threshold=threshold, **slip))
        return runs[key]
    return pla


SLIPS = ({"sgn0": 1}, {"sgn0": 0}, {"pick": -1}, {"bias": False}, {"sweep": True}, {"single": True}, {"flip": True})
THRESHOLD_SLIPS = ({"stop": "strict"}, {"stop": "count"})  # only where the threshold is above 0


def _tells_slips(X, y, lr, w_init, threshold=0.0, max_iter=None, pla=None):
    """Whether the lecture's PLA needs updates here, and every slip in SLIPS ends with another
    (w, history), as does keeping the bias last (so a case catches each slip for every student).
    ``pla``: the _runner of these arguments, if the caller has one (its runs are reused)."""
    pla = pla or _runner(X, y, lr, max_iter or MAX_ITER, w_init, threshold)
    w, history = pla()
    if len(history) < 3 or np.array_equal(np.roll(w, -1), w):
        return False

    def differs(v, h):
        return not (h == history and np.array_equal(v, w)) and not _multiple(v, w)

    if threshold > 0:  # the threshold slips tell each other apart too; ending together is the usual reason to redraw
        ends = [pla(**slip) for slip in THRESHOLD_SLIPS]
        if len({(tuple(v), tuple(h)) for v, h in [(w, history)] + ends}) <= len(ends) or not all(differs(*e) for e in ends):
            return False
    # the flipped update moves away from any solution, so it mostly runs to max_iter: it goes last
    return all(differs(*pla(**slip)) for slip in sorted(SLIPS, key=lambda slip: "flip" in slip))


def _multiple(v, w):
    """Whether v is a constant multiple (other than 1) of w: a slip that ended there would look like a
    scaling mistake (a learning-rate slip) rather than what it is."""
    if np.array_equal(v, w) or not np.array_equal(v == 0, w == 0) or not np.any(w):
        return False
    ratios = v[w != 0] / w[w != 0]
    return bool(np.all(ratios == ratios[0]))


MAX_ITER = 100  # hidden training cases: the lecture's PLA converges well within it on their data


def _telling(rng, m, n, lr, w_init_range=2, margin=2.0, attempts=200):
    """Separable data and a start that needs updates, on which every slip in SLIPS trains to another
    (w, history) than the lecture's PLA, and some instance meets z = 0 exactly on the way."""
    for _ in range(attempts):
        X, y = _separable(rng, m, n, margin)
        w_init = rng.integers(-w_init_range, w_init_range + 1, size=n + 1).astype(float)
        pla = _runner(X, y, lr, MAX_ITER, w_init)
        w, history = pla()
        if history[-1] == 0 and w[0] != w_init[0] and _tells_slips(X, y, lr, w_init, pla=pla):
            return X, y, w_init
    raise RuntimeError("no telling draw found")


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


def on_boundary(w, x):
    """True when w[0] + x . w[1:] is exactly 0 in every order of summation (an exact boundary point)."""
    from itertools import permutations
    terms = [w[0]] + [xi * wi for xi, wi in zip(x, w[1:])]
    return all(sum(order, 0.0) == 0.0 for order in permutations(terms))


def _predict_both(student, w, X):
    return {"many": student.predict(w, X), "one_instance": student.predict(w, X[2:3])}


def predict_random(rng):
    """Random integer weights and points, n = 3 features; point 2 lies exactly on the boundary (built
    from exactly representable numbers: w[1] is a power of two), and it is also predicted alone (m = 1)."""
    n, m = 3, 7
    w = rng.integers(-3, 4, size=n + 1).astype(float)
    w[1] = float(rng.choice([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0]))
    X = rng.integers(-4, 5, size=(m, n)).astype(float)
    X[2, 0] = -(w[0] + X[2, 1:] @ w[2:]) / w[1]  # an integer over a power of two: exact
    if not on_boundary(w, X[2]):
        raise AssertionError("the boundary point is not exactly on the boundary")
    return run(_predict_both, w=w, X=X)


# -- update ------------------------------------------------------------------------------------
def update_example(rng):
    return call("update", np.zeros(3), np.array([2.0, 1.0]), 1, -1, 0.5)


def _update_keeps_w(student, w, x, y, y_hat, lr):
    before = w.copy()
    new = student.update(w, x, y, y_hat, lr)
    # ("__unchanged__", before, after) is decided by the grader, outside the sandbox
    return {"new_w": new, "w_unchanged": ("__unchanged__", before, w.copy()), "new_is_not_w": new is not w}


def update_keeps_w(rng):
    return run(_update_keeps_w, w=np.array([0.5, -1.0, 2.0]), x=np.array([1.0, 3.0]), y=-1, y_hat=1, lr=1.0)


def update_random(rng):
    """A misclassified instance, n = 3 features, lr = 0.5; values random."""
    n = 3
    w = rng.integers(-4, 5, size=n + 1) * 0.5
    x = rng.integers(-4, 5, size=n).astype(float)
    x[0] = x[0] or 1.0
    y = int(rng.choice([-1, 1]))
    return call("update", w, x, y, -y, 0.5)


def _update_both(student, w, x, y, lr):
    return {"correct_point": student.update(w, x, y, y, lr), "misclassified": student.update(w, x, -y, y, lr)}


def update_correct_point(rng):
    """A correctly classified instance leaves w as it is; the same instance misclassified moves it."""
    w = rng.integers(-4, 5, size=4) * 0.5
    x = rng.integers(-4, 5, size=3).astype(float)
    x[0] = x[0] or 2.0
    return run(_update_both, w=w, x=x, y=int(rng.choice([-1, 1])), lr=0.5)


# -- train -------------------------------------------------------------------------------------
def train_and(rng):
    return call("train", CORNERS.copy(), np.array([-1, -1, -1, 1]), 1.0)


def train_or(rng):
    return call("train", CORNERS.copy(), np.array([-1, 1, 1, 1]), 1.0)


def train_random(rng):
    """8 separable points with n = 3 features, lr = 0.5, a start that needs updates; every classic
    slip trains to something else on these values."""
    X, y, w_init = _telling(rng, 8, 3, 0.5)
    return call("train", X, y, 0.5, MAX_ITER, w_init)


def train_xor_capped(rng):
    """XOR never converges: 9 iterations from w = 0; the learning rate only scales w."""
    return call("train", CORNERS.copy(), np.array([-1, 1, 1, -1]), float(rng.choice([0.5, 1.0, 2.0])), 9)


def _train_twice(student, X, y, w_init):
    first = student.train(X, y, 1.0, 100, w_init)
    second = student.train(X, y, 1.0, 100, w_init)
    return {"first": first, "second": second}


def train_no_hidden_state(rng):
    X, y, w_init = _telling(rng, 6, 2, 1.0)
    return run(_train_twice, X=X, y=y, w_init=w_init)


def train_large(rng):
    """30 separable points, n = 3; the origin is one of them, labelled +1, so no w with a bias stuck
    at 0 separates them; redrawn until sgn(0) = +1 training stops with no point on the boundary and
    a single pass does not separate, so those slips fare the same for every student."""
    for _ in range(200):
        X, y = _separable(rng, 30, 3, margin=3.0, origin=True)
        if not (np.all(X[0] == 0) and y[0] == 1):
            continue
        pla = _runner(X, y, 1.0, 500, None)
        w, history = pla(sgn0=1)
        single, _ = pla(single=True)
        if (history[-1] == 0 and not np.any(w[0] + X @ w[1:] == 0)
                and np.any(np.where(single[0] + X @ single[1:] > 0, 1, -1) != y)
                and pla()[1][-1] == 0
                and not _separates(np.roll(pla()[0], -1), X, y)):  # bias kept last fails too
            return call("train", X, y, 1.0, 500)
    raise RuntimeError("no telling draw found")


def _separates(w, X, y):
    return bool(np.all(np.where(w[0] + X @ w[1:] > 0, 1, -1) == y))


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

def _noisy(rng, m, k):
    """Separable data with k + 1 labels flipped, chosen so the threshold k / m stops the PLA at exactly
    k wrong, after updates, and every classic slip ends elsewhere."""
    while True:
        X, y = _separable(rng, m, 2)
        y = y.copy()
        y[rng.choice(m, k + 1, replace=False)] *= -1
        lr = float(rng.choice([0.5, 1.0]))
        pla = _runner(X, y, lr, 1000, None, k / m)
        # the lecture's run stops at exactly k wrong (one that never stops ends on a count above k)
        if pla()[1][-1] == k and _tells_slips(X, y, lr, None, k / m, 1000, pla=pla):  # <= and < differ here
            return X, y, lr


def train_threshold_example(rng):
    X = np.array([[3.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [2.0, 1.0], [1.0, 2.0], [0.0, 1.0], [3.0, 3.0]])
    y = np.array([-1, 1, 1, -1, 1, -1, 1, 1])  # no line separates these; one line gets all but one right
    # error_threshold 0.25: the PLA stops after 8 iterations with 2 of 8 wrong (one more with "<", never
    # when the count is compared with 0.25)
    return call("train", X, y, 1.0, 1000, None, error_threshold=0.25)


def train_threshold_random(rng):
    m, k = 16, 2  # the structure is the same for everyone; only the values are drawn
    X, y, lr = _noisy(rng, m, k)
    return call("train", X, y, lr, 1000, None, error_threshold=k / m)


def _default_threshold(student, X, y):
    return {"default": student.train(X, y), "zero": student.train(X, y, error_threshold=0.0)}


def train_threshold_default(rng):
    X, y = _separable(rng, 8, 2)
    while not _tells_slips(X, y, 1.0, None, max_iter=1000):
        X, y = _separable(rng, 8, 2)
    return run(_default_threshold, X=X, y=y)
