"""The recurrence uses W_hh @ h_prev instead of W_hh.T @ h_prev."""
MISTAKE = "W_hh applied without its transpose (W_hh @ h_prev instead of W_hh.T @ h_prev)"
HINT = (
    "In the lecture's notation every weight matrix is applied transposed; W_hh is square so "
    "the shapes do not warn you, but it is not symmetric (Part 3)."
)


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(W_xh.T @ x_t + W_hh @ h_prev + b_h)
