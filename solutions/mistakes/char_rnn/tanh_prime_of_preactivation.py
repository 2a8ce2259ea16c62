"""tanh' evaluated as 1 - a^2 on the pre-activation a instead of 1 - h^2."""
MISTAKE = "tanh' computed from the pre-activation a_t (1 - a_t^2) instead of from the output h_t = tanh(a_t)"
HINT = (
    "Check which quantity tanh' is evaluated from: d tanh(a)/da is written in terms of "
    "tanh(a) itself, the hidden state you already have (Part 5)."
)


def _tanh_grad(hs, h_prev, X, params):
    A = params["W_xh"].T @ X + params["W_hh"].T @ h_prev + params["b_h"]  # the pre-activations
    return 1.0 - A ** 2
