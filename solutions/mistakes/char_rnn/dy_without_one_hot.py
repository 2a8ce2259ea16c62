"""Output gradient taken as y_hat instead of y_hat - y."""
MISTAKE = "The output gradient dz_t is y_hat_t alone: the one-hot of the target is never subtracted"
HINT = (
    "Re-derive dL/dz for L = -log softmax(z)[target]: the target's entry contributes a term "
    "that y_hat alone misses (Part 5's BPTT equations)."
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
    dZ = ps.copy()  # the target's one-hot is not subtracted
    dH_direct = W_hy @ dZ
    dA = np.empty_like(hs)
    dh_next = np.zeros((hs.shape[0], 1))
    for t in range(T - 1, -1, -1):
        da = (1.0 - hs[:, t:t + 1] ** 2) * (dH_direct[:, t:t + 1] + dh_next)
        dA[:, t:t + 1] = da
        dh_next = W_hh @ da
    h_prev = np.concatenate([h0, hs[:, :-1]], axis=1)
    grads = {"W_xh": X @ dA.T, "W_hh": h_prev @ dA.T, "W_hy": hs @ dZ.T,
             "b_h": dA.sum(axis=1, keepdims=True), "b_y": dZ.sum(axis=1, keepdims=True)}
    return loss, grads, hs[:, -1:].copy()
