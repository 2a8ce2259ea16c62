"""Each row holds one layer's own factor instead of the product of all factors up to it."""
MISTAKE = "Each depth gets only its own layer's factor g'(f_l) w_l, not the product of the factors of all layers up to it"
HINT = "By the chain rule d a_l / d a_0 = (d a_l / d a_{l-1}) (d a_{l-1} / d a_0): keep multiplying, layer after layer."


def _running_products(factors):
    return factors.copy()
