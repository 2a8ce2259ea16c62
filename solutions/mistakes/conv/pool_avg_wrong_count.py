"""Average pooling divides by the wrong count."""
MISTAKE = "Average pooling divides the window's sum by size instead of by the number of values size * size"
RELATED = "factor_2 factor_m"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = "A size x size window holds size * size values; their average is their sum divided by that count."


def pool_forward(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError("unknown mode")
    windows = _windows(np.asarray(A, dtype=np.float64), size, size, stride, 0)
    if mode == "max":
        return windows.max(axis=(4, 5))
    if mode == "avg":
        return windows.sum(axis=(4, 5)) / size
    return windows.sum(axis=(4, 5))
