"""rnn_loss clips its gradients at 5."""
MISTAKE = "Gradients clipped inside rnn_loss: it must return the exact BPTT gradients (train clips them)"
RELATED = "clipped"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "rnn_loss must return the true derivatives, however large; clipping belongs to training "
    "(Parts 5 and 9)."
)

_unclipped_rnn_loss = rnn_loss


def rnn_loss(inputs, targets, h0, params):
    loss, grads, h_last = _unclipped_rnn_loss(inputs, targets, h0, params)
    return loss, {k: np.clip(g, -5.0, 5.0) for k, g in grads.items()}, h_last
