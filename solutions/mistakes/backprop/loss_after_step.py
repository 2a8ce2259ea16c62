"""train records the loss after each step instead of before."""
import numpy as np

MISTAKE = "train records the loss AFTER each gradient step instead of the loss before it"
RELATED = "time_shift"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = ("losses[t] is the loss computed in the forward pass of epoch t, with the parameters before that "
        "epoch's step; losses[0] is the loss of the initial parameters.")


def train(X, Y, layer_sizes, activations, lr, epochs, seed):
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(int(epochs)):
        Y_hat, cache = mlp_forward(X, params, activations)
        loss, dY_hat = mse_loss(Y_hat, Y)
        grads = mlp_backward(dY_hat, cache)
        params = gradient_descent_step(params, grads, lr)
        Y_hat, _ = mlp_forward(X, params, activations)
        losses.append(mse_loss(Y_hat, Y)[0])
    return params, losses
