"""Case generators, drivers and property checks of the char_rnn assignment."""
import numpy as np

from grader.cases import call, run
from grader.checks import Tolerance, Verdict, compare, looks_float32, relative_error

LETTERS = "abcdefghijklmnopqrstuvwxyz"
HELLO_VOCAB = ["h", "e", "l", "o"]
# The defaults of the "learns hello" property, stated in the handout.
HELLO_DEFAULTS = {"text": "hello", "vocab": HELLO_VOCAB, "hidden_size": 8, "lr": 0.1, "steps": 100, "seed": 0}
GRADCHECK_THRESHOLD = 1e-5
FIRST_LOSS = 4 * np.log(4)  # "hell" -> "ello" at chance


# --------------------------------------------------------------------------------------- inputs
def _vocab(rng, size):
    """``size`` distinct letters in a random order that is never the sorted one."""
    letters = [LETTERS[i] for i in rng.choice(len(LETTERS), size=size, replace=False)]
    if letters == sorted(letters):
        letters[0], letters[1] = letters[1], letters[0]
    return letters


def _asymmetric(rng, n, scale):
    """An n x n matrix that is far from symmetric (W != W.T)."""
    W = rng.standard_normal((n, n)) * scale
    W[0, -1] += scale
    W[-1, 0] -= scale
    return W


def _params(rng, V, H, scale=0.7):
    """Random parameters: non-square, non-symmetric W_hh, non-zero biases."""
    return {
        "W_xh": rng.standard_normal((V, H)) * scale,
        "W_hh": _asymmetric(rng, H, scale),
        "W_hy": rng.standard_normal((H, V)) * scale,
        "b_h": rng.standard_normal((H, 1)) * 0.5,
        "b_y": rng.standard_normal((V, 1)) * 0.5,
    }


def _small_init(V, H, seed):
    """The spec's init_params, rebuilt here so the public cases do not depend on the reference."""
    rng = np.random.default_rng(seed)
    return {
        "W_xh": rng.standard_normal((V, H)) * 0.01,
        "W_hh": rng.standard_normal((H, H)) * 0.01,
        "W_hy": rng.standard_normal((H, V)) * 0.01,
        "b_h": np.zeros((H, 1)),
        "b_y": np.zeros((V, 1)),
    }


def _indices(rng, V, T):
    return [int(i) for i in rng.integers(0, V, size=T)]


# ------------------------------------------------------------------------------------- encoding
def encode_hello(rng):
    return call("encode", "hello", list(HELLO_VOCAB))


def encode_random(rng):
    vocab = _vocab(rng, 6)
    text = "".join(vocab[i] for i in rng.integers(0, len(vocab), size=9))
    return call("encode", text, vocab)


def one_hot_hello(rng):
    return call("one_hot", [0, 1, 2, 2, 3], 4)


def one_hot_random(rng):
    V, T = 6, 4
    return call("one_hot", _indices(rng, V, T), V)


# -------------------------------------------------------------------------------------- softmax
def softmax_stable(rng):
    return call("softmax", np.array([[1000.0], [999.0], [0.0], [-5.0]]))


def softmax_columns(rng):
    V, T = 5, 4
    z = rng.standard_normal((V, T)) * 3.0
    z[:, 0] += 800.0   # overflows exp without the shift
    z[:, 1] -= 800.0   # underflows every exp to 0 without the shift (0 / 0)
    return call("softmax", z)


# ----------------------------------------------------------------------------------------- step
def step_lecture(rng):
    p = _params(rng, 4, 3, scale=0.5)
    x = np.zeros((4, 1))
    x[0, 0] = 1.0  # "h"
    h_prev = rng.standard_normal((3, 1)) * 0.5
    return call("rnn_step_forward", x, h_prev, p["W_xh"], p["W_hh"], p["b_h"])


def step_random(rng):
    V, H = 4, 6
    p = _params(rng, V, H)
    x = rng.standard_normal((V, 1))
    h_prev = rng.standard_normal((H, 1)) * 0.7
    return call("rnn_step_forward", x, h_prev, p["W_xh"], p["W_hh"], p["b_h"])


