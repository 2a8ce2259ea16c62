"""The activation's derivative taken at the layer's input a_{l-1} instead of its pre-activation f_l."""
MISTAKE = "g' evaluated at the layer's input a_{l-1} instead of at its pre-activation f_l = w_l a_{l-1} + b_l"
HINT = "The factor of layer l is g'(f_l) * w_l with f_l = w_l a_{l-1} + b_l: compute f_l first, then g' there."


def _layer_factor(w_l, A_prev, F, name):
    return activation_backward(np.full_like(F, w_l), A_prev, name)
