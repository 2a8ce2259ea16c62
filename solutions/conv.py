"""Convolutional layers with numpy.

You write the forward pass of a convolutional network's building blocks in the batch-first layout
of the deep-learning frameworks: the output size of a convolution with kernel size k, stride s and
padding p; zero padding; a one-channel 2-D cross-correlation; a multi-channel convolution layer with
one bias per filter; max, average and sum pooling; flattening; and a numerically stable softmax.
Activations are A of shape (N, C, H, W) (N instances, C channels, H rows, W columns) and kernels are
W of shape (F, C, kh, kw) (F filters). As in every CNN library, "convolution" means
cross-correlation: the kernel is slid over the input as it is, never flipped. The extension part is
the backward pass of the convolution layer. No function may modify its arguments in place.
"""
import numpy as np


def conv_output_size(n, k, stride=1, pad=0):
    """Number of positions of a kernel of size k along an axis of size n.

    n' = floor((n + 2 pad - k) / stride) + 1

    Arguments (Python ints): n >= 1 the input size, k >= 1 the kernel size, stride >= 1, pad >= 0
    the number of zeros added on EACH side.
    Returns: n' as a Python int.
    Raises ValueError when the kernel does not fit (k > n + 2 pad), when stride < 1, when pad < 0,
    or when n < 1 or k < 1.
    Examples: n=5, k=3 -> 3; n=5, k=3, stride=2 -> 2; n=7, k=3, stride=3, pad=2 -> 3;
    n=6, k=3, stride=2 -> 2 (the last column is never covered).
    """
    n, k, stride, pad = int(n), int(k), int(stride), int(pad)
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    if pad < 0:
        raise ValueError(f"pad must be 0 or more, got {pad}")
    if n < 1 or k < 1:
        raise ValueError(f"input and kernel sizes must be at least 1, got n={n}, k={k}")
    if k > n + 2 * pad:
        raise ValueError(f"kernel of size {k} does not fit an input of size {n} with padding {pad}")
    return (n + 2 * pad - k) // stride + 1


def zero_pad(A, pad):
    """Add ``pad`` rows/columns of zeros on both sides of the last two axes (H and W) only.

    A: array of shape (..., H, W), typically (N, C, H, W); any numeric dtype.
    pad: int >= 0 (ValueError otherwise).
    Returns a NEW array of shape (..., H + 2 pad, W + 2 pad) and A's dtype with
    out[..., pad:pad + H, pad:pad + W] == A and zeros elsewhere; A itself is left unchanged.
    """
    A = np.asarray(A)
    pad = int(pad)
    if pad < 0:
        raise ValueError(f"pad must be 0 or more, got {pad}")
    if A.ndim < 2:
        raise ValueError(f"zero_pad needs an array with at least 2 axes, got shape {A.shape}")
    widths = [(0, 0)] * (A.ndim - 2) + [(pad, pad), (pad, pad)]
    return np.pad(A, widths, mode="constant", constant_values=0)


def _windows(A, kh, kw, stride, pad):
    """Every kernel position of a padded (N, C, H, W) input: a read-only (N, C, H', W', kh, kw) view."""
    N, C, H, Wd = A.shape
    Ho = conv_output_size(H, kh, stride, pad)
    Wo = conv_output_size(Wd, kw, stride, pad)
    padded = zero_pad(A, pad)
    views = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return views[:, :, :Ho, :Wo]


