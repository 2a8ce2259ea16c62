"""A correct rewrite with explicit loops: conv2d loops over row, column and kernel in the lecture's order;
the batched layers loop over the output positions (the window sliding as on the slides), each
position computed for the whole batch and every filter at once."""


def zero_pad(A, pad):
    A = np.asarray(A)
    if int(pad) < 0 or A.ndim < 2:
        raise ValueError("pad must be >= 0 and A must have at least 2 axes")
    out = np.zeros(A.shape[:-2] + (A.shape[-2] + 2 * pad, A.shape[-1] + 2 * pad), dtype=A.dtype)
    out[..., pad:pad + A.shape[-2], pad:pad + A.shape[-1]] = A
    return out


def conv2d(x, w, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError("x and w must be 2-D")
    kh, kw = w.shape
    Ho, Wo = conv_output_size(x.shape[0], kh, stride, pad), conv_output_size(x.shape[1], kw, stride, pad)
    xp = zero_pad(x, pad)
    out = np.zeros((Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += xp[i * stride + u, j * stride + v] * w[u, v]
            out[i, j] = total
    return out


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if A_prev.ndim != 4 or W.ndim != 4 or A_prev.shape[1] != W.shape[1] or b.shape != (W.shape[0],):
        raise ValueError("inconsistent shapes")
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    Ap = zero_pad(A_prev, pad)
    Z = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = Ap[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]  # (N, C, kh, kw)
            Z[:, :, i, j] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return Z


def pool_forward(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"unknown mode {mode!r}")
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 4:
        raise ValueError("A must be (N, C, H, W)")
    N, C, H, Wd = A.shape
    Ho, Wo = conv_output_size(H, size, stride), conv_output_size(Wd, size, stride)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = A[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            if mode == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            elif mode == "sum":
                out[:, :, i, j] = window.sum(axis=(2, 3))
            else:
                out[:, :, i, j] = window.sum(axis=(2, 3)) / (size * size)
    return out


def flatten(A):
    A = np.asarray(A)
    if A.ndim < 2:
        raise ValueError("A must have at least 2 axes")
    return np.array([A[n].ravel() for n in range(A.shape[0])]).reshape(A.shape[0], -1)


def softmax(Z):
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2:
        raise ValueError("Z must be 2-D")
    P = np.empty_like(Z)
    for n in range(Z.shape[0]):
        e = np.exp(Z[n] - np.max(Z[n]))
        P[n] = e / np.sum(e)
    return P


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    dZ = np.asarray(dZ, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, Ho, Wo):
        raise ValueError("dZ does not have conv_forward's output shape")
    Ap = zero_pad(A_prev, pad)
    dAp = np.zeros_like(Ap)
    dW = np.zeros_like(W)
    db = np.zeros(F)
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            g = dZ[:, :, i, j]  # (N, F)
            dW += np.tensordot(g, Ap[:, :, rows, cols], axes=([0], [0]))  # (F, C, kh, kw)
            dAp[:, :, rows, cols] += np.tensordot(g, W, axes=([1], [0]))  # (N, C, kh, kw)
            db += g.sum(axis=0)
    return dAp[:, :, pad:pad + H, pad:pad + Wd], dW, db
