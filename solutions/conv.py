"""Convolutional layers with numpy.

You write the forward pass of a convolutional network's building blocks in the batch-first layout
of the deep-learning frameworks: the output size of a convolution with kernel size k, stride s and
padding p; zero padding; a one-channel 2-D cross-correlation; a multi-channel convolution layer with
one bias per filter; max, average and sum pooling; flattening; and a numerically stable softmax.
Activations are A of shape (N, C, H, W) (N instances, C channels, H rows, W columns) and kernels are
W of shape (F, C, kh, kw) (F filters). As in every CNN library, "convolution" means
cross-correlation: the kernel is slid over the input as it is, never flipped. The extension part is
the backward pass of the convolution layer; the last parts add pooling's backward pass, ReLU and a
softmax cross-entropy loss, and assemble the lecture's whole CNN (conv -> ReLU -> max pool -> conv ->
ReLU -> flatten -> dense -> softmax), its gradients and a short training run. No function may modify
its arguments in place.
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
    A, pad = np.asarray(A), int(pad)
    if pad < 0:
        raise ValueError(f"pad must be 0 or more, got {pad}")
    if A.ndim < 2:
        raise ValueError(f"zero_pad needs an array with at least 2 axes, got shape {A.shape}")
    out = np.zeros(A.shape[:-2] + (A.shape[-2] + 2 * pad, A.shape[-1] + 2 * pad), dtype=A.dtype)
    out[..., pad:pad + A.shape[-2], pad:pad + A.shape[-1]] = A
    return out


def _windows(A, kh, kw, stride, pad):
    """Every kernel position of a padded (N, C, H, W) input: a read-only (N, C, H', W', kh, kw) view."""
    N, C, H, Wd = A.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    padded = np.ascontiguousarray(zero_pad(A, pad))  # windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))
    (N, C, Hp, Wp), (sN, sC, sH, sW) = padded.shape, padded.strides  # [:, :, ::stride, ::stride][:, :, :Ho, :Wo]:
    if kh > Hp or kw > Wp:
        raise ValueError("window shape cannot be larger than input array shape")  # (as sliding_window_view)
    windows = np.ndarray((N, C, min(Ho, (Hp - kh) // stride + 1), min(Wo, (Wp - kw) // stride + 1), kh, kw),
                         padded.dtype, padded, 0, (sN, sC, sH * stride, sW * stride, sH, sW))
    windows.flags.writeable = False
    return windows


def _correlate(A, W, stride, pad):
    """Multi-channel cross-correlation without bias: (N, C, H, W) and (F, C, kh, kw) -> (N, F, H', W')."""
    windows = _windows(A, W.shape[2], W.shape[3], stride, pad)
    N, C, Ho, Wo, kh, kw = windows.shape  # np.tensordot(windows, W, axes=([1, 4, 5], [1, 2, 3])) written out:
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)  # a row (c, u, v) per window
    Z = np.dot(rows, W.transpose(1, 2, 3, 0).reshape(C * kh * kw, W.shape[0])).reshape(N, Ho, Wo, W.shape[0])
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
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
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
    A_prev, W = np.asarray(A_prev, dtype=np.float64), np.asarray(W, dtype=np.float64)
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
    dZ, A_prev, W, b = (np.asarray(v, dtype=np.float64) for v in (dZ, A_prev, W, b))
    (N, C, H, Wd), (F, _, kh, kw) = A_prev.shape, W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, Ho, Wo):
        raise ValueError(f"dZ must have shape {(N, F, Ho, Wo)}, got {dZ.shape}")
    if b.shape != (F,):
        raise ValueError(f"b must have shape ({F},), got {b.shape}")
    windows = _windows(A_prev, kh, kw, stride, pad)
    if windows.shape[2:4] != (Ho, Wo) or (Ho - 1) * stride + kh > H + 2 * pad or (Wo - 1) * stride + kw > Wd + 2 * pad:
        raise ValueError("shape-mismatch for sum")  # (zero_pad and conv_output_size disagree; as np.tensordot says)
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)  # as in _correlate; dW is then
    dW = np.dot(dZ.transpose(1, 0, 2, 3).reshape(F, N * Ho * Wo), rows).reshape(F, C, kh, kw)  # a tensordot over n, i, j
    db = dZ.sum(axis=(0, 2, 3))
    sent = np.einsum("nfij,fcuv->uvncij", dZ, W)  # what kernel offset (u, v) sends back: sum_f dZ[:, f] W[f, :, u, v]
    layers = np.zeros((kh * kw, N, C, H + 2 * pad, Wd + 2 * pad))  # dAp, one layer per kernel offset (u, v)
    k, n, c, h, w = layers.strides  # the view [u, v, n, c, i, j] = layers[u*kw + v, n, c, i*stride + u, j*stride + v]:
    np.ndarray((kh, kw, N, C, Ho, Wo), float, layers, 0, (kw * k + h, k + w, n, c, stride * h, stride * w))[...] = sent
    dAp = layers.sum(axis=0)  # the offsets' shares added in order, as a loop over (u, v) adding into dAp would
    dA_prev = np.ascontiguousarray(dAp[:, :, pad:pad + H, pad:pad + Wd])
    return dA_prev, dW, db


# ---------------------------------------------------------------- the lecture's CNN, end to end

def pool_backward(dA, A_prev, size, stride, mode="max"):
    """Backward pass of pool_forward (no padding): the gradient with respect to its input.

    mode "max": each window passes its gradient to the ONE position that held its maximum,
        dA_prev[n, c, i * stride + u*, j * stride + v*] += dA[n, c, i, j]
        where (u*, v*) = argmax_{u, v} A_prev[n, c, i * stride + u, j * stride + v]
        (on ties, the first position in row-major order, as np.argmax); every other position of
        the window gets nothing from it.
    mode "avg": every position of the window gets an equal share,
        dA_prev[n, c, i * stride + u, j * stride + v] += dA[n, c, i, j] / size^2   for all u, v.
    mode "sum": every position gets the whole dA[n, c, i, j].
    Windows that overlap (stride < size) ADD their contributions; positions no window covers get 0.

    dA: (N, C, H', W') the gradient with respect to pool_forward's output; A_prev: (N, C, H, W) the
    input pool_forward was given; size >= 1, stride >= 1 ints; mode one of "max", "avg", "sum".
    Returns dA_prev, a float64 array of A_prev's shape (N, C, H, W).
    Raises ValueError for an unknown mode or when dA's shape is not pool_forward's output shape.
    """
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"mode must be 'max', 'avg' or 'sum', got {mode!r}")
    dA, A_prev = np.asarray(dA, dtype=np.float64), np.asarray(A_prev, dtype=np.float64)
    N, C, H, Wd = A_prev.shape
    Ho, Wo = conv_output_size(H, size, stride), conv_output_size(Wd, size, stride)
    if dA.shape != (N, C, Ho, Wo):
        raise ValueError(f"dA must have shape {(N, C, Ho, Wo)}, got {dA.shape}")
    dA_prev = np.zeros((N, C, H, Wd))
    if mode == "max":
        u, v = _argmax_offsets(A_prev, size, stride)
        n, c, i, j = np.indices((N, C, Ho, Wo))
        _scatter_add(dA_prev, (n, c, i * stride + u, j * stride + v), dA)
        return dA_prev
    share = _window_share(dA, size, mode)
    for u in range(size):  # a loop over window offsets, not over output pixels
        for v in range(size):
            dA_prev[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride] += share
    return dA_prev


def _argmax_offsets(A_prev, size, stride):
    """(u, v): the row and column offset of each pooling window's maximum, two (N, C, H', W') int arrays."""
    windows = _windows(A_prev, size, size, stride, 0)
    flat = windows.reshape(windows.shape[:4] + (size * size,))
    return np.divmod(flat.argmax(axis=4), size)


