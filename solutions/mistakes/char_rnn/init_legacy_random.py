"""init_params drawing from the legacy global np.random state."""
MISTAKE = "init_params seeds and draws from the legacy np.random (np.random.seed, np.random.randn), not default_rng"
HINT = (
    "Build the generator the spec names from the seed and draw from it in the stated order; "
    "the legacy global random functions give other numbers for the same seed (Part 7)."
)


def init_params(vocab_size, hidden_size, seed):
    np.random.seed(seed)
    return {
        "W_xh": np.random.randn(vocab_size, hidden_size) * 0.01,
        "W_hh": np.random.randn(hidden_size, hidden_size) * 0.01,
        "W_hy": np.random.randn(hidden_size, vocab_size) * 0.01,
        "b_h": np.zeros((hidden_size, 1)),
        "b_y": np.zeros((vocab_size, 1)),
    }
