"""p = 0 refused although it is valid (no dropout)."""
import numpy as np

MISTAKE = "p = 0 rejected: the check demands 0 < p < 1, but p = 0 is valid and makes dropout the identity"
RELATED = "check_too_strict"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "Reread the allowed range of p: one end is included. With nothing dropped, training dropout is simply the identity."


def _check_p(p):
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise ValueError(f"p must be a number in (0, 1), got {p!r}")
    if not 0.0 < float(p) < 1.0:
        raise ValueError(f"p must satisfy 0 < p < 1, got {p!r}")
