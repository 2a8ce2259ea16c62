"""Output gradient taken as y_hat instead of y_hat - y."""
MISTAKE = "The output gradient dz_t is y_hat_t alone: the one-hot of the target is never subtracted"
HINT = (
    "Re-derive dL/dz for L = -log softmax(z)[target]: the target's entry contributes a term "
    "that y_hat alone misses (Part 5's BPTT equations)."
)


def _output_gradient(ps, tgt):
    return ps.copy()  # the target's one-hot is never subtracted
