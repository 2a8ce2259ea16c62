"""Gradients rescaled by their norm instead of clipped element-wise."""
MISTAKE = "Clipping by norm (rescaling g to norm clip) instead of clipping every entry to [-clip, clip]"
RELATED = "rescaled_not_clipped"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "This assignment clips each entry separately to [-clip, clip]; it does not rescale whole "
    "arrays by their norm (Part 6)."
)


def clip_gradients(grads, clip):
    out = {}
    for key, g in grads.items():
        norm = np.linalg.norm(g)
        out[key] = g * (clip / norm) if norm > clip else g.copy()
    return out
