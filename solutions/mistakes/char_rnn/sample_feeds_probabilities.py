"""sample feeds the probability vector back in instead of the one-hot prediction."""
MISTAKE = "sample feeds y_hat (the probabilities) back as the next input instead of the one-hot of its argmax"
HINT = (
    "The next input is a character, not a distribution: turn the prediction into the same "
    "kind of input column a training character would be (Part 8)."
)


def sample(h0, start_index, n, params):
    V = params["W_xh"].shape[0]
    x = one_hot([start_index], V)
    h = h0
    out = []
    for _ in range(n):
        h = rnn_step_forward(x, h, params["W_xh"], params["W_hh"], params["b_h"])
        p = softmax(params["W_hy"].T @ h + params["b_y"])
        out.append(int(np.argmax(p[:, 0])))
        x = p
    return out
