"""Loss computed as -log(y_hat[target]) from the softmax output."""
MISTAKE = "Cross-entropy computed as -log of the softmax probability, which underflows to log(0) = -inf"
RELATED = "nan"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "A probability like exp(-1000) is 0 in float64 and its log is -inf: compute the loss from"
    " the logits with a stable log-sum-exp (Part 5)."
)

_stable_rnn_loss = rnn_loss


def rnn_loss(inputs, targets, h0, params):
    _, grads, h_last = _stable_rnn_loss(inputs, targets, h0, params)
    hs, ps = rnn_forward(inputs, h0, params)
    tgt = np.asarray(targets, dtype=np.int64)
    with np.errstate(divide="ignore"):
        loss = float(-np.sum(np.log(ps[tgt, np.arange(ps.shape[1])])))
    return loss, grads, h_last
