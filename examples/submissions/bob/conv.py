"""Bob's conv layer: he "rotates the kernel by 180 degrees", as in his signal-processing course."""
import numpy as np


def conv_output_size(n, k, stride=1, pad=0):
    if min(n, k, stride) < 1 or pad < 0 or k > n + 2 * pad:
        raise ValueError("bad convolution geometry")
    return (n + 2 * pad - k) // stride + 1


def zero_pad(A, pad):
    if pad < 0:
        raise ValueError("negative padding")
    widths = [(0, 0)] * (np.ndim(A) - 2) + [(pad, pad), (pad, pad)]
    return np.pad(A, widths, mode="constant")


def conv2d(x, w, stride=1, pad=0):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError("x and w must be 2-D")
    return conv_forward(x[None, None], w[None, None], np.zeros(1), stride, pad)[0, 0]


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev, W, b = (np.asarray(a, dtype=np.float64) for a in (A_prev, W, b))
    N, C, H, Wd = A_prev.shape
    F, C2, kh, kw = W.shape
    if C != C2 or b.shape != (F,):
        raise ValueError("shapes do not match")
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    Ap = zero_pad(A_prev, pad)
    K = np.flip(W, axis=(2, 3))  # convolution = flip the kernel, then slide
    Z = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = Ap[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            Z[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, K) + b
    return Z


def pool_forward(A, size, stride, mode="max"):
    reduce = {"max": np.max, "avg": np.mean, "sum": np.sum}.get(mode)
    if reduce is None:
        raise ValueError(f"mode must be max, avg or sum, not {mode!r}")
    A = np.asarray(A, dtype=np.float64)
    N, C, H, W = A.shape
    Ho, Wo = conv_output_size(H, size, stride), conv_output_size(W, size, stride)
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = reduce(A[:, :, i * stride:i * stride + size, j * stride:j * stride + size], axis=(2, 3))
    return out


def flatten(A):
    return np.reshape(A, (len(A), -1))


def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    A_prev, W, dZ = (np.asarray(a, dtype=np.float64) for a in (A_prev, W, dZ))
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, Ho, Wo):
        raise ValueError("dZ does not have the forward output's shape")
    Ap = zero_pad(A_prev, pad)
    dAp, dW = np.zeros_like(Ap), np.zeros_like(W)
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            dW += np.einsum("nf,nchw->fchw", dZ[:, :, i, j], Ap[:, :, rows, cols])
            dAp[:, :, rows, cols] += np.einsum("nf,fchw->nchw", dZ[:, :, i, j], W)
    return dAp[:, :, pad:pad + H, pad:pad + Wd], dW, dZ.sum(axis=(0, 2, 3))


def pool_backward(dA, A_prev, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"mode must be max, avg or sum, not {mode!r}")
    A_prev, dA = np.asarray(A_prev, dtype=np.float64), np.asarray(dA, dtype=np.float64)
    out = np.zeros(A_prev.shape)
    for i in range(dA.shape[2]):
        for j in range(dA.shape[3]):
            rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
            g = dA[:, :, i:i + 1, j:j + 1]
            if mode == "max":
                window = A_prev[:, :, rows, cols]
                flat = window.reshape(window.shape[0], window.shape[1], -1)
                first = flat.argmax(axis=2)[..., None] == np.arange(flat.shape[2])
                out[:, :, rows, cols] += g * first.reshape(window.shape)
            else:
                out[:, :, rows, cols] += g / (size * size) if mode == "avg" else g
    return out


def relu(Z):
    return np.maximum(np.asarray(Z, dtype=np.float64), 0)


def relu_backward(dA, Z):
    return np.asarray(dA, dtype=np.float64) * (np.asarray(Z) > 0)


def softmax_cross_entropy(Z, y):
    Z = np.asarray(Z, dtype=np.float64)
    logp = Z - Z.max(axis=1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    onehot = np.eye(Z.shape[1])[y]
    return float(-np.mean(np.sum(onehot * logp, axis=1))), (np.exp(logp) - onehot) / len(Z)


def cnn_forward(X, params):
    Z1 = conv_forward(X, params["W1"], params["b1"], 1, 1)
    P1 = pool_forward(relu(Z1), 2, 2)
    Z2 = conv_forward(P1, params["W2"], params["b2"], 1, 0)
    a = flatten(relu(Z2))
    return a @ params["W3"] + params["b3"], (X, Z1, P1, Z2, a, params)


def cnn_backward(dZ, cache):
    X, Z1, P1, Z2, a, p = cache
    g = {"W3": a.T @ dZ, "b3": dZ.sum(axis=0)}
    dZ2 = relu_backward((dZ @ p["W3"].T).reshape(Z2.shape), Z2)
    dP1, g["W2"], g["b2"] = conv_backward(dZ2, P1, p["W2"], p["b2"], 1, 0)
    dZ1 = relu_backward(pool_backward(dP1, relu(Z1), 2, 2), Z1)
    _, g["W1"], g["b1"] = conv_backward(dZ1, X, p["W1"], p["b1"], 1, 1)
    return g


def cnn_train(X, y, params, lr, steps):
    params, losses = dict(params), []
    for _ in range(steps):
        Z, cache = cnn_forward(X, params)
        loss, dZ = softmax_cross_entropy(Z, y)
        losses.append(loss)
        grads = cnn_backward(dZ, cache)
        params = {k: params[k] - lr * grads[k] for k in params}
    return params, losses
