"""Time naive-loop `conv` submissions on the hidden cases, to justify the assignment's per-case time limits."""
#
# Usage (from the repository root):  PYTHONPATH=. python benchmarks/conv_loop_timing.py [--students 25]
#
# Two correct student-style implementations are timed on every case, for many student ids (the hidden
# inputs, and so their sizes, are drawn per student):
# - "scalar": conv2d with four nested Python loops over output pixels and kernel entries, reading numpy
#   scalars one at a time, and conv_forward calling conv2d for every (n, f, c), exactly as the handout's
#   definition reads; a scalar-loop backward. The slowest correct code a student is likely to write.
# - "per-pixel": one Python loop over (n, f, i, j), with np.sum(window * kernel) inside.
# Every timed output is checked against the reference (so what is timed is a correct solution). The script
# exits with status 1 when the slowest run of any case uses more than a quarter of its time limit (room
# for a slower grading machine and the sandbox's start-up).
import argparse
import sys
import time
import types
from pathlib import Path

import numpy as np

from grader.cases import case_rng, execute
from grader.checks import compare
from grader.spec import Course, import_file

HEADROOM = 4.0


def _output_size(n, k, stride=1, pad=0):
    if stride < 1 or pad < 0 or k > n + 2 * pad:
        raise ValueError("invalid geometry")
    return (n + 2 * pad - k) // stride + 1


def _zero_pad(A, pad):
    if pad < 0:
        raise ValueError("negative pad")
    A = np.asarray(A)
    out = np.zeros(A.shape[:-2] + (A.shape[-2] + 2 * pad, A.shape[-1] + 2 * pad), dtype=A.dtype)
    out[..., pad:pad + A.shape[-2], pad:pad + A.shape[-1]] = A
    return out


