"""A correct rewrite: the lecture's per-step loops for the forward pass and BPTT, one column at a time."""


def encode(text, vocab):
    return [vocab.index(ch) for ch in text]


def one_hot(indices, vocab_size):
    X = np.zeros((vocab_size, len(indices)))
    for t, i in enumerate(indices):
        X[i, t] = 1.0
    return X


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    for t in range(z.shape[1]):
        e = np.exp(z[:, t] - np.max(z[:, t]))
        out[:, t] = e / e.sum()
    return out


def rnn_forward(inputs, h0, params):
    V = params["W_xh"].shape[0]
    hs, ps = [], []
    h = h0
    for i in inputs:
        x = np.zeros((V, 1))
        x[i, 0] = 1.0
        h = np.tanh(params["W_xh"].T @ x + params["W_hh"].T @ h + params["b_h"])
        hs.append(h)
        ps.append(softmax(params["W_hy"].T @ h + params["b_y"]))
    if not hs:
        raise ValueError("inputs must hold at least one index")
    return np.hstack(hs), np.hstack(ps)


def rnn_loss(inputs, targets, h0, params):
    if len(inputs) != len(targets):
        raise ValueError("inputs and targets differ in length")
    V = params["W_xh"].shape[0]
    xs, hs, ps = {}, {-1: np.asarray(h0, dtype=np.float64)}, {}
    loss = 0.0
    for t, i in enumerate(inputs):
        xs[t] = np.zeros((V, 1))
        xs[t][i, 0] = 1.0
        hs[t] = np.tanh(params["W_xh"].T @ xs[t] + params["W_hh"].T @ hs[t - 1] + params["b_h"])
        z = params["W_hy"].T @ hs[t] + params["b_y"]
        top = np.max(z)
        log_sum = top + np.log(np.sum(np.exp(z - top)))
        loss += log_sum - z[targets[t], 0]
        ps[t] = np.exp(z - log_sum)
    grads = {key: np.zeros_like(value, dtype=np.float64) for key, value in params.items()}
    dh_next = np.zeros_like(hs[-1])
    for t in reversed(range(len(inputs))):
        dz = ps[t].copy()
        dz[targets[t], 0] -= 1.0
        grads["W_hy"] += hs[t] @ dz.T
        grads["b_y"] += dz
        dh = params["W_hy"] @ dz + dh_next
        da = (1.0 - hs[t] * hs[t]) * dh
        grads["W_xh"] += xs[t] @ da.T
        grads["W_hh"] += hs[t - 1] @ da.T
        grads["b_h"] += da
        dh_next = params["W_hh"] @ da
    return float(loss), grads, hs[len(inputs) - 1].copy()


def clip_gradients(grads, clip):
    if not clip > 0:
        raise ValueError("clip must be positive")
    return {key: np.minimum(np.maximum(value, -clip), clip) for key, value in grads.items()}


def sample(h0, start_index, n, params):
    V = params["W_xh"].shape[0]
    index, h, out = start_index, h0, []
    for _ in range(n):
        x = np.zeros((V, 1))
        x[index, 0] = 1.0
        h = np.tanh(params["W_xh"].T @ x + params["W_hh"].T @ h + params["b_h"])
        index = int(np.argmax(params["W_hy"].T @ h + params["b_y"]))
        out.append(index)
    return out


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    if len(text) < 2:
        raise ValueError("text needs at least 2 characters")
    indices = encode(text, vocab)
    params = init_params(len(vocab), hidden_size, seed)
    losses = []
    for _ in range(steps):
        loss, grads, _ = rnn_loss(indices[:-1], indices[1:], np.zeros((hidden_size, 1)), params)
        grads = clip_gradients(grads, clip)
        for key in params:
            params[key] = params[key] - lr * grads[key]
        losses.append(loss)
    return params, losses
