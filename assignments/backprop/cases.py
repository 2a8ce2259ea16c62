"""Case generators, drivers and property checks of the `backprop` assignment (instances are columns)."""
import numpy as np

from grader.cases import call, run
from grader.checks import Verdict

NAMES = ["sigmoid", "tanh", "relu", "linear"]

# The classic 2-2-2 sigmoid worked example (TEST-DESIGN.md): one instance, so the mean is the sum.
WORKED_X = np.array([[0.05], [0.10]])
WORKED_Y = np.array([[0.01], [0.99]])
WORKED_PARAMS = {
    "W1": np.array([[0.15, 0.25], [0.20, 0.30]]),  # w1..w4: W1[i, j] from input i to hidden j
    "b1": np.array([[0.35], [0.35]]),
    "W2": np.array([[0.40, 0.50], [0.45, 0.55]]),  # w5..w8: W2[i, j] from hidden i to output j
    "b2": np.array([[0.60], [0.60]]),
}

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])
XOR_SETUP = {"layer_sizes": [2, 4, 1], "activations": ["tanh", "sigmoid"], "lr": 2.0, "epochs": 500, "seed": 0}
XOR_LOSS_BOUND = 0.01


# ----------------------------------------------------------------------------------------------
# Drivers: sent to the sandbox as source; they use only np, builtins and their arguments.

def _activations(student, inputs):
    out = {}
    for name, (F, dA) in inputs.items():
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                student.activation_forward(F, name)
                student.activation_backward(dA, F, name)
                status = "no floating-point error"
            except FloatingPointError as exc:
                status = "FloatingPointError: " + str(exc)
        out[name] = {
            "floating-point errors": status,
            "A": student.activation_forward(F, name),
            "dF": student.activation_backward(dA, F, name),
        }
    return out


def _unknown_name(student, F, dA, name):
    out = {}
    for label in ("activation_forward", "activation_backward"):
        try:
            if label == "activation_forward":
                student.activation_forward(F, name)
            else:
                student.activation_backward(dA, F, name)
            out[label + "(" + repr(name) + ")"] = "returned without raising"
        except ValueError:
            out[label + "(" + repr(name) + ")"] = "raised ValueError"
        except Exception as exc:
            out[label + "(" + repr(name) + ")"] = "raised " + type(exc).__name__
    out["activation_forward(F, 'relu')"] = student.activation_forward(F, "relu")
    return out


def _dense(student, A_prev, W, b, dF):
    return {
        "F": student.dense_forward(A_prev, W, b),
        "(dA_prev, dW, db)": student.dense_backward(dF, A_prev, W),
    }


def _forward_only(student, X, params, activations):
    Y_hat, cache = student.mlp_forward(X, params, activations)
    return Y_hat


def _forward_backward(student, X, params, activations, dY_hat=None, Y=None):
    import copy

    Y_hat, cache = student.mlp_forward(X, params, activations)
    if dY_hat is None:  # the worked example: dE/dY_hat of E = sum 1/2 (y_hat - y)^2 / m
        dY_hat = (np.asarray(Y_hat, dtype=np.float64) - Y) / Y.shape[1]
    before = copy.deepcopy(cache)
    grads = student.mlp_backward(dY_hat, cache)
    # ("__unchanged__", before, after): the grader compares the two itself, outside the sandbox
    return {"Y_hat": Y_hat, "grads": grads, "cache unchanged by mlp_backward": ("__unchanged__", before, cache)}


def _numerical_gradient(student, x, c, h):
    before = x.copy()
    f = lambda z: float(np.sum(c * np.sin(3.0 * z)))  # noqa: E731  (a callable cannot cross the sandbox)
    default_h = student.numerical_gradient(f, x)
    given_h = student.numerical_gradient(f, x, h=h)
    return {
        "x unchanged": ("__unchanged__", before, x.copy()),  # decided by the grader, outside the sandbox
        "numerical_gradient(f, x)": default_h,
        "numerical_gradient(f, x, h=" + repr(h) + ")": given_h,
    }


