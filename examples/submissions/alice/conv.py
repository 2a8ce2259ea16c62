"""Alice's convolution layer: one output pixel at a time, just like the pictures in the slides."""
import numpy as np


def conv_output_size(n, k, stride=1, pad=0):
    if n < 1 or k < 1:
        raise ValueError("sizes must be at least 1")
    if stride < 1:
        raise ValueError("stride must be at least 1")
    if pad < 0:
        raise ValueError("pad must not be negative")
    if k > n + 2 * pad:
        raise ValueError(f"kernel of size {k} does not fit in {n} + 2*{pad}")
    return int((n + 2 * pad - k) // stride + 1)


def zero_pad(A, pad):
    if pad < 0:
        raise ValueError("pad must not be negative")
    A = np.asarray(A)
    H, W = A.shape[-2], A.shape[-1]
    padded = np.zeros(A.shape[:-2] + (H + 2 * pad, W + 2 * pad), dtype=A.dtype)
    padded[..., pad:pad + H, pad:pad + W] = A
    return padded


def conv2d(x, w, stride=1, pad=0):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError("conv2d wants a 2-D input and a 2-D kernel")
    kh, kw = w.shape
    out_h = conv_output_size(x.shape[0], kh, stride, pad)
    out_w = conv_output_size(x.shape[1], kw, stride, pad)
    xp = zero_pad(x, pad)
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            window = xp[top:top + kh, left:left + kw]
            out[i, j] = np.sum(window * w)
    return out


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if A_prev.ndim != 4 or W.ndim != 4:
        raise ValueError("A_prev must be (N, C, H, W) and W must be (F, C, kh, kw)")
    N, C, H, Wd = A_prev.shape
    F, C_w, kh, kw = W.shape
    if C != C_w:
        raise ValueError(f"input has {C} channels but the kernels have {C_w}")
    if b.shape != (F,):
        raise ValueError(f"b must have shape ({F},), got {b.shape}")
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(Wd, kw, stride, pad)
    Ap = zero_pad(A_prev, pad)
    Z = np.zeros((N, F, out_h, out_w))
    for n in range(N):
        for f in range(F):
            for i in range(out_h):
                for j in range(out_w):
                    top, left = i * stride, j * stride
                    patch = Ap[n, :, top:top + kh, left:left + kw]
                    Z[n, f, i, j] = np.sum(patch * W[f]) + b[f]
    return Z


def pool_forward(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"unknown pooling mode {mode!r}")
    A = np.asarray(A, dtype=float)
    N, C, H, W = A.shape
    out_h = conv_output_size(H, size, stride)
    out_w = conv_output_size(W, size, stride)
    out = np.zeros((N, C, out_h, out_w))
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    window = A[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    if mode == "max":
                        out[n, c, i, j] = window.max()
                    elif mode == "avg":
                        out[n, c, i, j] = window.sum() / (size * size)
                    else:
                        out[n, c, i, j] = window.sum()
    return out


def flatten(A):
    A = np.asarray(A)
    return A.reshape(A.shape[0], -1).copy()


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    P = np.zeros(Z.shape)
    for n in range(Z.shape[0]):
        shifted = Z[n] - Z[n].max()
        e = np.exp(shifted)
        P[n] = e / e.sum()
    return P


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    dZ = np.asarray(dZ, dtype=float)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, out_h, out_w):
        raise ValueError(f"dZ has shape {dZ.shape}, expected {(N, F, out_h, out_w)}")
    Ap = zero_pad(A_prev, pad)
    dAp = np.zeros(Ap.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    for n in range(N):
        for f in range(F):
            for i in range(out_h):
                for j in range(out_w):
                    top, left = i * stride, j * stride
                    g = dZ[n, f, i, j]
                    dW[f] += g * Ap[n, :, top:top + kh, left:left + kw]
                    dAp[n, :, top:top + kh, left:left + kw] += g * W[f]
                    db[f] += g
    dA_prev = dAp[:, :, pad:pad + H, pad:pad + Wd]
    return dA_prev.copy(), dW, db


def pool_backward(dA, A_prev, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError("mode must be max, avg or sum")
    A_prev = np.asarray(A_prev, dtype=float)
    dA = np.asarray(dA, dtype=float)
    N, C, H, Wd = A_prev.shape
    out_h = conv_output_size(H, size, stride)
    out_w = conv_output_size(Wd, size, stride)
    if dA.shape != (N, C, out_h, out_w):
        raise ValueError(f"dA has shape {dA.shape}, expected {(N, C, out_h, out_w)}")
    dA_prev = np.zeros(A_prev.shape)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    top, left = i * stride, j * stride
                    window = A_prev[n, c, top:top + size, left:left + size]
                    g = dA[n, c, i, j]
                    if mode == "max":
                        u, v = np.unravel_index(np.argmax(window), window.shape)
                        dA_prev[n, c, top + u, left + v] += g
                    elif mode == "avg":
                        dA_prev[n, c, top:top + size, left:left + size] += g / (size * size)
                    else:
                        dA_prev[n, c, top:top + size, left:left + size] += g
    return dA_prev


def relu(Z):
    return np.where(np.asarray(Z, dtype=float) > 0, Z, 0.0).astype(float)


def relu_backward(dA, Z):
    return np.where(np.asarray(Z) > 0, np.asarray(dA, dtype=float), 0.0)


def softmax_cross_entropy(Z, y):
    Z = np.asarray(Z, dtype=float)
    N = Z.shape[0]
    loss = 0.0
    dZ = softmax(Z)
    for n in range(N):
        top = Z[n].max()
        log_p = Z[n, y[n]] - top - np.log(np.sum(np.exp(Z[n] - top)))
        loss -= log_p / N
        dZ[n, y[n]] -= 1.0
    return loss, dZ / N


def cnn_forward(X, params):
    Z1 = conv_forward(X, params["W1"], params["b1"], stride=1, pad=1)
    A1 = relu(Z1)
    P1 = pool_forward(A1, 2, 2, mode="max")
    Z2 = conv_forward(P1, params["W2"], params["b2"], stride=1, pad=0)
    A2 = relu(Z2)
    a = flatten(A2)
    Z = np.zeros((a.shape[0], params["W3"].shape[1]))
    for n in range(a.shape[0]):
        Z[n] = params["W3"].T @ a[n] + params["b3"]  # the lecture's W^T a, one instance at a time
    return Z, (X, Z1, A1, P1, Z2, a, params)


def cnn_backward(dZ, cache):
    X, Z1, A1, P1, Z2, a, params = cache
    grads = {"W3": np.zeros(params["W3"].shape), "b3": np.zeros(params["b3"].shape)}
    da = np.zeros(a.shape)
    for n in range(a.shape[0]):
        grads["W3"] += np.outer(a[n], dZ[n])
        grads["b3"] += dZ[n]
        da[n] = params["W3"] @ dZ[n]
    dZ2 = relu_backward(da.reshape(Z2.shape), Z2)
    dP1, grads["W2"], grads["b2"] = conv_backward(dZ2, P1, params["W2"], params["b2"], stride=1, pad=0)
    dZ1 = relu_backward(pool_backward(dP1, A1, 2, 2, mode="max"), Z1)
    _, grads["W1"], grads["b1"] = conv_backward(dZ1, X, params["W1"], params["b1"], stride=1, pad=1)
    return grads


def cnn_train(X, y, params, lr, steps):
    params = {name: np.array(value, dtype=float) for name, value in params.items()}
    losses = []
    for step in range(steps):
        Z, cache = cnn_forward(X, params)
        loss, dZ = softmax_cross_entropy(Z, y)
        losses.append(loss)
        grads = cnn_backward(dZ, cache)
        params = {name: params[name] - lr * grads[name] for name in params}
    return params, losses