def _scatter_add(target, index, values):
    """target[index] += values, adding up where the index repeats (overlapping windows)."""
    np.add.at(target, index, values)


def _window_share(dA, size, mode):
    """What each position of a window receives in avg (an equal share) or sum (all) pooling."""
    return dA / (size * size) if mode == "avg" else dA


def relu(Z):
    """The rectified linear unit, elementwise: relu(z) = max(0, z).

    Z: an array of any shape. Returns a new float64 array of Z's shape.
    """
    return np.maximum(np.asarray(Z, dtype=np.float64), 0.0)


def relu_backward(dA, Z):
    """Chain rule through A = relu(Z): dZ = dA * relu'(Z), with relu'(z) = 1 if z > 0 else 0.

    The derivative is taken at the PRE-activation Z (the same Z that relu was applied to), never at
    the incoming gradient dA.
    dA: the gradient with respect to A = relu(Z); Z: the pre-activation; both of the same shape.
    Returns dZ, a float64 array of that shape.
    """
    dA, Z = np.asarray(dA, dtype=np.float64), np.asarray(Z, dtype=np.float64)
    return dA * (Z > 0)


def softmax_cross_entropy(Z, y):
    """Mean cross-entropy of the softmax of class scores, and its gradient with respect to the scores.

    With P = softmax(Z) (row-wise, stable) and Y the one-hot rows of the labels y:
        loss = -(1 / N) sum_n log P[n, y_n]
        dZ   = d loss / d Z = (P - Y) / N
    Compute log P[n, y_n] as Z[n, y_n] - max_k Z[n, k] - log sum_k exp(Z[n, k] - max_k Z[n, k]), so
    that scores like +-1000 give a finite loss (log of a probability that underflows to 0 is -inf).

    Z: (N, K) scores, one row per instance; y: (N,) integer labels in 0..K-1.
    Returns (loss, dZ): loss a Python float, dZ a float64 (N, K) array.
    """
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    loss = float(-np.mean(_log_probability_of(Z, y)))
    return loss, _scores_gradient(softmax(Z), y)