def _pool(A, size, stride, mode="max"):
    if mode not in ("max", "avg", "sum"):
        raise ValueError("mode")
    N, C, H, Wd = A.shape
    Ho, Wo = _output_size(H, size, stride), _output_size(Wd, size, stride)
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = A[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    out[n, c, i, j] = window.max() if mode == "max" else window.sum() / (size * size if mode == "avg" else 1)
    return out


def _flatten(A):
    N = A.shape[0]
    out = np.zeros((N, A[0].size), dtype=A.dtype)
    for n in range(N):
        out[n] = A[n].reshape(-1)
    return out


def _softmax(Z):
    out = np.zeros(Z.shape)
    for n in range(Z.shape[0]):
        e = np.exp(Z[n] - np.max(Z[n]))
        out[n] = e / np.sum(e)
    return out


def _scalar_conv2d(x, w, stride=1, pad=0):
    x = _zero_pad(np.asarray(x, dtype=float), pad)
    w = np.asarray(w, dtype=float)
    kh, kw = w.shape
    Ho, Wo = _output_size(x.shape[0] - 2 * pad, kh, stride, pad), _output_size(x.shape[1] - 2 * pad, kw, stride, pad)
    out = np.zeros((Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += x[i * stride + u, j * stride + v] * w[u, v]
            out[i, j] = total
    return out


def _scalar_conv_forward(A_prev, W, b, stride=1, pad=0):
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Z = np.zeros((N, F, _output_size(H, kh, stride, pad), _output_size(Wd, kw, stride, pad)))
    for n in range(N):
        for f in range(F):
            for c in range(C):
                Z[n, f] += _scalar_conv2d(A_prev[n, c], W[f, c], stride, pad)
            Z[n, f] += b[f]
    return Z


def _scalar_conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    A = _zero_pad(np.asarray(A_prev, dtype=float), pad)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    dA, dW, db = np.zeros(A.shape), np.zeros(W.shape), np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(dZ.shape[2]):
                for j in range(dZ.shape[3]):
                    g = dZ[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for u in range(kh):
                            for v in range(kw):
                                dW[f, c, u, v] += g * A[n, c, i * stride + u, j * stride + v]
                                dA[n, c, i * stride + u, j * stride + v] += g * W[f, c, u, v]
    return dA[:, :, pad:pad + H, pad:pad + Wd], dW, db


def _pixel_conv_forward(A_prev, W, b, stride=1, pad=0):
    A = _zero_pad(np.asarray(A_prev, dtype=float), pad)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    Ho, Wo = _output_size(H, kh, stride, pad), _output_size(Wd, kw, stride, pad)
    Z = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    Z[n, f, i, j] = np.sum(A[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw] * W[f]) + b[f]
    return Z


def _pixel_conv2d(x, w, stride=1, pad=0):
    return _pixel_conv_forward(np.asarray(x)[None, None], np.asarray(w)[None, None], np.zeros(1), stride, pad)[0, 0]


def _pixel_conv_backward(dZ, A_prev, W, b, stride=1, pad=0):
    A = _zero_pad(np.asarray(A_prev, dtype=float), pad)
    N, C, H, Wd = A_prev.shape
    F, _, kh, kw = W.shape
    dA, dW, db = np.zeros(A.shape), np.zeros(W.shape), np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(dZ.shape[2]):
                for j in range(dZ.shape[3]):
                    rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
                    dW[f] += dZ[n, f, i, j] * A[n, :, rows, cols]
                    dA[n, :, rows, cols] += dZ[n, f, i, j] * W[f]
                    db[f] += dZ[n, f, i, j]
    return dA[:, :, pad:pad + H, pad:pad + Wd], dW, db


def _module(conv2d, conv_forward, conv_backward):
    return types.SimpleNamespace(
        conv_output_size=_output_size, zero_pad=_zero_pad, conv2d=conv2d, conv_forward=conv_forward,
        pool_forward=_pool, flatten=_flatten, softmax=_softmax, conv_backward=conv_backward,
    )


IMPLEMENTATIONS = {
    "scalar": _module(_scalar_conv2d, _scalar_conv_forward, _scalar_conv_backward),
    "per-pixel": _module(_pixel_conv2d, _pixel_conv_forward, _pixel_conv_backward),
}


def _passes(assignment, case, got, expected, probe):
    for check in case.checks:
        verdict = compare(got, expected, case.tolerance) if check == "reference" else assignment.property_check(check)(got, expected, probe)
        if not verdict.passed:
            return verdict.message
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=25, help="student ids per hidden case (default 25)")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    assignment = Course(root).assignment("conv")
    reference = import_file(assignment.solution_path, "conv_reference_benchmark")
    students = [f"student{i:03d}" for i in range(args.students)]
    names = list(IMPLEMENTATIONS)
    print(f"{'case':30s} {'limit s':>8s} {'reference ms':>13s} " + " ".join(f"{n + ' ms':>13s}" for n in names))
    failed = False
    totals = dict.fromkeys(["reference", *names], 0.0)
    for case in assignment.cases:
        worst = dict.fromkeys(["reference", *names], 0.0)
        for student in [None] if case.public else students:
            rng_args = (assignment.slug, case.name, student, "benchmark-secret")
            expected = execute(assignment.generator(case)(case_rng(*rng_args)), reference)
            for name, module in [("reference", reference), *IMPLEMENTATIONS.items()]:
                probe = assignment.generator(case)(case_rng(*rng_args))
                start = time.perf_counter()
                got = execute(probe, module)
                elapsed = time.perf_counter() - start
                worst[name] = max(worst[name], elapsed)
                problem = _passes(assignment, case, got, expected, probe)
                if problem:
                    print(f"  {name} is wrong on {case.name}: {problem}", file=sys.stderr)
                    failed = True
        for name in worst:
            totals[name] += worst[name]
        slow = any(worst[n] * HEADROOM > case.time_seconds for n in names)
        failed |= slow
        print(f"{case.name:30s} {case.time_seconds:8.1f} {worst['reference'] * 1e3:13.2f} "
              + " ".join(f"{worst[n] * 1e3:13.2f}" for n in names) + ("   TOO SLOW" if slow else ""))
    print(f"{'sum of the slowest runs':30s} {'':8s} " + " ".join(f"{totals[n] * 1e3:13.2f}" for n in ["reference", *names]))
    print("verdict:", "FAIL" if failed else f"every loop solution is correct and uses under 1/{HEADROOM:g} of each case's limit")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
