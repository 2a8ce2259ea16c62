"""A module-level hidden state carried from one rnn_loss call to the next."""
MISTAKE = "Hidden state kept between calls: rnn_loss starts from the last call's final state instead of h0"
RELATED = "train_carries_hidden state_between_calls"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "Each call must start from the h0 it is given and must not remember earlier calls: look "
    "for state stored outside the function."
)

_stateless_rnn_loss = rnn_loss
_carried_h = None


def rnn_loss(inputs, targets, h0, params):
    global _carried_h
    start = h0 if _carried_h is None or _carried_h.shape != np.shape(h0) else _carried_h
    loss, grads, h_last = _stateless_rnn_loss(inputs, targets, start, params)
    _carried_h = h_last
    return loss, grads, h_last
