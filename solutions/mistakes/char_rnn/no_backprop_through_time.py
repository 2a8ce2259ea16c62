"""The gradient is not carried back from h_{t+1} to h_t (dh_next dropped)."""
MISTAKE = "No backpropagation through time: each step's dh uses only its own output, dh_next is never added"
HINT = (
    "h_t influences the loss at every later step through W_hh, not only through its own "
    "output: re-read how the gradient from step t+1 enters step t (Part 5)."
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
    dA = (1.0 - hs ** 2) * (W_hy @ dZ)  # no dh_next
    h_prev = np.concatenate([h0, hs[:, :-1]], axis=1)
    grads = {"W_xh": X @ dA.T, "W_hh": h_prev @ dA.T, "W_hy": hs @ dZ.T,
             "b_h": dA.sum(axis=1, keepdims=True), "b_y": dZ.sum(axis=1, keepdims=True)}
    return loss, grads, hs[:, -1:].copy()