# -------------------------------------------------------------------------------------- forward
def forward_hello(rng):
    return call("rnn_forward", [0, 1, 2, 2], rng.standard_normal((3, 1)) * 0.5, _params(rng, 4, 3, scale=0.5))


def forward_random(rng):
    V, H, T = 5, 3, 6
    return call("rnn_forward", _indices(rng, V, T), rng.standard_normal((H, 1)) * 0.7, _params(rng, V, H))


# ----------------------------------------------------------------------------------------- loss
def loss_stable(rng):
    """Logits exactly [1000, 999, 0, -5] at every step (W_hy = 0); targets 1 then 2."""
    p = _params(rng, 4, 3, scale=0.5)
    p["W_hy"] = np.zeros((3, 4))
    p["b_y"] = np.array([[1000.0], [999.0], [0.0], [-5.0]])
    return call("rnn_loss", [0, 3], [1, 2], np.zeros((3, 1)), p)


def loss_hello(rng):
    """The lecture's example: inputs "hell", targets "ello", fresh small weights (H = 8, seed 0)."""
    return call("rnn_loss", [0, 1, 2, 2], [1, 2, 2, 3], np.zeros((8, 1)), _small_init(4, 8, 0))


def _probabilities(inputs, h0, p):
    """The spec's forward pass, for generators that must know what their inputs lead to."""
    V = p["W_xh"].shape[0]
    h, out = h0, []
    for i in inputs:
        h = np.tanh(p["W_xh"].T @ np.eye(V)[:, [i]] + p["W_hh"].T @ h + p["b_h"])
        z = (p["W_hy"].T @ h + p["b_y"])[:, 0]
        e = np.exp(z - z.max())
        out.append(e / e.sum())
    return np.array(out).T


def _lengths(student, inputs, targets, h0, params):
    return {"T": student.rnn_loss(inputs, targets, h0, params),
            "T_1": student.rnn_loss(inputs[:1], targets[:1], h0, params)}


def loss_random(rng):
    """V = 5, H = 4, T = 8 and T = 1; a favourite character that never comes makes dL/db_y exceed 5
    (checked here), so clipping inside rnn_loss always shows."""
    V, H, T = 5, 4, 8
    for _ in range(100):
        p = _params(rng, V, H)
        favourite = int(rng.integers(0, V))
        p["b_y"][favourite, 0] += 3.0
        others = [i for i in range(V) if i != favourite]
        inputs = _indices(rng, V, T)
        targets = [others[i] for i in rng.integers(0, len(others), size=T)]
        h0 = rng.standard_normal((H, 1)) * 0.7
        if np.sum(_probabilities(inputs, h0, p)[favourite]) > 5.5:
            break
    return run(_lengths, inputs=inputs, targets=targets, h0=h0, params=p)


def loss_long(rng):
    """A long sequence whose model confidently predicts a character that never comes:
    some gradient entries exceed 5 (so clipping inside the loss shows) and BPTT runs far."""
    V, H, T = 4, 6, 20
    p = _params(rng, V, H, scale=0.5)
    favourite = int(rng.integers(0, V))
    p["b_y"][favourite, 0] += 4.0
    others = [i for i in range(V) if i != favourite]
    targets = [others[i] for i in rng.integers(0, len(others), size=T)]
    return call("rnn_loss", _indices(rng, V, T), targets, rng.standard_normal((H, 1)) * 0.5, p)


def loss_large_logits(rng):
    """Logits in the hundreds: naive softmax gives NaN and log(softmax) gives inf; V = 6, H = 5,
    T = 1 (so the case is about the softmax alone, whatever happens through time)."""
    V, H, T = 6, 5, 1
    p = _params(rng, V, H, scale=0.5)
    p["W_hy"] *= 0.1
    p["b_y"] = rng.permutation(np.linspace(-900.0, 900.0, V)).reshape(V, 1) + rng.uniform(-50, 50, (V, 1))
    low = int(np.argmin(p["b_y"][:, 0]))
    targets = _indices(rng, V, T)
    targets[0] = low  # at least one step's target has probability ~exp(-1800)
    return call("rnn_loss", _indices(rng, V, T), targets, rng.standard_normal((H, 1)) * 0.5, p)


