"""tanh' evaluated as 1 - a^2 on the pre-activation a instead of 1 - h^2."""
MISTAKE = "tanh' computed from the pre-activation a_t (1 - a_t^2) instead of from the output h_t = tanh(a_t)"
HINT = (
    "Check which quantity tanh' is evaluated from: d tanh(a)/da is written in terms of "
    "tanh(a) itself, the hidden state you already have (Part 5)."
)


def rnn_loss(inputs, targets, h0, params):
    if len(inputs) != len(targets):
        raise ValueError("inputs and targets differ in length")
    W_xh, W_hh, W_hy = params["W_xh"], params["W_hh"], params["W_hy"]
    hs, ps = rnn_forward(inputs, h0, params)
    T = hs.shape[1]
    X = one_hot(inputs, W_xh.shape[0])
    tgt = np.asarray(targets, dtype=np.int64)
    log_p = _log_softmax(W_hy.T @ hs + params["b_y"])
    loss = float(-np.sum(log_p[tgt, np.arange(T)]))
    dZ = ps.copy()
    dZ[tgt, np.arange(T)] -= 1.0
    h_prev = np.concatenate([h0, hs[:, :-1]], axis=1)
    A = W_xh.T @ X + W_hh.T @ h_prev + params["b_h"]  # pre-activations
    dH_direct = W_hy @ dZ
    dA = np.empty_like(hs)
    dh_next = np.zeros((hs.shape[0], 1))
    for t in range(T - 1, -1, -1):
        da = (1.0 - A[:, t:t + 1] ** 2) * (dH_direct[:, t:t + 1] + dh_next)
        dA[:, t:t + 1] = da
        dh_next = W_hh @ da
    grads = {"W_xh": X @ dA.T, "W_hh": h_prev @ dA.T, "W_hy": hs @ dZ.T,
             "b_h": dA.sum(axis=1, keepdims=True), "b_y": dZ.sum(axis=1, keepdims=True)}
    return loss, grads, hs[:, -1:].copy()
