"""The gradient is not carried back from h_{t+1} to h_t (dh_next dropped)."""
MISTAKE = "No backpropagation through time: each step's dh uses only its own output, dh_next is never added"
HINT = (
    "h_t influences the loss at every later step through W_hh, not only through its own "
    "output: re-read how the gradient from step t+1 enters step t (Part 5)."
)


def _backprop_through_time(dH_direct, tanh_grad, W_hh):
    return tanh_grad * dH_direct  # each step keeps only its own output's gradient: no dh_next