def _twice(student, inputs, targets, h0, params):
    forward = [student.rnn_forward(inputs, h0, params), student.rnn_forward(inputs, h0, params)]
    loss = [student.rnn_loss(inputs, targets, h0, params), student.rnn_loss(inputs, targets, h0, params)]
    return {"forward": forward, "loss": loss}


def no_hidden_state(rng):
    V, H, T = 3, 7, 5
    return run(_twice, inputs=_indices(rng, V, T), targets=_indices(rng, V, T),
               h0=rng.standard_normal((H, 1)) * 0.5, params=_params(rng, V, H))


def _numeric_gradients(student, inputs, targets, h0, params):
    loss, grads, h_last = student.rnn_loss(inputs, targets, h0, params)
    step = 1e-5
    numeric = {}
    for key in params:
        base = np.array(params[key], dtype=np.float64)
        estimate = np.zeros_like(base)
        for i in range(base.size):
            values = []
            for sign in (1.0, -1.0):
                shifted = base.copy()
                shifted.flat[i] += sign * step
                moved = dict(params)
                moved[key] = shifted
                values.append(float(student.rnn_loss(inputs, targets, h0, moved)[0]))
            estimate.flat[i] = (values[0] - values[1]) / (2 * step)
        numeric[key] = estimate
    return {"loss": loss, "grads": grads, "numeric": numeric}


def loss_gradcheck(rng):
    return run(_numeric_gradients, inputs=[0, 1, 2, 2, 3], targets=[1, 2, 2, 3, 0],
               h0=rng.standard_normal((3, 1)) * 0.5, params=_params(rng, 4, 3, scale=0.5))


def consistent_gradients(got, expected, probe):
    """Property: the student's BPTT gradients agree with central differences of their OWN loss."""
    if not isinstance(got, dict) or "grads" not in got or "numeric" not in got:
        return Verdict.fail("output not usable: rnn_loss did not return (loss, grads, h_last)")
    grads, numeric = got["grads"], got["numeric"]
    loss = compare(got.get("loss"), expected.get("loss"), Tolerance(), "loss")
    if not loss.passed:  # a constant (zero) loss with zero gradients is consistent too: not evidence
        return Verdict.fail(f"your loss is wrong, so agreeing with its own derivatives proves nothing: {loss.message}")
    if not isinstance(grads, dict):
        return Verdict.fail(f"rnn_loss returned {type(grads).__name__} as grads, expected a dict")
    for key in expected["numeric"]:
        if key not in grads or key not in numeric:
            return Verdict.fail(f"grads has no key {key!r}")
        analytic = np.asarray(grads[key], dtype=np.float64)
        estimate = np.asarray(numeric[key], dtype=np.float64)
        if analytic.shape != estimate.shape:
            return Verdict.fail(f"grads[{key!r}] has shape {analytic.shape}, the parameter has {estimate.shape}")
        if not (np.all(np.isfinite(analytic)) and np.all(np.isfinite(estimate))):
            return Verdict.fail(f"grads[{key!r}] or your loss is not finite")
        err = relative_error(analytic, estimate)
        if not err <= GRADCHECK_THRESHOLD and looks_float32(analytic):
            return Verdict.fail(
                f"grads[{key!r}] holds float32-precision values: central differences with h = 1e-5 see only "
                f"rounding noise (relative error {err:.2e}); compute in float64 throughout", key, relative_error=err)
        if not err <= GRADCHECK_THRESHOLD:
            return Verdict.fail(
                f"grads[{key!r}] disagrees with central differences of your own loss (relative error "
                f"{err:.2e}, threshold {GRADCHECK_THRESHOLD:g}): your backward pass does not differentiate "
                f"your forward pass", key, relative_error=err)
    return Verdict.ok("your gradients agree with central differences of your own loss "
                      "(this does not prove the loss itself right: see the other cases)")


# ----------------------------------------------------------------------------------------- clip
def clip_public(rng):
    grads = {"W": np.array([[-7.0, 0.5], [3.0, 10.0]]), "b": np.array([[-0.25], [6.0]])}
    return call("clip_gradients", grads, 5.0)


