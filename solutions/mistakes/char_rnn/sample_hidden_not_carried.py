"""sample restarts every step from h0."""
MISTAKE = "sample restarts each step from h0 instead of carrying the hidden state forward"
HINT = (
    "The hidden state is the network's memory: check which h each generation step starts from"
    " (Part 8)."
)


def sample(h0, start_index, n, params):
    V = params["W_xh"].shape[0]
    x = one_hot([start_index], V)
    out = []
    for _ in range(n):
        h = rnn_step_forward(x, h0, params["W_xh"], params["W_hh"], params["b_h"])
        p = softmax(params["W_hy"].T @ h + params["b_y"])
        out.append(int(np.argmax(p[:, 0])))
        x = one_hot([out[-1]], V)
    return out
