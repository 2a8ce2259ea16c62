"""No validation of p."""
import numpy as np

MISTAKE = "p not validated: p = 1 (division by zero), p > 1 or p < 0 are accepted instead of raising ValueError"
RELATED = "check_missing"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "The spec asks for a ValueError when p is outside [0, 1); check it before using p."


def _check_p(p):
    return None