def clip_random(rng):
    grads = {}
    for key, shape in zip(("W_xh", "W_hh", "W_hy", "b_h", "b_y"), ((5, 3), (3, 3), (3, 5), (3, 1), (5, 1))):
        grads[key] = rng.standard_normal(shape) * 4.0
    return call("clip_gradients", grads, float(rng.uniform(1.0, 3.0)))


# ----------------------------------------------------------------------------------------- init
def init_public(rng):
    return call("init_params", 4, 3, 0)


def init_random(rng):
    V, H = 5, 7
    return call("init_params", V, H, int(rng.integers(0, 2**31 - 1)))


# --------------------------------------------------------------------------------------- sample
def _greedy(h0, start, n, p, feed_probabilities=False, carry=True):
    """Greedy generation, and the two classic ways of getting it wrong; also the smallest logit gap."""
    V = p["W_xh"].shape[0]
    x = np.eye(V)[:, [start]]
    h, out, gap = h0, [], np.inf
    for _ in range(n):
        h = np.tanh(p["W_xh"].T @ x + p["W_hh"].T @ (h if carry else h0) + p["b_h"])
        z = (p["W_hy"].T @ h + p["b_y"])[:, 0]
        top = np.sort(z)[-2:]
        gap = min(gap, top[1] - top[0])
        out.append(int(np.argmax(z)))
        if feed_probabilities:
            e = np.exp(z - z.max())
            x = (e / e.sum()).reshape(V, 1)
        else:
            x = np.eye(V)[:, [out[-1]]]
    return out, gap


def _sample_inputs(rng, V, H, n, scale, attempts=100):
    """Draw until greedy generation is not degenerate (3+ distinct characters, no near-ties) and
    feeding probabilities, or not carrying h, would generate something else."""
    for _ in range(attempts):
        p = _params(rng, V, H, scale=scale)
        h0 = rng.standard_normal((H, 1)) * 0.5
        start = int(rng.integers(0, V))
        right, gap = _greedy(h0, start, n, p)
        if (len(set(right)) >= 3 and gap > 1e-6
                and _greedy(h0, start, n, p, feed_probabilities=True)[0] != right
                and _greedy(h0, start, n, p, carry=False)[0] != right):
            break
    return h0, start, n, p


def sample_public(rng):
    return call("sample", *_sample_inputs(rng, 4, 5, 6, scale=1.0))


def _lengths_sampled(student, h0, start, n, params):
    return {"n": student.sample(h0, start, n, params), "n_0": student.sample(h0, start, 0, params),
            "n_1": student.sample(h0, start, 1, params)}


def sample_random(rng):
    """V = 6, H = 4, ten characters; also n = 0 and n = 1 from the same start."""
    h0, start, n, p = _sample_inputs(rng, 6, 4, 10, scale=1.2)
    return run(_lengths_sampled, h0=h0, start=start, n=n, params=p)


# ---------------------------------------------------------------------------------------- train
def _train(student, text, vocab, hidden_size, lr, steps, seed, clip=None):
    extra = {} if clip is None else {"clip": clip}
    params, losses = student.train(text, vocab, hidden_size, lr, steps, seed, **extra)
    return {"params": params, "losses": np.asarray(losses, dtype=np.float64).reshape(-1)}


def train_hello(rng):
    return run(_train, text="hello", vocab=list(HELLO_VOCAB), hidden_size=8, lr=0.1, steps=5, seed=0)


def _train_runs(student, runs):
    results = []
    for r in runs:
        params, losses = student.train(r["text"], r["vocab"], r["hidden_size"], r["lr"], r["steps"], r["seed"], clip=r["clip"])
        results.append({"params": params, "losses": np.asarray(losses, dtype=np.float64).reshape(-1)})
    return results


def train_random(rng):
    """V = 4, H = 5, three runs on random strings: 5 steps with a small clip (0.1: clipping shows),
    8 steps with lr 1 and clip 5 (the gradients themselves show), and 3 steps on a 2-character text."""
    V, H = 4, 5
    vocab = _vocab(rng, V)

    def text(length):
        return "".join(vocab[i] for i in rng.integers(0, V, size=length))

    runs = [{"text": text(8), "lr": 0.5, "steps": 5, "clip": 0.1}, {"text": text(8), "lr": 1.0, "steps": 8, "clip": 5.0},
            {"text": text(2), "lr": 0.5, "steps": 3, "clip": 5.0}]
    for settings in runs:
        settings.update(vocab=vocab, hidden_size=H, seed=int(rng.integers(0, 10_000)))
    return run(_train_runs, runs=runs)


