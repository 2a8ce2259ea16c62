"""Max pooling that keeps the window's last element."""
MISTAKE = "Max pooling returns the last (bottom-right) element of each window instead of its maximum"
HINT = ("Take the maximum over ALL size x size values of the window. A test on increasing inputs "
        "(like arange) cannot tell the last element from the maximum; random inputs can.")


def pool_forward(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError("unknown mode")
    windows = _windows(np.asarray(A, dtype=np.float64), size, size, stride, 0)
    if mode == "max":
        return np.ascontiguousarray(windows[..., -1, -1])
    if mode == "avg":
        return windows.mean(axis=(4, 5))
    return windows.sum(axis=(4, 5))
