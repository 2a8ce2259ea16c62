"""train ignores its clip argument."""
MISTAKE = "train never clips the gradients (the clip argument is ignored)"
HINT = (
    "Check that the clip argument is actually used between rnn_loss and the parameter update "
    "(Part 9)."
)


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    indices = encode(text, vocab)
    params = init_params(len(vocab), hidden_size, seed)
    h0 = np.zeros((hidden_size, 1))
    losses = []
    for _ in range(steps):
        loss, grads, _ = rnn_loss(indices[:-1], indices[1:], h0, params)
        params = {key: params[key] - lr * grads[key] for key in params}
        losses.append(loss)
    return params, losses