def _correlate(A, W, stride, pad):
    """Multi-channel cross-correlation without bias: (N, C, H, W) and (F, C, kh, kw) -> (N, F, H', W')."""
    windows = _windows(A, W.shape[2], W.shape[3], stride, pad)
    Z = np.tensordot(windows, W, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    return np.ascontiguousarray(Z.transpose(0, 3, 1, 2))


def conv2d(x, w, stride=1, pad=0):
    """One-channel 2-D cross-correlation (what CNN layers call convolution; the kernel is NOT flipped).

    out[i, j] = sum_{u < kh} sum_{v < kw} xp[i * stride + u, j * stride + v] * w[u, v]
    where xp is x zero-padded by ``pad`` on all four sides.

    x: (H, W) numbers; w: (kh, kw) numbers; stride >= 1 and pad >= 0 ints.
    Returns a float64 array of shape (H', W') with H' = conv_output_size(H, kh, stride, pad) and
    W' = conv_output_size(W, kw, stride, pad), whatever the dtype of x and w.
    Raises ValueError when x or w is not 2-D or the kernel does not fit.
    Example (lecture): x = [[3,3,4],[3,3,5],[3,3,4]], w = [[-1,0,1]] * 3, pad = 1 gives
    [[6,3,-6],[9,4,-9],[6,3,-6]].
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"conv2d needs a 2-D input and a 2-D kernel, got shapes {x.shape} and {w.shape}")
    return _correlate(x[None, None], w[None, None], stride, pad)[0, 0]


def conv_forward(A_prev, W, b, stride=1, pad=0):
    """Forward pass of a convolution layer (cross-correlation, summed over input channels, plus bias).

    Z[n, f, i, j] = b[f] + sum_{c < C} sum_{u < kh} sum_{v < kw}
                    Ap[n, c, i * stride + u, j * stride + v] * W[f, c, u, v]
    i.e. Z[n, f] = sum_c conv2d(A_prev[n, c], W[f, c], stride, pad) + b[f], where Ap is A_prev
    zero-padded by ``pad`` on both sides of H and W.

    A_prev: (N, C, H, W) numbers; W: (F, C, kh, kw) numbers; b: (F,) numbers (one bias per filter);
    stride >= 1 and pad >= 0 ints.
    Returns Z, a float64 array of shape (N, F, H', W') with H' = conv_output_size(H, kh, stride, pad)
    and W' = conv_output_size(W, kw, stride, pad), whatever the input dtypes.
    Raises ValueError on inconsistent shapes (C differs, b is not (F,)) or a kernel that does not fit.
    """
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if A_prev.ndim != 4 or W.ndim != 4:
        raise ValueError(f"A_prev must be (N, C, H, W) and W (F, C, kh, kw), got shapes {A_prev.shape} and {W.shape}")
    if A_prev.shape[1] != W.shape[1]:
        raise ValueError(f"A_prev has {A_prev.shape[1]} channels but W expects {W.shape[1]}")
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
    return _correlate(A_prev, W, stride, pad) + b[None, :, None, None]


def pool_forward(A, size, stride, mode="max"):
    """Pooling over size x size windows moved by ``stride``, per instance and channel, without padding.

    out[n, c, i, j] = reduce_{u < size, v < size} A[n, c, i * stride + u, j * stride + v]
    with reduce = max (mode "max"), the mean of the size * size values (mode "avg") or their sum
    (mode "sum").

    A: (N, C, H, W) numbers; size >= 1 and stride >= 1 ints; mode one of "max", "avg", "sum".
    Returns a float64 array of shape (N, C, H', W') with H' = conv_output_size(H, size, stride) and
    W' = conv_output_size(W, size, stride).
    Raises ValueError for an unknown mode, a window larger than the input, or stride < 1.
    Example (lecture input x above, 2x2 windows, stride 2): max [[9,4],[9,5]], avg [[7.5,3.25],[6,3.75]].
    """
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"mode must be 'max', 'avg' or 'sum', got {mode!r}")
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 4:
        raise ValueError(f"A must be (N, C, H, W), got shape {A.shape}")
    windows = _windows(A, size, size, stride, 0)
    if mode == "max":
        return windows.max(axis=(4, 5))
    if mode == "avg":
        return windows.mean(axis=(4, 5))
    return windows.sum(axis=(4, 5))


def flatten(A):
    """Flatten every instance into one row, in C (row-major) order: channel, then row, then column.

    out[n, (c * H + i) * W + j] = A[n, c, i, j]

    A: (N, C, H, W) (or any array with at least 2 axes: all axes after the first are flattened).
    Returns an array of shape (N, C * H * W) with A's dtype.
    """
    A = np.asarray(A)
    if A.ndim < 2:
        raise ValueError(f"flatten needs an array with at least 2 axes, got shape {A.shape}")
    return A.reshape(A.shape[0], -1).copy()


def softmax(Z):
    """Row-wise softmax, numerically stable.

    P[n, k] = exp(Z[n, k] - m_n) / sum_j exp(Z[n, j] - m_n),  m_n = max_j Z[n, j]
    (subtracting the row maximum changes nothing mathematically and keeps exp from overflowing for
    entries like +-1000).

    Z: (N, K) numbers, one row of scores per instance.
    Returns P: float64 (N, K), every row non-negative and summing to 1. Z is not modified.
    Example: [1000, 999, 0, -5] -> [0.73105858, 0.26894142, 0, 0] (about 1e-435 rounds to 0).
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2:
        raise ValueError(f"Z must be (N, K), got shape {Z.shape}")
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    """Backward pass of conv_forward: gradients of a loss L given dZ = dL/dZ.

    With Ap the padded input and Z as in conv_forward:
      dW[f, c, u, v] = sum_{n, i, j} dZ[n, f, i, j] * Ap[n, c, i * stride + u, j * stride + v]
      db[f]          = sum_{n, i, j} dZ[n, f, i, j]
      dAp[n, c, i * stride + u, j * stride + v] += sum_f dZ[n, f, i, j] * W[f, c, u, v]
                       (for every n, c, i, j, u, v; then dA_prev = dAp without its padding)
    Gradients are SUMMED over the batch (conv_forward has no 1/N).

    dZ: (N, F, H', W'); A_prev: (N, C, H, W); W: (F, C, kh, kw); b: (F,); stride, pad as in
    conv_forward.
    Returns the tuple (dA_prev, dW, db) of float64 arrays with the shapes of A_prev, W and b.
    Raises ValueError when dZ's shape is not conv_forward's output shape.
    """
    dZ = np.asarray(dZ, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho = conv_output_size(H, kh, stride, pad)
    Wo = conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, Ho, Wo):
        raise ValueError(f"dZ must have shape {(N, F, Ho, Wo)}, got {dZ.shape}")
    if b.shape != (F,):
        raise ValueError(f"b must have shape ({F},), got {b.shape}")
    windows = _windows(A_prev, kh, kw, stride, pad)
    dW = np.tensordot(dZ, windows, axes=([0, 2, 3], [0, 2, 3]))  # (F, C, kh, kw)
    db = dZ.sum(axis=(0, 2, 3))
    dAp = np.zeros((N, C, H + 2 * pad, Wd + 2 * pad))
    for u in range(kh):  # a loop over kernel offsets, not over output pixels
        for v in range(kw):
            dAp[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride] += np.einsum("nfij,fc->ncij", dZ, W[:, :, u, v])
    dA_prev = np.ascontiguousarray(dAp[:, :, pad:pad + H, pad:pad + Wd])
    return dA_prev, dW, db
