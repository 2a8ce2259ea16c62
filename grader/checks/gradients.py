"""Central-difference gradient checks (CS231n style) for validating references and diagnosing students."""
from __future__ import annotations

from typing import Callable

import numpy as np

from grader.checks.verdict import Verdict


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """d f / d x by ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every element; ``x`` is restored."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):  # index x itself: x.reshape(-1) would copy a non-contiguous x (e.g. W.T)
        old = x[i]
        x[i] = old + h
        plus = float(f(x))
        x[i] = old - h
        minus = float(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max |a - n| / max(1e-8, |a| + |n|)``: 1e-7 is good for smooth layers, above 1e-2 is wrong."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


def gradient_check(analytic: np.ndarray, numeric: np.ndarray, threshold: float = 1e-5, where: str = "gradient") -> Verdict:
    """Pass when the analytic gradient agrees with the numeric one to ``threshold`` relative error."""
    err = relative_error(analytic, numeric)
    if err <= threshold:
        return Verdict.ok(f"{where}: relative error {err:.2e}")
    if looks_float32(analytic):
        return Verdict.fail(f"{where}: relative error {err:.2e}, but the values have float32 precision: central "
                            "differences see rounding noise there; compute in float64", where, relative_error=err)
    return Verdict.fail(f"{where}: relative error {err:.2e} against central differences (threshold {threshold:g})", where, relative_error=err)


def looks_float32(values: np.ndarray) -> bool:
    """True when every finite nonzero value survives a round trip through float32 unchanged (and
    there is at least one): values computed in float32 and cast back, whose central differences
    are rounding noise."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v != 0)]
    return v.size > 0 and bool(np.all(v.astype(np.float32).astype(np.float64) == v))
