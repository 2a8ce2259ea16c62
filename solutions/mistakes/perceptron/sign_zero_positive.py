"""sgn(0) = +1: the threshold test uses >= instead of >."""
MISTAKE = "sgn(0) taken as +1 (z >= 0 instead of z > 0)"
RELATED = "numpy_sign"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The lecture's sgn is -1 at exactly 0: only strictly positive z gives +1. Points on the boundary count as -1."


def sign(z):
    z = np.asarray(z)
    return np.where(z >= 0, 1, -1).astype(np.int64)
