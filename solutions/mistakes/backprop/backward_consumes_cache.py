"""mlp_backward pops the layers off the cache list."""
import numpy as np

MISTAKE = "mlp_backward empties the cache (cache.pop()) while walking back through the layers"
RELATED = "in_place"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("The cache belongs to the caller, who may need it again (e.g. a second backward pass). Read it "
        "by index or iterate over reversed(cache) instead of removing items from it.")


def mlp_backward(dY_hat, cache):
    dA = np.asarray(dY_hat, dtype=np.float64)
    grads = {}
    l = len(cache)
    while cache:
        A_prev, W, F, name = cache.pop()
        dF = activation_backward(dA, F, name)
        dA, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dF, A_prev, W)
        l -= 1
    return {key: grads[key] for l in range(1, len(grads) // 2 + 1) for key in (f"W{l}", f"b{l}")}
