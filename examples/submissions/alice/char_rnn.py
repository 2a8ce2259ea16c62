"""Alice's char RNN: unrolled step by step, the way the lecture's "hello" diagram is drawn."""
import numpy as np


def encode(text, vocab):
    vocab = list(vocab)
    lookup = {}
    for position, ch in enumerate(vocab):
        if ch in lookup:
            raise ValueError(f"vocabulary repeats {ch!r}")
        lookup[ch] = position
    codes = []
    for ch in text:
        if ch not in lookup:
            raise ValueError(f"character {ch!r} is not in the vocabulary")
        codes.append(lookup[ch])
    return codes


def one_hot(indices, vocab_size):
    indices = [int(i) for i in indices]
    X = np.zeros((vocab_size, len(indices)))
    for t, i in enumerate(indices):
        if i < 0 or i >= vocab_size:
            raise ValueError(f"index {i} outside 0..{vocab_size - 1}")
        X[i, t] = 1.0
    return X


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=0, keepdims=True)


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(W_xh.T @ x_t + W_hh.T @ h_prev + b_h)


def _column(index, size):
    x = np.zeros((size, 1))
    x[index, 0] = 1.0
    return x


def rnn_forward(inputs, h0, params):
    V = params["W_xh"].shape[0]
    H = params["W_hh"].shape[0]
    T = len(inputs)
    hs = np.zeros((H, T))
    ps = np.zeros((V, T))
    h = np.asarray(h0, dtype=float)
    for t in range(T):
        h = rnn_step_forward(_column(inputs[t], V), h, params["W_xh"], params["W_hh"], params["b_h"])
        scores = params["W_hy"].T @ h + params["b_y"]
        hs[:, t] = h[:, 0]
        ps[:, t] = softmax(scores)[:, 0]
    return hs, ps


def rnn_loss(inputs, targets, h0, params):
    if len(inputs) != len(targets):
        raise ValueError("inputs and targets must have the same length")
    W_xh, W_hh, W_hy = params["W_xh"], params["W_hh"], params["W_hy"]
    b_h, b_y = params["b_h"], params["b_y"]
    V = W_xh.shape[0]
    T = len(inputs)

    # forward, remembering every step
    xs, hs, ps = {}, {}, {}
    hs[-1] = np.asarray(h0, dtype=float)
    loss = 0.0
    for t in range(T):
        xs[t] = _column(inputs[t], V)
        hs[t] = np.tanh(W_xh.T @ xs[t] + W_hh.T @ hs[t - 1] + b_h)
        z = W_hy.T @ hs[t] + b_y
        top = z.max()
        log_norm = top + np.log(np.sum(np.exp(z - top)))
        loss += float(log_norm - z[targets[t], 0])
        ps[t] = np.exp(z - log_norm)

    # backward through time
    dW_xh = np.zeros_like(W_xh, dtype=float)
    dW_hh = np.zeros_like(W_hh, dtype=float)
    dW_hy = np.zeros_like(W_hy, dtype=float)
    db_h = np.zeros_like(b_h, dtype=float)
    db_y = np.zeros_like(b_y, dtype=float)
    dh_next = np.zeros_like(hs[-1])
    for t in reversed(range(T)):
        dz = ps[t].copy()
        dz[targets[t], 0] -= 1.0
        dW_hy += hs[t] @ dz.T
        db_y += dz
        dh = W_hy @ dz + dh_next
        da = (1.0 - hs[t] ** 2) * dh
        dW_xh += xs[t] @ da.T
        dW_hh += hs[t - 1] @ da.T
        db_h += da
        dh_next = W_hh @ da
    grads = {"W_xh": dW_xh, "W_hh": dW_hh, "W_hy": dW_hy, "b_h": db_h, "b_y": db_y}
    return loss, grads, hs[T - 1].copy()


def clip_gradients(grads, clip):
    if not clip > 0:
        raise ValueError("clip must be positive")
    clipped = {}
    for name, g in grads.items():
        clipped[name] = np.clip(g, -clip, clip)
    return clipped


def init_params(vocab_size, hidden_size, seed):
    V, H = vocab_size, hidden_size
    gen = np.random.default_rng(seed)
    params = {}
    # the order of the draws matters: input weights, recurrent weights, output weights
    for name, shape in (("W_xh", (V, H)), ("W_hh", (H, H)), ("W_hy", (H, V))):
        params[name] = 0.01 * gen.standard_normal(shape)
    params["b_h"] = np.zeros((H, 1))
    params["b_y"] = np.zeros((V, 1))
    return params


def sample(h0, start_index, n, params):
    V = params["W_xh"].shape[0]
    h = np.asarray(h0, dtype=float)
    current = start_index
    generated = []
    for _ in range(n):
        h = rnn_step_forward(_column(current, V), h, params["W_xh"], params["W_hh"], params["b_h"])
        probs = softmax(params["W_hy"].T @ h + params["b_y"])
        current = int(np.argmax(probs[:, 0]))
        generated.append(current)
    return generated


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    if len(text) < 2:
        raise ValueError("need at least two characters to train on")
    params = init_params(len(vocab), hidden_size, seed)
    codes = encode(text, vocab)
    inputs, targets = codes[:-1], codes[1:]
    losses = []
    for _ in range(steps):
        h0 = np.zeros((hidden_size, 1))
        loss, grads, _ = rnn_loss(inputs, targets, h0, params)
        grads = clip_gradients(grads, clip)
        for name in params:
            params[name] = params[name] - lr * grads[name]
        losses.append(loss)
    return params, losses
