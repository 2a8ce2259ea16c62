"""Each layer updated before the error is propagated through it."""
import numpy as np

MISTAKE = "train updates each layer's W during the backward pass, then propagates dA_prev = W @ dF with the UPDATED W"
HINT = ("Every gradient of one step is taken at the same point: finish the whole backward pass with the "
        "weights of the forward pass, then update all the parameters at once.")


def train(X, Y, layer_sizes, activations, lr, epochs, seed):
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(int(epochs)):
        Y_hat, cache = mlp_forward(X, params, activations)
        loss, dA = mse_loss(Y_hat, Y)
        losses.append(loss)
        params = dict(params)
        for l in range(len(cache), 0, -1):
            A_prev, W, F, name = cache[l - 1]
            dF = activation_backward(dA, F, name)
            _, dW, db = dense_backward(dF, A_prev, W)
            params[f"W{l}"] = W - lr * dW
            params[f"b{l}"] = params[f"b{l}"] - lr * db
            dA = params[f"W{l}"] @ dF
    return params, losses
