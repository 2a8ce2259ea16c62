"""A correct rewrite: explicit loops over units and instances, the scale computed once."""


def dropout_forward(A, p, train, rng):
    _check_p(p)
    A = np.array(A, dtype=np.float64)
    if not train:
        return A, None
    keep = rng.random(A.shape) >= p
    scale = 1.0 / (1.0 - p)
    out = np.zeros_like(A)
    for i in range(A.shape[0]):  # one row (or one unit of a 1-D input) at a time
        out[i] = np.where(keep[i], A[i] * scale, 0.0)
    return out, keep


def dropout_backward(d_out, mask, p):
    _check_p(p)
    d_out = np.asarray(d_out, dtype=np.float64)
    d_A = np.zeros_like(d_out)
    for i in range(d_out.shape[0]):
        d_A[i] = np.where(mask[i], d_out[i] / (1.0 - p), 0.0)
    return d_A


def _matmul_t(W, X):
    """W.T @ X with loops: out[j, k] = sum_i W[i, j] X[i, k]."""
    out = np.zeros((W.shape[1], X.shape[1]))
    for j in range(W.shape[1]):
        for k in range(X.shape[1]):
            total = 0.0
            for i in range(W.shape[0]):
                total += W[i, j] * X[i, k]
            out[j, k] = total
    return out


def mlp_dropout_forward(X, params, p, train, rng):
    F1 = _matmul_t(params["W1"], X) + params["b1"]
    A1 = np.where(F1 > 0, F1, 0.0)
    D1, mask = dropout_forward(A1, p, train, rng)
    Y_hat = _matmul_t(params["W2"], D1) + params["b2"]
    return Y_hat, (X, F1, D1, mask, p, params["W2"])


def mlp_dropout_backward(dY_hat, cache):
    X, F1, D1, mask, p, W2 = cache
    dW2 = _matmul_t(D1.T, dY_hat.T)
    db2 = dY_hat.sum(axis=1).reshape(-1, 1)
    dD1 = _matmul_t(W2.T, dY_hat)
    dA1 = dD1 if mask is None else dropout_backward(dD1, mask, p)
    dF1 = np.where(F1 > 0, dA1, 0.0)
    dW1 = _matmul_t(X.T, dF1.T)
    db1 = dF1.sum(axis=1).reshape(-1, 1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
