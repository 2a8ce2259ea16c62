"""clip_gradients overwrites the caller's arrays."""
MISTAKE = "clip_gradients clips the caller's arrays in place (np.clip(..., out=g)) instead of returning new ones"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "clip_gradients must leave the dict it receives, and its arrays, untouched: build new "
    "arrays instead of writing into the old ones (Part 6)."
)


def clip_gradients(grads, clip):
    for g in grads.values():
        np.clip(g, -clip, clip, out=g)
    return dict(grads)