def _worked_example_step(student, X, Y, params, activations, lr):
    import copy

    Y_hat, cache = student.mlp_forward(X, params, activations)
    loss, dY_hat = student.mse_loss(Y_hat, Y)
    before = copy.deepcopy(cache)
    grads = student.mlp_backward(dY_hat, cache)
    new = student.gradient_descent_step(params, grads, lr)
    return {
        "out_o": Y_hat, "E": loss, "dE/dW2": grads["W2"], "dE/dW1": grads["W1"],
        "W2 after the step": new["W2"], "W1 after the step": new["W1"],
        "cache unchanged by mlp_backward": ("__unchanged__", before, cache),  # decided by the grader
    }


def _train(student, X, Y, layer_sizes, activations, lr, epochs, seed):
    params, losses = student.train(X, Y, layer_sizes, activations, lr, epochs, seed)
    again, losses_again = student.train(X, Y, layer_sizes, activations, lr, epochs, seed)
    return {
        "params": params, "losses": np.asarray(losses, dtype=np.float64),
        "params of a second identical call": again,
    }


def _train_and_predict(student, X, Y, layer_sizes, activations, lr, epochs, seed):
    params, losses = student.train(X, Y, layer_sizes, activations, lr, epochs, seed)
    Y_hat, cache = student.mlp_forward(X, params, activations)
    return {"losses": np.asarray(losses, dtype=np.float64), "Y_hat": Y_hat}


# ----------------------------------------------------------------------------------------------
# Trusted helpers (parent process only).

def _distinct_sizes(rng, count, low=2, high=8):
    """``count`` distinct layer widths: every weight matrix is non-square and no two share a shape."""
    return [int(n) for n in rng.choice(np.arange(low, high + 1), size=count, replace=False)]


def _batch_size(rng, sizes):
    """A batch size m >= 3 that equals no layer width (so m and n cannot be confused)."""
    return int(rng.choice([m for m in range(3, 10) if m not in sizes]))


DEEP_SIZES, DEEP_BATCH = [3, 5, 4, 6, 2], 7  # distinct widths and a batch size none of them equals


def _all_activations(rng):
    """Every activation once, in one fixed order for every student (the structure of a case is not
    drawn: a mistake must cost everyone the same): relu first, sigmoid at the output, where a wrong
    derivative of any activation reaches every gradient."""
    return ["relu", "linear", "tanh", "sigmoid"]


def _relu_safe_net(rng, sizes, m, activations, margin=1e-3):
    """Inputs and random (non-zero-bias) params whose relu pre-activations all keep |F| > margin."""
    while True:
        X = rng.standard_normal((sizes[0], m))
        params = {}
        for l in range(1, len(sizes)):
            params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
            params[f"b{l}"] = 0.5 * rng.standard_normal((sizes[l], 1))
        A, ok = X, True
        for l, name in enumerate(activations, start=1):
            F = params[f"W{l}"].T @ A + params[f"b{l}"]
            ok = ok and (name != "relu" or bool(np.min(np.abs(F)) > margin))
            A = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
                 "relu": lambda z: np.maximum(z, 0), "linear": lambda z: z}[name](F)
        if ok:
            return X, params


# ----------------------------------------------------------------------------------------------
# Generators.

def activation_example(rng):
    F = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    dA = np.array([[1.0, -2.0, 3.0], [0.5, 1.0, -1.0]])
    return run(_activations, inputs={name: (F, dA) for name in NAMES})


def sigmoid_extremes(rng):
    F = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    return run(_activations, inputs={"sigmoid": (F, np.ones_like(F))})


def activation_unknown_name(rng):
    F = np.array([[-1.0, 2.0], [0.5, -3.0]])
    return run(_unknown_name, F=F, dA=np.ones_like(F), name="softplus")


def activation_random(rng):
    """Each activation on its own random non-square F: relu's has exact zeros, the sigmoid's huge values."""
    n, m = _distinct_sizes(rng, 2, 3, 7)
    inputs = {}
    for name in [NAMES[i] for i in rng.permutation(len(NAMES))]:
        F = 2.0 * rng.standard_normal((n, m))
        spots = rng.choice(F.size, size=2, replace=False)
        if name == "relu":
            F.flat[spots] = 0.0                                   # relu'(0) = 0
        if name == "sigmoid":
            F.flat[spots] = [-rng.uniform(720, 1000), rng.uniform(720, 1000)]  # exp(720) overflows
        inputs[name] = (F, rng.standard_normal((n, m)))
    return run(_activations, inputs=inputs)


