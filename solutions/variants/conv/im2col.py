"""A correct rewrite: im2col (every window as a column) and one matrix product; gradients by col2im."""


def _columns(Ap, kh, kw, stride, Ho, Wo):
    """(N, C * kh * kw, Ho * Wo): column (i * Wo + j) holds the window at output pixel (i, j)."""
    N, C = Ap.shape[:2]
    cols = np.empty((N, C, kh, kw, Ho, Wo))
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = Ap[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
    return cols.reshape(N, C * kh * kw, Ho * Wo)


def conv_forward(A_prev, W, b, stride=1, pad=0):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if A_prev.ndim != 4 or W.ndim != 4 or A_prev.shape[1] != W.shape[1] or b.shape != (W.shape[0],):
        raise ValueError("inconsistent shapes")
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    cols = _columns(zero_pad(A_prev, pad), kh, kw, stride, Ho, Wo)
    Z = np.einsum("fk,nkp->nfp", W.reshape(F, -1), cols) + b[None, :, None]
    return Z.reshape(N, F, Ho, Wo)


def conv2d(x, w, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError("x and w must be 2-D")
    return conv_forward(x[None, None], w[None, None], np.zeros(1), stride, pad)[0, 0]


def pool_forward(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError(f"unknown mode {mode!r}")
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 4:
        raise ValueError("A must be (N, C, H, W)")
    N, C, H, Wd = A.shape
    Ho, Wo = conv_output_size(H, size, stride), conv_output_size(Wd, size, stride)
    cols = _columns(A.reshape(N * C, 1, H, Wd), size, size, stride, Ho, Wo)  # (N C, size^2, Ho Wo)
    reduced = {"max": cols.max(axis=1), "sum": cols.sum(axis=1), "avg": cols.mean(axis=1)}[mode]
    return reduced.reshape(N, C, Ho, Wo)


def conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    dZ = np.asarray(dZ, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = conv_output_size(H, kh, stride, pad), conv_output_size(Wd, kw, stride, pad)
    if dZ.shape != (N, F, Ho, Wo):
        raise ValueError("dZ does not have conv_forward's output shape")
    cols = _columns(zero_pad(A_prev, pad), kh, kw, stride, Ho, Wo)
    dZ2 = dZ.reshape(N, F, Ho * Wo)
    dW = np.einsum("nfp,nkp->fk", dZ2, cols).reshape(W.shape)
    db = dZ2.sum(axis=(0, 2))
    dcols = np.einsum("fk,nfp->nkp", W.reshape(F, -1), dZ2).reshape(N, C, kh, kw, Ho, Wo)
    dAp = np.zeros((N, C, H + 2 * pad, Wd + 2 * pad))
    for u in range(kh):
        for v in range(kw):
            dAp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride] += dcols[:, :, u, v]
    return dAp[:, :, pad:pad + H, pad:pad + Wd], dW, db
