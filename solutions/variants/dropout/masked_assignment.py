"""A correct rewrite: the mask as the complement of a drop test, dropped units zeroed by assignment."""


def dropout_forward(A, p, train, rng):
    _check_p(p)
    if not train:
        return np.array(A, dtype=np.float64, copy=True), None
    drop = rng.random(np.shape(A)) < p
    out = np.asarray(A, dtype=np.float64) / (1.0 - p)
    out[drop] = 0.0
    return out, ~drop


def dropout_backward(d_out, mask, p):
    _check_p(p)
    grad = np.asarray(d_out, dtype=np.float64) / (1.0 - p)
    return np.where(mask, grad, 0.0)


def mlp_dropout_forward(X, params, p, train, rng):
    F1 = np.einsum("nh,nm->hm", params["W1"], X) + params["b1"]
    A1 = F1 * (F1 > 0)
    D1, mask = dropout_forward(A1, p, train, rng)
    return np.einsum("hk,hm->km", params["W2"], D1) + params["b2"], {"X": X, "F1": F1, "D1": D1, "mask": mask, "p": p, "W2": params["W2"]}


def mlp_dropout_backward(dY_hat, cache):
    dD1 = np.einsum("hk,km->hm", cache["W2"], dY_hat)
    dA1 = dD1 if cache["mask"] is None else dropout_backward(dD1, cache["mask"], cache["p"])
    dF1 = np.where(cache["F1"] > 0, dA1, 0.0)
    return {"W1": (dF1 @ cache["X"].T).T, "b1": dF1 @ np.ones((dF1.shape[1], 1)),
            "W2": (dY_hat @ cache["D1"].T).T, "b2": dY_hat @ np.ones((dY_hat.shape[1], 1))}
