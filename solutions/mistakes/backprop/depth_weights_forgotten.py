"""The depth product multiplies only the activation derivatives, not the weights."""
MISTAKE = "The backward signal through depth multiplies the derivatives g'(f_l) but forgets the weights w_l"
HINT = ("Each layer contributes d a_l / d a_{l-1} = g'(f_l) * w_l: the chain rule goes through f_l = w_l a_{l-1} + b_l, "
        "whose derivative with respect to a_{l-1} is w_l.")


def _layer_factor(w_l, A_prev, F, name):
    return activation_backward(np.ones_like(F), F, name)
