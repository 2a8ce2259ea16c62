"""Max and average pooling mixed up."""
MISTAKE = "Max and average pooling mixed up: mode 'max' averages the window and mode 'avg' takes its maximum"
HINT = "mode='max' keeps the largest value of each window; mode='avg' is the mean of its size*size values."


def pool_forward(A, size, stride, mode="max"):
    swapped = {"max": "avg", "avg": "max"}.get(mode, mode)
    if swapped not in ("max", "avg", "sum"):
        raise ValueError("unknown mode")
    windows = _windows(np.asarray(A, dtype=np.float64), size, size, stride, 0)
    if swapped == "max":
        return windows.max(axis=(4, 5))
    if swapped == "avg":
        return windows.mean(axis=(4, 5))
    return windows.sum(axis=(4, 5))