def dense_example(rng):
    A_prev = np.array([[1.0, 2.0, 0.0, -1.0], [0.0, -1.0, 2.0, 1.0], [3.0, 1.0, 1.0, 0.0]])  # (3, 4)
    W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])                                     # (3, 2)
    b = np.array([[1.0], [-2.0]])
    dF = np.array([[1.0, 0.0, -1.0, 2.0], [-1.0, 2.0, 0.5, 1.0]])                            # (2, 4)
    return run(_dense, A_prev=A_prev, W=W, b=b, dF=dF)


def dense_random(rng):
    n_prev, n = _distinct_sizes(rng, 2)
    m = _batch_size(rng, [n_prev, n])
    return run(_dense, A_prev=rng.standard_normal((n_prev, m)), W=rng.standard_normal((n_prev, n)),
               b=rng.standard_normal((n, 1)), dF=rng.standard_normal((n, m)))


def mse_example(rng):
    Y_hat = np.array([[0.5, 1.0, 0.0], [2.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    return call("mse_loss", Y_hat, Y)


def mse_random(rng):
    n = int(rng.integers(2, 5))
    m = _batch_size(rng, [n])
    return call("mse_loss", rng.standard_normal((n, m)), rng.standard_normal((n, m)))


def init_public(rng):
    return call("init_params", [3, 5, 2], 0)


def init_random(rng):
    return call("init_params", _distinct_sizes(rng, 4), int(rng.integers(0, 2**31)))


def mlp_worked_example(rng):
    return run(_forward_backward, X=WORKED_X, params=WORKED_PARAMS, activations=["sigmoid", "sigmoid"],
               dY_hat=None, Y=WORKED_Y)


def mlp_public(rng):
    sizes, m, activations = [3, 5, 4, 2], 6, ["relu", "tanh", "sigmoid"]
    X, params = _relu_safe_net(rng, sizes, m, activations)
    return run(_forward_backward, X=X, params=params, activations=activations,
               dY_hat=rng.standard_normal((sizes[-1], m)), Y=None)


def mlp_forward_random(rng):
    sizes, activations, m = DEEP_SIZES, _all_activations(rng), DEEP_BATCH
    X, params = _relu_safe_net(rng, sizes, m, activations)
    return run(_forward_only, X=X, params=params, activations=activations)


def mlp_backward_random(rng):
    sizes, activations, m = DEEP_SIZES, _all_activations(rng), DEEP_BATCH
    X, params = _relu_safe_net(rng, sizes, m, activations)
    return run(_forward_backward, X=X, params=params, activations=activations,
               dY_hat=rng.standard_normal((sizes[-1], m)), Y=None)


def numgrad_public(rng):
    x = np.array([[0.3, -1.2, 0.7], [2.0, -0.4, 1.1]])
    c = np.array([[1.0, 0.5, -2.0], [1.5, -1.0, 0.25]])
    return run(_numerical_gradient, x=x, c=c, h=0.01)


def numgrad_random(rng):
    shape = tuple(_distinct_sizes(rng, 2, 2, 5))
    c = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return run(_numerical_gradient, x=rng.standard_normal(shape), c=c, h=float(rng.choice([0.01, 0.02, 0.05])))


def gd_step_public(rng):
    params = {"W1": np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]), "b1": np.array([[0.5], [0.0], [-0.5]])}
    grads = {"W1": np.array([[2.0, 1.0, -1.0], [0.5, 0.0, 4.0]]), "b1": np.array([[1.0], [-3.0], [0.0]])}
    return call("gradient_descent_step", params, grads, 0.25)


def gd_step_random(rng):
    sizes = _distinct_sizes(rng, 3)
    params, grads = {}, {}
    for l in (1, 2):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
        params[f"b{l}"] = rng.standard_normal((sizes[l], 1))
        grads[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
        grads[f"b{l}"] = rng.standard_normal((sizes[l], 1))
    return call("gradient_descent_step", params, grads, float(rng.uniform(0.05, 0.5)))


def worked_example_step(rng):
    return run(_worked_example_step, X=WORKED_X, Y=WORKED_Y, params=WORKED_PARAMS,
               activations=["sigmoid", "sigmoid"], lr=0.5)


def train_public(rng):
    X = np.array([[0.0, 1.0, 2.0, -1.0, 0.5], [1.0, -1.0, 0.5, 2.0, 0.0]])
    Y = np.array([[0.2, 0.9, 0.4, 0.1, 0.7]])
    return run(_train, X=X, Y=Y, layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], lr=0.5, epochs=4, seed=7)


def train_random(rng):
    sizes = _distinct_sizes(rng, 4)
    m = _batch_size(rng, sizes)
    return run(_train, X=rng.standard_normal((sizes[0], m)), Y=rng.uniform(0.1, 0.9, (sizes[-1], m)),
               layer_sizes=sizes, activations=["tanh", "linear", "sigmoid"], lr=float(rng.uniform(0.2, 0.8)),
               epochs=5, seed=int(rng.integers(0, 2**31)))


def train_xor(rng):
    return run(_train_and_predict, X=XOR_X, Y=XOR_Y, **XOR_SETUP)


# ----------------------------------------------------------------------------------------------
# Property checks.

def xor_learned(got, expected, probe):
    """A tanh network trained on XOR: finite losses that fall under XOR_LOSS_BOUND, all four right."""
    epochs = probe.kwargs["epochs"]
    Y = probe.kwargs["Y"]
    if not isinstance(got, dict):
        return Verdict.fail("the driver's output is not usable")
    losses = np.asarray(got["losses"], dtype=np.float64)
    if losses.shape != (epochs,):
        return Verdict.fail(f"train returned {losses.size} losses, expected one per epoch ({epochs})")
    if not np.all(np.isfinite(losses)):
        return Verdict.fail("the losses contain NaN or inf")
    if not losses[-1] < XOR_LOSS_BOUND:
        return Verdict.fail(f"after {epochs} epochs the loss is {losses[-1]:.4g}, not under {XOR_LOSS_BOUND}: "
                            "the network did not learn XOR (check the signs and the chain rule)")
    Y_hat = np.asarray(got["Y_hat"], dtype=np.float64)
    if Y_hat.shape != Y.shape or not np.all(np.isfinite(Y_hat)):
        return Verdict.fail(f"mlp_forward on the trained params gave shape {Y_hat.shape}, expected {Y.shape}")
    if not np.all(np.abs(Y_hat - Y) < 0.5):
        return Verdict.fail(f"the trained network predicts {np.round(Y_hat, 3).tolist()} for XOR targets {Y.tolist()}")
    return Verdict.ok(f"XOR learned: loss {losses[0]:.3g} -> {losses[-1]:.3g}")


# ----------------------------------------------------------------------------------------------
# Part depth (training issues): the backward signal through a chain of one-unit layers.

def _depth_all(student, x, chains):
    return {name: student.depth_gradients(x, w, b, name) for name, (w, b) in chains.items()}


def depth_slide_example(rng):
    # every f_l is exactly 0 and every factor sigmoid'(0) * 2 exactly 0.5: row 15 is 0.5^15 = 3.05e-5
    return call("depth_gradients", np.array([[0.5]]), np.full(15, 2.0), np.full(15, -1.0), "sigmoid")


def depth_example(rng):
    x = np.array([[0.5, -1.0]])
    w = np.array([1.5, -0.8, 2.0, 0.9])
    b = np.array([0.1, 0.3, -0.2, 0.25])
    chains = {name: (w, b) for name in ("sigmoid", "tanh", "relu")}
    chains["relu"] = (np.array([1.5, 0.8, 2.0, 0.9]), np.array([0.1, 0.3, -0.2, 0.25]))  # pre-activations off 0
    return run(_depth_all, x=x, chains=chains)


def depth_random(rng):
    m, L = int(rng.integers(3, 6)), int(rng.integers(8, 13))
    chains = {}
    for name, scale in (("sigmoid", 3.0), ("tanh", 1.5), ("relu", 1.2)):
        w = rng.uniform(0.5, scale, L) * rng.choice([-1.0, 1.0], L)
        if name == "relu":
            w = np.abs(w)  # positive weights keep some instances alive through every layer
        chains[name] = (w, rng.uniform(-0.5, 0.5, L))
    x = rng.uniform(-1.0, 1.0, (1, m))
    x[0, 0] = abs(x[0, 0]) + 0.2
    return run(_depth_all, x=x, chains=chains)
