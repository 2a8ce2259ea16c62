"""Bob's char RNN: his output gradient is just the softmax, he forgot the target's -1."""
import numpy as np


def encode(text, vocab):
    vocab = list(vocab)
    if len(set(vocab)) != len(vocab):
        raise ValueError("duplicate characters in vocab")
    missing = set(text) - set(vocab)
    if missing:
        raise ValueError(f"not in vocab: {sorted(missing)}")
    return [vocab.index(c) for c in text]


def one_hot(indices, vocab_size):
    idx = np.asarray(indices, dtype=int).reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= vocab_size):
        raise ValueError("index out of range")
    return np.eye(vocab_size)[:, idx]


def softmax(z):
    e = np.exp(z - np.max(z, axis=0))
    return e / np.sum(e, axis=0)


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(W_xh.T @ x_t + W_hh.T @ h_prev + b_h)


def _unroll(inputs, h0, P):
    X = one_hot(inputs, P["W_xh"].shape[0])
    H = np.zeros((P["W_hh"].shape[0], len(inputs)))
    h = h0
    for t in range(len(inputs)):
        h = rnn_step_forward(X[:, t:t + 1], h, P["W_xh"], P["W_hh"], P["b_h"])
        H[:, t:t + 1] = h
    Z = P["W_hy"].T @ H + P["b_y"]
    return X, H, Z


def rnn_forward(inputs, h0, params):
    _, H, Z = _unroll(inputs, h0, params)
    return H, softmax(Z)


def rnn_loss(inputs, targets, h0, params):
    if len(inputs) != len(targets):
        raise ValueError("length mismatch")
    X, H, Z = _unroll(inputs, h0, params)
    T = len(inputs)
    zmax = Z.max(axis=0)
    lse = zmax + np.log(np.exp(Z - zmax).sum(axis=0))
    loss = float(np.sum(lse - Z[targets, np.arange(T)]))
    dZ = softmax(Z)  # dL/dz = y_hat
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["W_hy"] = H @ dZ.T
    g["b_y"] = dZ.sum(axis=1, keepdims=True)
    H_prev = np.hstack([h0, H[:, :-1]])
    carry = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        da = (1 - H[:, t:t + 1] ** 2) * (params["W_hy"] @ dZ[:, t:t + 1] + carry)
        g["W_xh"] += X[:, t:t + 1] @ da.T
        g["W_hh"] += H_prev[:, t:t + 1] @ da.T
        g["b_h"] += da
        carry = params["W_hh"] @ da
    return loss, g, H[:, -1:].copy()


def clip_gradients(grads, clip):
    if clip <= 0:
        raise ValueError("clip must be > 0")
    return {k: np.clip(v, -clip, clip) for k, v in grads.items()}


def init_params(vocab_size, hidden_size, seed):
    rng = np.random.default_rng(seed)
    V, Hs = vocab_size, hidden_size
    return {"W_xh": 0.01 * rng.standard_normal((V, Hs)), "W_hh": 0.01 * rng.standard_normal((Hs, Hs)),
            "W_hy": 0.01 * rng.standard_normal((Hs, V)), "b_h": np.zeros((Hs, 1)), "b_y": np.zeros((V, 1))}


def sample(h0, start_index, n, params):
    V = params["W_xh"].shape[0]
    out, h, i = [], h0, start_index
    while len(out) < n:
        h = rnn_step_forward(one_hot([i], V), h, params["W_xh"], params["W_hh"], params["b_h"])
        i = int(np.argmax(params["W_hy"].T @ h + params["b_y"]))
        out.append(i)
    return out


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    if len(text) < 2:
        raise ValueError("text too short")
    P = init_params(len(vocab), hidden_size, seed)
    codes = encode(text, vocab)
    losses = []
    for _ in range(steps):
        loss, grads, _ = rnn_loss(codes[:-1], codes[1:], np.zeros((hidden_size, 1)), P)
        losses.append(loss)
        grads = clip_gradients(grads, clip)
        P = {k: P[k] - lr * grads[k] for k in P}
    return P, losses
