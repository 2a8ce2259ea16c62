"""Row l of the depth product leaves out layer l's own factor (an exclusive running product)."""
MISTAKE = "The product for depth l stops at layer l - 1: row l - 1 leaves out layer l's own factor g'(f_l) w_l"
RELATED = "time_shift"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "d a_l / d a_0 has one factor g'(f_j) w_j for EVERY layer j = 1, ..., l, the l-th included (row 0 is g'(f_1) w_1, not 1)."


def _running_products(factors):
    return np.cumprod(np.vstack([np.ones((1, factors.shape[1])), factors[:-1]]), axis=0)
