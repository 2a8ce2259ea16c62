"""Alice's backprop: a layer at a time, the way the lecture draws it."""
import math

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


def _sigmoid(F):
    # only ever exponentiate a non-positive number, so nothing overflows
    out = np.empty(F.shape, dtype=float)
    positive = F >= 0
    e_neg = np.exp(-F[positive])
    out[positive] = 1.0 / (1.0 + e_neg)
    e_pos = np.exp(F[~positive])
    out[~positive] = e_pos / (1.0 + e_pos)
    return out


def activation_forward(F, name):
    values = np.array(F, dtype=float)  # my own copy, F stays as it was
    if name == "linear":
        return values
    elif name == "relu":
        values[values < 0] = 0.0
        return values
    elif name == "tanh":
        return np.tanh(values)
    elif name == "sigmoid":
        return _sigmoid(values)
    raise ValueError("activation must be sigmoid, tanh, relu or linear, not " + repr(name))


def activation_backward(dA, F, name):
    if name not in ACTIVATIONS:
        raise ValueError("activation must be sigmoid, tanh, relu or linear, not " + repr(name))
    dA = np.asarray(dA, dtype=float)
    F = np.asarray(F, dtype=float)
    if name == "sigmoid":
        s = _sigmoid(F)
        slope = s * (1.0 - s)
    elif name == "tanh":
        t = np.tanh(F)
        slope = 1.0 - t * t
    elif name == "relu":
        slope = (F > 0).astype(float)
    else:
        slope = np.ones(F.shape)
    return dA * slope


def dense_forward(A_prev, W, b):
    return np.asarray(W, dtype=float).T @ np.asarray(A_prev, dtype=float) + np.asarray(b, dtype=float)


def dense_backward(dF, A_prev, W):
    dF = np.asarray(dF, dtype=float)
    n_units, m = dF.shape
    grad_bias = np.zeros((n_units, 1))
    for k in range(m):  # every instance uses the same bias
        grad_bias[:, 0] += dF[:, k]
    grad_W = np.asarray(A_prev, dtype=float) @ dF.T
    grad_input = np.asarray(W, dtype=float) @ dF
    return grad_input, grad_W, grad_bias


def mse_loss(Y_hat, Y):
    Y_hat = np.asarray(Y_hat, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = Y_hat.shape[1]
    err = Y_hat - Y
    loss = 0.5 * float(np.sum(err ** 2)) / m
    return loss, err / m


def init_params(layer_sizes, seed):
    generator = np.random.default_rng(seed)
    sizes = [int(n) for n in layer_sizes]
    weights = {}
    layer = 1
    while layer < len(sizes):
        n_in, n_out = sizes[layer - 1], sizes[layer]
        weights["W" + str(layer)] = generator.standard_normal((n_in, n_out)) / math.sqrt(n_in)
        weights["b" + str(layer)] = np.zeros((n_out, 1))
        layer += 1
    return weights


def mlp_forward(X, params, activations):
    A = np.asarray(X, dtype=float)
    layers = []
    for l, name in enumerate(activations, start=1):
        W = params[f"W{l}"]
        F = dense_forward(A, W, params[f"b{l}"])
        layers.append({"A_prev": A, "F": F, "W": np.array(W, dtype=float), "g": name})
        A = activation_forward(F, name)
    return A, layers


def mlp_backward(dY_hat, cache):
    grads = {}
    dA = np.asarray(dY_hat, dtype=float)
    for l in range(len(cache), 0, -1):
        layer = cache[l - 1]
        dF = activation_backward(dA, layer["F"], layer["g"])
        dA, dW, db = dense_backward(dF, layer["A_prev"], layer["W"])
        grads[f"W{l}"] = dW
        grads[f"b{l}"] = db
    return grads


def gradient_descent_step(params, grads, lr):
    stepped = {}
    for key, value in params.items():
        stepped[key] = value - lr * grads[key]
    return stepped


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=float)
    grad = np.zeros(point.shape)
    for idx in np.ndindex(point.shape):
        saved = point[idx]
        point[idx] = saved + h
        f_plus = f(point)
        point[idx] = saved - h
        f_minus = f(point)
        point[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def train(X, Y, layer_sizes, activations, lr, epochs, seed):
    weights = init_params(layer_sizes, seed)
    history = []
    epoch = 0
    while epoch < epochs:
        output, memory = mlp_forward(X, weights, activations)
        current_loss, d_output = mse_loss(output, Y)
        history.append(current_loss)  # the loss before this epoch's step
        weights = gradient_descent_step(weights, mlp_backward(d_output, memory), lr)
        epoch += 1
    return weights, history


def depth_gradients(x, w, b, name):
    # one instance at a time, one layer at a time: multiply the factors g'(f_l) * w_l as I go
    x = np.asarray(x, dtype=float)
    L, m = len(w), x.shape[1]
    G = np.zeros((L, m))
    for k in range(m):
        a = x[0, k]
        running = 1.0
        for l in range(L):
            f = w[l] * a + b[l]
            slope = activation_backward(np.array([[1.0]]), np.array([[f]]), name)[0, 0]
            running = running * slope * w[l]
            G[l, k] = running
            a = activation_forward(np.array([[f]]), name)[0, 0]
    return G