def _learn(student, text, vocab, hidden_size, lr, steps, seed):
    params, losses = student.train(text, vocab, hidden_size, lr, steps, seed)
    generated = student.sample(np.zeros((hidden_size, 1)), vocab.index(text[0]), len(text) - 1, params)
    return {"losses": np.asarray(losses, dtype=np.float64).reshape(-1), "generated": [int(i) for i in generated]}


def train_learns_hello(rng):
    return run(_learn, **HELLO_DEFAULTS)


def learns_hello(got, expected, probe):
    """Property: default training lowers the loss by 90% and the model then spells "ello"."""
    text, vocab, steps = probe.kwargs["text"], probe.kwargs["vocab"], probe.kwargs["steps"]
    if not isinstance(got, dict) or "losses" not in got or "generated" not in got:
        return Verdict.fail("output not usable: train must return (params, losses) and sample a list of int")
    losses = np.asarray(got["losses"], dtype=np.float64).reshape(-1)
    problems = []
    if losses.size != steps or not np.all(np.isfinite(losses)):
        problems.append(f"train returned {losses.size} losses (expected {steps} finite values)")
    elif not abs(losses[0] - FIRST_LOSS) <= 0.1:  # a constant or zero "loss" falls by 90% too
        problems.append(f"the first loss is {losses[0]:.4g}, expected about 4 ln 4 = {FIRST_LOSS:.4g} (small initial weights)")
    elif not losses[-1] <= 0.1 * losses[0]:
        problems.append(f"the loss went from {losses[0]:.4g} to {losses[-1]:.4g}, not down by 90% "
                        f"(the first loss should be about 4 ln 4 = 5.545)")
    wanted = text[1:]
    generated = got["generated"] if isinstance(got["generated"], (list, tuple)) else []
    spelled = "".join(vocab[int(i)] if isinstance(i, (int, np.integer)) and not isinstance(i, bool) and 0 <= i < len(vocab) else "?" for i in generated)
    if spelled != wanted:
        problems.append(f"sample after training spells {spelled!r}, expected {wanted!r}")
    if not problems:
        return Verdict.ok(f"the loss fell from {losses[0]:.4g} to {losses[-1]:.4g} and the model spells {wanted!r}")
    fraction = 0.5 if len(problems) == 1 else 0.0
    return Verdict.partial(fraction, "; ".join(problems)) if fraction else Verdict.fail("; ".join(problems))


# ------------------------------------------------------------------ step: the lecture's concatenated form
def _step_from_stacked(student, x_t, h_prev, W, b_h):
    V = x_t.shape[0]
    return student.rnn_step_forward(x_t, h_prev, W[:V], W[V:], b_h)  # W = W_xh stacked on W_hh


def step_concatenated(rng):
    V, H = 4, 6  # fixed sizes (V != H): only the values are random
    return run(_step_from_stacked, x_t=rng.standard_normal((V, 1)), h_prev=rng.standard_normal((H, 1)) * 0.7,
               W=rng.standard_normal((V + H, H)) * 0.6, b_h=rng.standard_normal((H, 1)) * 0.3)


def concatenated_form(got, expected, probe):
    """h_t equals g((W_xh (+) W_hh)^T (x_t (+) h_{t-1}) + b_h), computed here from the stacked inputs."""
    k = probe.kwargs
    stacked = np.tanh(k["W"].T @ np.vstack([k["x_t"], k["h_prev"]]) + k["b_h"])
    verdict = compare(got, stacked, Tolerance(), "rnn_step_forward(x_t, h_prev, W[:V], W[V:], b_h)")
    if verdict.passed:
        return Verdict.ok("h_t = tanh((W_xh (+) W_hh)^T (x_t (+) h_prev) + b_h), the lecture's concatenated form")
    return Verdict(verdict.fraction, "h_t differs from the concatenated form tanh(W^T [x_t; h_prev] + b_h) with "
                   f"W = [W_xh; W_hh]: {verdict.message}", verdict.where, verdict.details)
