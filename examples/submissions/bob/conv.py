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