def _log_probability_of(Z, y):
    """log softmax(Z)[n, y_n] for every row n, computed without taking the log of a probability."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted[np.arange(Z.shape[0]), y] - np.log(np.exp(shifted).sum(axis=1))


def _scores_gradient(P, y):
    """d loss / d Z = (P - one-hot(y)) / N for the mean cross-entropy."""
    dZ = P.copy()
    dZ[np.arange(P.shape[0]), y] -= 1.0
    return dZ / P.shape[0]


def _unflatten(d_flat, shape):
    """Inverse of flatten for a gradient: (N, C * H * W) back to (N, C, H, W) in the same C order."""
    return np.asarray(d_flat).reshape(shape)


def cnn_forward(X, params):
    """Forward pass of the lecture's CNN: conv -> ReLU -> max pool -> conv -> ReLU -> flatten -> dense.

        Z1 = conv_forward(X, W1, b1, stride=1, pad=1);   A1 = relu(Z1)
        P1 = pool_forward(A1, 2, 2, mode="max")            (2x2 windows, stride 2)
        Z2 = conv_forward(P1, W2, b2, stride=1, pad=0);  A2 = relu(Z2)
        a  = flatten(A2)                                   (N, D), D = F2 * H2 * W2
        Z  = a @ W3 + b3                                   (N, K): the class scores
    Each conv layer is the lecture's A^[l] = g^[l](W^[l] * A^[l-1]) with g = ReLU; the dense layer is
    the lecture's W^T a written for instances as rows (row n of Z is W3^T a_n + b3). The class
    probabilities are softmax(Z), row-wise.

    X: (N, C, H, W) input images.
    params: dict with "W1" (F1, C, k1, k1), "b1" (F1,), "W2" (F2, F1, k2, k2), "b2" (F2,),
    "W3" (D, K), "b3" (K,).
    Returns (Z, cache): Z the float64 (N, K) scores; cache whatever cnn_backward needs (your design;
    it is never graded).
    """
    X = np.asarray(X, dtype=np.float64)
    Z1 = conv_forward(X, params["W1"], params["b1"], stride=1, pad=1)
    A1 = relu(Z1)
    P1 = pool_forward(A1, 2, 2, mode="max")
    Z2 = conv_forward(P1, params["W2"], params["b2"], stride=1, pad=0)
    A2 = relu(Z2)
    a = flatten(A2)
    Z = a @ np.asarray(params["W3"], dtype=np.float64) + np.asarray(params["b3"], dtype=np.float64)
    cache = {"X": X, "Z1": Z1, "A1": A1, "P1": P1, "Z2": Z2, "a": a, "params": params}
    return Z, cache


def cnn_backward(dZ, cache):
    """Backward pass of cnn_forward: the gradient of the loss with respect to every parameter.

    From dZ = d loss / d Z (N, K), layer by layer, back to the first:
        dW3 = a^T dZ,  db3 = sum_n dZ[n],  da = dZ W3^T
        dA2 = da unflattened to A2's shape (the inverse of flatten's order);  dZ2 = relu_backward(dA2, Z2)
        (dP1, dW2, db2) = conv_backward(dZ2, P1, W2, b2, stride=1, pad=0)
        dA1 = pool_backward(dP1, A1, 2, 2, mode="max");  dZ1 = relu_backward(dA1, Z1)
        (dX, dW1, db1) = conv_backward(dZ1, X, W1, b1, stride=1, pad=1)

    dZ: (N, K); cache: what cnn_forward returned with the scores.
    Returns grads, a dict with the keys and shapes of params ("W1", "b1", "W2", "b2", "W3", "b3"),
    float64 arrays.
    """
    dZ = np.asarray(dZ, dtype=np.float64)
    params = cache["params"]
    W3 = np.asarray(params["W3"], dtype=np.float64)
    grads = {"W3": cache["a"].T @ dZ, "b3": dZ.sum(axis=0)}
    dA2 = _unflatten(dZ @ W3.T, cache["Z2"].shape)
    dZ2 = relu_backward(dA2, cache["Z2"])
    dP1, grads["W2"], grads["b2"] = conv_backward(dZ2, cache["P1"], params["W2"], params["b2"], stride=1, pad=0)
    dA1 = pool_backward(dP1, cache["A1"], 2, 2, mode="max")
    dZ1 = relu_backward(dA1, cache["Z1"])
    _, grads["W1"], grads["b1"] = conv_backward(dZ1, cache["X"], params["W1"], params["b1"], stride=1, pad=1)
    return {key: grads[key] for key in ("W1", "b1", "W2", "b2", "W3", "b3")}


def cnn_train(X, y, params, lr, steps):
    """Full-batch gradient descent on the mean cross-entropy of the lecture's CNN.

    For each of ``steps`` steps: Z = cnn_forward(X, params) scores, (loss, dZ) =
    softmax_cross_entropy(Z, y), record the loss (the loss BEFORE this step), grads =
    cnn_backward(dZ, cache), then P <- P - lr * dP for every parameter (new arrays: the caller's
    params are not modified).

    X: (N, C, H, W) images; y: (N,) integer labels; params: as in cnn_forward; lr > 0 float;
    steps >= 0 int.
    Returns (params, losses): the dict of parameters after the last step and the list of ``steps``
    Python floats.
    """
    params = {key: np.asarray(value, dtype=np.float64) for key, value in params.items()}
    losses = []
    for _ in range(int(steps)):
        Z, cache = cnn_forward(X, params)
        loss, dZ = softmax_cross_entropy(Z, y)
        losses.append(loss)
        grads = cnn_backward(dZ, cache)
        params = _descend(params, grads, lr)
    return params, losses


def _descend(params, grads, lr):
    """One gradient-descent step into new arrays: P - lr * dP for every parameter."""
    return {key: params[key] - lr * grads[key] for key in params}
