"""A multi-layer perceptron trained by backward propagation (the chain rule), in the lecture's notation.

Instances are COLUMNS: a batch of m inputs with n_0 features is ``X`` of shape (n_0, m). Layer l has
weights ``W{l}`` of shape (n_{l-1}, n_l) and a bias ``b{l}`` of shape (n_l, 1); it computes the
pre-activation ``F_l = W_l.T @ A_{l-1} + b_l`` and the activation ``A_l = g_l(F_l)``, with A_0 = X and
Y_hat = A_L. The error of one instance is 1/2 (y_hat - y)^2 summed over the outputs, averaged over the
m instances. Backward propagation applies the chain rule layer by layer, from dE/dY_hat back to every
dE/dW_l and dE/db_l, and gradient descent moves each parameter against its gradient. Every array is
float64, and no function modifies its arguments (or, for ``mlp_backward``, the cache it is given).
"""
import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


def _check_name(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")


def _sigmoid(F):
    e = np.exp(-np.abs(F))  # in (0, 1]: never overflows
    return np.where(F >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activation_forward(F, name):
    """Apply the activation g elementwise: A = g(F).

    g is one of
        sigmoid(f) = 1 / (1 + exp(-f))      (must give exactly 0 and 1, without NaN and without an
                                             overflow warning, at f = -1000 and f = +1000)
        tanh(f)    = (exp(f) - exp(-f)) / (exp(f) + exp(-f))   (np.tanh computes it safely)
        relu(f)    = max(0, f)
        linear(f)  = f

    Args:
        F: ndarray float64 of shape (n, m), the pre-activations (one column per instance).
        name: str, one of "sigmoid", "tanh", "relu", "linear".

    Returns:
        ndarray float64 of shape (n, m): A = g(F), a new array (F is not modified).

    Raises:
        ValueError: ``name`` is not one of the four names above.
    """
    _check_name(name)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        return _sigmoid(F)
    if name == "tanh":
        return np.tanh(F)
    if name == "relu":
        return np.maximum(F, 0.0)
    return F.copy()


def activation_backward(dA, F, name):
    """Chain rule through the activation: dF = dA * g'(F), elementwise.

    The derivatives, written with A = g(F):
        sigmoid'(f) = A (1 - A)
        tanh'(f)    = 1 - A^2
        relu'(f)    = 1 if f > 0 else 0        (relu'(0) = 0)
        linear'(f)  = 1

    Args:
        dA: ndarray float64 of shape (n, m), dE/dA for A = g(F).
        F: ndarray float64 of shape (n, m), the pre-activations the forward pass used.
        name: str, one of "sigmoid", "tanh", "relu", "linear".

    Returns:
        ndarray float64 of shape (n, m): dF = dE/dF, a new array (dA and F are not modified).

    Raises:
        ValueError: ``name`` is not one of the four names above.
    """
    _check_name(name)
    dA = np.asarray(dA, dtype=np.float64)
    F = np.asarray(F, dtype=np.float64)
    if name == "sigmoid":
        A = _sigmoid(F)
        return dA * A * (1.0 - A)
    if name == "tanh":
        A = np.tanh(F)
        return dA * (1.0 - A * A)
    if name == "relu":
        return dA * (F > 0)
    return dA.copy()


def dense_forward(A_prev, W, b):
    """The affine part of a fully connected layer: F = W.T @ A_prev + b.

    Args:
        A_prev: ndarray float64 of shape (n_prev, m), the previous layer's activations (columns).
        W: ndarray float64 of shape (n_prev, n); W[i, j] is the weight from unit i of the previous
            layer to unit j of this layer.
        b: ndarray float64 of shape (n, 1), the biases (broadcast over the m columns).

    Returns:
        ndarray float64 of shape (n, m): F.
    """
    return np.asarray(W, dtype=np.float64).T @ np.asarray(A_prev, dtype=np.float64) + b


def dense_backward(dF, A_prev, W):
    """Chain rule through F = W.T @ A_prev + b.

        dA_prev = W @ dF                      (n_prev, m)
        dW      = A_prev @ dF.T               (n_prev, n)
        db      = sum of dF over its columns  (n, 1): every instance uses the same bias

    Args:
        dF: ndarray float64 of shape (n, m), dE/dF.
        A_prev: ndarray float64 of shape (n_prev, m), the layer's input in the forward pass.
        W: ndarray float64 of shape (n_prev, n), the layer's weights.

    Returns:
        tuple (dA_prev, dW, db) of ndarrays float64 with shapes (n_prev, m), (n_prev, n), (n, 1).
    """
    dF = np.asarray(dF, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    dA_prev = W @ dF
    dW = A_prev @ dF.T
    db = dF.sum(axis=1, keepdims=True)
    return dA_prev, dW, db


def mse_loss(Y_hat, Y):
    """The lecture's squared error 1/2 (y_hat - y)^2, summed over the outputs, averaged over instances.

        loss    = sum((Y_hat - Y)^2) / (2 m)
        dY_hat  = dloss / dY_hat = (Y_hat - Y) / m

    With m = 1 this is the summed error E = sum 1/2 (target - out)^2 of the 2-2-2 worked example
    (Matt Mazur's "A Step by Step Backpropagation Example", not the lecture's).

    Args:
        Y_hat: ndarray float64 of shape (n_L, m), the network's outputs.
        Y: ndarray float64 of shape (n_L, m), the targets.

    Returns:
        tuple (loss, dY_hat): loss a Python float, dY_hat an ndarray float64 of shape (n_L, m).
    """
    Y_hat = np.asarray(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y_hat.shape[1]
    diff = Y_hat - Y
    return float((diff * diff).sum() / (2 * m)), diff / m


def init_params(layer_sizes, seed):
    """Random weights scaled by 1 / sqrt(fan-in), zero biases.

    With ``rng = np.random.default_rng(seed)``, for l = 1, 2, ..., L IN THIS ORDER:
        W{l} = rng.standard_normal((n_{l-1}, n_l)) / sqrt(n_{l-1})
        b{l} = zeros((n_l, 1))
    (draw exactly these arrays, in this order, from this one generator).

    Args:
        layer_sizes: list of int [n_0, n_1, ..., n_L] (n_0 inputs, n_L outputs), L >= 1.
        seed: int, the generator's seed.

    Returns:
        dict with keys "W1", "b1", ..., "WL", "bL": W{l} ndarray float64 (n_{l-1}, n_l),
        b{l} ndarray float64 (n_l, 1).
    """
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        n_prev, n = int(layer_sizes[l - 1]), int(layer_sizes[l])
        params[f"W{l}"] = rng.standard_normal((n_prev, n)) / np.sqrt(n_prev)
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def mlp_forward(X, params, activations):
    """Forward pass: A_0 = X; for l = 1..L: F_l = W_l.T @ A_{l-1} + b_l, A_l = g_l(F_l); Y_hat = A_L.

    Args:
        X: ndarray float64 of shape (n_0, m), one instance per column.
        params: dict "W1", "b1", ..., "WL", "bL" as made by ``init_params``.
        activations: list of L str, ``activations[l - 1]`` is the name of g_l (see
            ``activation_forward``).

    Returns:
        tuple (Y_hat, cache): Y_hat ndarray float64 of shape (n_L, m); cache is whatever
        ``mlp_backward`` needs (your choice, e.g. a list of per-layer tuples; it is never graded
        directly, only through what ``mlp_backward`` returns).
    """
    A = np.asarray(X, dtype=np.float64)
    cache = []
    for l, name in enumerate(activations, start=1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        F = dense_forward(A, W, b)
        cache.append((A, W, F, name))
        A = activation_forward(F, name)
    return A, cache


def mlp_backward(dY_hat, cache):
    """Backward propagation: the chain rule applied from the output layer back to the first.

    dA_L = dY_hat; for l = L, L-1, ..., 1:
        dF_l = dA_l * g_l'(F_l)
        dW_l = A_{l-1} @ dF_l.T,  db_l = sum of dF_l over its columns,  dA_{l-1} = W_l @ dF_l

    Args:
        dY_hat: ndarray float64 of shape (n_L, m), dE/dY_hat (e.g. from ``mse_loss``).
        cache: what ``mlp_forward`` returned with Y_hat; it must not be modified.

    Returns:
        dict with the same keys as params ("W1", "b1", ..., "WL", "bL"): grads["W{l}"] = dE/dW_l
        ndarray float64 (n_{l-1}, n_l), grads["b{l}"] = dE/db_l ndarray float64 (n_l, 1).
    """
    dA = np.asarray(dY_hat, dtype=np.float64)
    grads = {}
    for l in range(len(cache), 0, -1):
        A_prev, W, F, name = cache[l - 1]
        dF = activation_backward(dA, F, name)
        dA, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dF, A_prev, W)
    return {key: grads[key] for l in range(1, len(cache) + 1) for key in (f"W{l}", f"b{l}")}


def gradient_descent_step(params, grads, lr):
    """One step of gradient descent: every parameter P becomes P - lr * dP.

    Args:
        params: dict of ndarrays float64 ("W1", "b1", ...).
        grads: dict with the same keys and shapes (e.g. from ``mlp_backward``).
        lr: float, the learning rate.

    Returns:
        a NEW dict with the same keys: new[k] = params[k] - lr * grads[k]. Neither ``params`` nor
        its arrays are modified.
    """
    return {key: np.asarray(value, dtype=np.float64) - lr * np.asarray(grads[key], dtype=np.float64)
            for key, value in params.items()}


def numerical_gradient(f, x, h=1e-5):
    """Central differences: grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h) for every element i.

    e_i is the array of x's shape with 1 at position i and 0 elsewhere; i runs over every element
    of x (any shape). Use this to check an analytic gradient.

    Args:
        f: callable taking an ndarray of x's shape and returning a float (a scalar function).
        x: ndarray float64 of any shape, the point. It must be left EXACTLY as it was (if you
            perturb x in place, restore the saved value, not x[i] + h - 2h + h).
        h: float, the step.

    Returns:
        ndarray float64 of x's shape: the numerical gradient df/dx at x.
    """
    point = np.array(x, dtype=np.float64)  # a private copy: x itself is never touched
    grad = np.zeros_like(point)
    flat = point.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = float(f(point))
        flat[i] = old - h
        minus = float(f(point))
        flat[i] = old
        out[i] = (plus - minus) / (2 * h)
    return grad


def train(X, Y, layer_sizes, activations, lr, epochs, seed):
    """Full-batch gradient descent on the mean squared error, from ``init_params(layer_sizes, seed)``.

    For each of the ``epochs`` epochs: forward pass on all of X, loss and dY_hat by ``mse_loss``
    (record the loss: it is the loss BEFORE this epoch's step), backward pass, then one
    ``gradient_descent_step`` of every W and b with learning rate ``lr``.

    Args:
        X: ndarray float64 of shape (n_0, m), inputs as columns.
        Y: ndarray float64 of shape (n_L, m), targets as columns.
        layer_sizes: list of int [n_0, ..., n_L].
        activations: list of L str, one per layer.
        lr: float, the learning rate.
        epochs: int >= 0, the number of gradient steps.
        seed: int, passed to ``init_params``.

    Returns:
        tuple (params, losses): params the dict after the last step; losses a list of ``epochs``
        floats, losses[t] the loss before step t.
    """
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(int(epochs)):
        Y_hat, cache = mlp_forward(X, params, activations)
        loss, dY_hat = mse_loss(Y_hat, Y)
        losses.append(loss)
        grads = mlp_backward(dY_hat, cache)
        params = gradient_descent_step(params, grads, lr)
    return params, losses


def depth_gradients(x, w, b, name):
    """Training issues: how the backward signal shrinks (or grows) with depth.

    A chain of L layers of ONE unit each, the lecture's picture of vanishing gradients:
        a_0 = x;   f_l = w_l a_{l-1} + b_l,   a_l = g(f_l)   for l = 1, ..., L.
    By the chain rule the derivative of the depth-l output with respect to the input is the
    product of one factor per layer:
        d a_l / d a_0 = prod_{j=1}^{l} g'(f_j) w_j          (g' as in activation_backward)
    With the sigmoid every factor has |g'| <= 1/4, so the product vanishes geometrically in l; with
    a factor of exactly 0.5 per layer (w = 2, b = -1, x = 0.5: every f_l is 0) fifteen layers give
    0.5^15 = 3.0517578125e-05.

    Args:
        x: ndarray float64 of shape (1, m), the input of each of m instances (instances are columns).
        w: ndarray float64 of shape (L,), w[l - 1] the weight of layer l.
        b: ndarray float64 of shape (L,), b[l - 1] the bias of layer l.
        name: str, one of "sigmoid", "tanh", "relu", "linear" (the same g in every layer).

    Returns:
        ndarray float64 of shape (L, m): row l - 1 holds d a_l / d a_0 for every instance, i.e. the
        gradient reaching the input (layer 1's input) of the network made of the first l layers.

    Raises:
        ValueError: ``name`` is unknown, or w and b are not 1-D of the same length.
    """
    _check_name(name)
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if w.ndim != 1 or w.shape != b.shape:
        raise ValueError(f"w and b must be 1-D arrays of the same length, got shapes {w.shape} and {b.shape}")
    A = x
    factors = np.empty((w.size, x.shape[1]))
    for l in range(w.size):
        F = w[l] * A + b[l]
        factors[l] = _layer_factor(w[l], A, F, name)[0]
        A = activation_forward(F, name)
    return _running_products(factors)


def _layer_factor(w_l, A_prev, F, name):
    """One layer's factor d a_l / d a_{l-1} = g'(f_l) w_l, elementwise (A_prev is a_{l-1}, F is f_l)."""
    return activation_backward(np.full_like(F, w_l), F, name)


def _running_products(factors):
    """Row l of the result: the product of rows 0..l of factors (the chain rule through l + 1 layers)."""
    return np.cumprod(factors, axis=0)
