"""train passes each step's final hidden state as the next step's h0."""
MISTAKE = "train carries the hidden state from one step to the next instead of restarting from h0 = 0"
RELATED = "hidden_state_kept state_between_calls"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "Every training step reads the whole string from its start: check which initial hidden "
    "state each step uses (Part 9)."
)


def train(text, vocab, hidden_size, lr, steps, seed, clip=5.0):
    indices = encode(text, vocab)
    params = init_params(len(vocab), hidden_size, seed)
    h = np.zeros((hidden_size, 1))
    losses = []
    for _ in range(steps):
        loss, grads, h = rnn_loss(indices[:-1], indices[1:], h, params)
        grads = clip_gradients(grads, clip)
        params = {key: params[key] - lr * grads[key] for key in params}
        losses.append(loss)
    return params, losses
