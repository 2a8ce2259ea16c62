"""A correct rewrite: explicit loops over units and instances (the lecture's sums written out)."""


def _sigmoid_one(f):
    if f >= 0:
        return 1.0 / (1.0 + np.exp(-f))
    e = np.exp(f)
    return e / (1.0 + e)


def activation_forward(F, name):
    _check_name(name)
    F = np.asarray(F, dtype=np.float64)
    A = np.empty_like(F)
    for i in np.ndindex(F.shape):
        f = F[i]
        A[i] = {"sigmoid": _sigmoid_one, "tanh": np.tanh, "relu": lambda v: v if v > 0 else 0.0,
                "linear": lambda v: v}[name](f)
    return A


def activation_backward(dA, F, name):
    _check_name(name)
    dA = np.asarray(dA, dtype=np.float64)
    F = np.asarray(F, dtype=np.float64)
    dF = np.empty_like(F)
    for i in np.ndindex(F.shape):
        f = F[i]
        if name == "sigmoid":
            a = _sigmoid_one(f)
            slope = a * (1.0 - a)
        elif name == "tanh":
            slope = 1.0 - np.tanh(f) ** 2
        elif name == "relu":
            slope = 1.0 if f > 0 else 0.0
        else:
            slope = 1.0
        dF[i] = dA[i] * slope
    return dF


def dense_forward(A_prev, W, b):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    n_prev, n = W.shape
    F = np.empty((n, A_prev.shape[1]))
    for j in range(n):
        for k in range(A_prev.shape[1]):
            total = 0.0
            for i in range(n_prev):
                total += W[i, j] * A_prev[i, k]
            F[j, k] = total + b[j, 0]
    return F


def dense_backward(dF, A_prev, W):
    dF = np.asarray(dF, dtype=np.float64)
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    n_prev, n = W.shape
    m = dF.shape[1]
    dA_prev = np.zeros((n_prev, m))
    dW = np.zeros((n_prev, n))
    db = np.zeros((n, 1))
    for k in range(m):
        for j in range(n):
            db[j, 0] += dF[j, k]
            for i in range(n_prev):
                dA_prev[i, k] += W[i, j] * dF[j, k]
                dW[i, j] += A_prev[i, k] * dF[j, k]
    return dA_prev, dW, db


def mse_loss(Y_hat, Y):
    Y_hat = np.asarray(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y_hat.shape[1]
    total = 0.0
    for i in np.ndindex(Y_hat.shape):
        total += 0.5 * (Y_hat[i] - Y[i]) ** 2
    return float(total / m), (Y_hat - Y) / m


def gradient_descent_step(params, grads, lr):
    new = {}
    for key in params:
        new[key] = np.array(params[key], dtype=np.float64)
        new[key] -= lr * np.asarray(grads[key], dtype=np.float64)
    return new


def numerical_gradient(f, x, h=1e-5):
    x0 = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        plus, minus = x0.copy(), x0.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (float(f(plus)) - float(f(minus))) / (2 * h)
    return grad
