"""train uses the input characters as their own targets."""
MISTAKE = "Targets not shifted: train asks each step to predict the current character instead of the next one"
HINT = (
    "Each step must predict the NEXT character: check how inputs and targets are cut from the"
    " text (Part 9)."
)


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    indices = encode(text, vocab)
    params = init_params(len(vocab), hidden_size, seed)
    h0 = np.zeros((hidden_size, 1))
    losses = []
    for _ in range(steps):
        loss, grads, _ = rnn_loss(indices[:-1], indices[:-1], h0, params)
        grads = clip_gradients(grads, clip)
        params = {key: params[key] - lr * grads[key] for key in params}
        losses.append(loss)
    return params, losses
