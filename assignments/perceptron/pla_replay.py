"""The perceptron's PLA runs (cases._pla_stepwise) replayed in exact integer arithmetic, for speed.

The case generators run the PLA and its slips some hundred times per student, redrawing until a case
tells every slip apart; this computes the very same (w, history) in a small fraction of the time.
"""
import numpy as np

_BITS = 64  # one field of a packed state; every value in it stays below 2 ** 50 (checked), far from the offset
_OFFSET = 1 << (_BITS - 1)  # a field holds value + _OFFSET: its top bit is clear exactly when the value is negative
_FIELD = (1 << _BITS) - 1


def _offsets(fields):
    """The packed int of ``fields`` zeros: _OFFSET in each field (and so their top bits)."""
    return _OFFSET * ((1 << _BITS * fields) - 1) // _FIELD


def _packed(rows):
    """Each row of integers (all above -_OFFSET) as one int whose _BITS-bit fields hold them plus _OFFSET."""
    biased = np.ascontiguousarray(rows, dtype="<i8").view("<u8") ^ np.uint64(_OFFSET)
    data, width = biased.tobytes(), biased.shape[-1] * _BITS // 8
    return [int.from_bytes(data[k:k + width], "little") for k in range(0, len(data), width)]


class PackedPLA:
    """cases._pla_stepwise's runs on integer data with lr and w_init multiples of 1/2, in exact integers.

    Every w is then a multiple of 1/2: W = 2 w is an integer vector, and instance j gets the integer
    Q_j = 4 y_j z_j, less 1 where z = 0 counts as wrong for it, so Q_j < 0 exactly when j is
    misclassified. A state packs Q and W into the fields of one Python int: an update on instance i
    adds a precomputed int, the misclassified instances are the fields with a clear top bit, and the
    state is its own dict key (Q follows from W, so it repeats exactly when w does). All values stay
    below 2 ** 50, so cases._pla_stepwise's floats are exact as well: both compute the same numbers.
    """

    @classmethod
    def of(cls, X, y, lr, max_iter, w_init):
        """The packed runs for these arguments, or None where they would not be exact small integers."""
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2 or not X.size or y.shape != (len(X),) or not set(y.tolist()) <= {-1, 1}:
            return None
        w = np.zeros(X.shape[1] + 1) if w_init is None else np.asarray(w_init, dtype=float)
        if w_init is not None and (w.shape != (X.shape[1] + 1,) or np.any(np.signbit(w) & (w == 0))
                                   or not np.array_equal(2 * w, np.round(2 * w))):  # -0.0: another key for w.tobytes()
            return None
        x_max, w_max, step = float(np.max(np.abs(X))), float(np.max(np.abs(2 * w))), float(abs(4 * lr))
        if not (x_max < 2 ** 20 and w_max < 2 ** 40 and step < 2 ** 20 and step.is_integer() and np.array_equal(X, np.round(X))):
            return None
        a_max = max(1, int(x_max))
        w_max = int(w_max) + max(int(max_iter), 1) * len(X) * int(step) * a_max  # a sweep updates up to m times
        if (2 * X.shape[1] + 2) * a_max * max(w_max, int(step) * a_max) + 1 >= 1 << 50:
            return None
        return cls(X, y, lr, max_iter, w)

    def __init__(self, X, y, lr, max_iter, w):
        self.m, self.max_iter = len(X), max_iter
        self.A = np.hstack([np.ones((len(X), 1)), X]).astype(np.int64)  # [1, x_j] per row
        self.y = y.astype(np.int64)
        self.lr2 = int(2 * lr)
        self.W = (2 * w).astype(np.int64)
        self.fields = self.m + len(self.W)
        self.wrong_bits, self.zero = _offsets(self.m), _offsets(self.fields)
        self._steps, self._starts, self._trajectories = {}, {}, {}

    @staticmethod
    def handles(sgn0, pick):
        """Whether these runs cover the variant (any other sgn(0) or pick is left to the stepwise run)."""
        return sgn0 in (-1, 0, 1) and pick in (0, -1)

    def steps(self, flip, bias):
        """The ints to add for an update on each instance: the full step (y_hat = -y; the half step,
        y_hat = 0 where sgn(0) = 0, is half of it), and its margin part as an array."""
        if (flip, bias) not in self._steps:
            B = self.A.copy()
            if not bias:
                B[:, 0] = 0  # the step leaves w[0] alone; z keeps its bias term
            g = (-2 if flip else 2) * self.lr2 * self.y[:, None]  # 2 lr (y - y_hat) with y_hat = -y, in units of 1/2
            margins = 2 * g * (B @ self.A.T) * self.y[None, :]  # dQ_j = 4 y_j dz_j
            full = [p - self.zero for p in _packed(np.hstack([margins, g * B]))]  # dW = 2 dw
            self._steps[flip, bias] = full, [step >> 1 for step in full], margins  # every field of a full step is even
        return self._steps[flip, bias]

    def start(self, sgn0):
        """The state of w_init (which z = 0 counts as wrong depends on sgn(0))."""
        if sgn0 not in self._starts:
            Q = 2 * self.y * (self.A @ self.W) - (self.y != sgn0)
            self._starts[sgn0] = _packed(np.concatenate([Q, self.W]))[0]
        return self._starts[sgn0]

    def margins(self, state):
        """The Q of a state, as an array."""
        fields = np.frombuffer(state.to_bytes(self.fields * _BITS // 8, "little"), "<u8")[:self.m]
        return (fields ^ np.uint64(_OFFSET)).view(np.int64)

    def weights(self, state):
        """The w of a state, as _pla_stepwise returns it."""
        W = [((state >> (_BITS * f)) & _FIELD) - _OFFSET for f in range(self.m, self.m + len(self.W))]
        return np.array(W, dtype=np.int64) / 2

    def __call__(self, sgn0=-1, pick=0, bias=True, sweep=False, single=False, flip=False, threshold=0.0, stop="fraction"):
        """(w, history) of cases._pla_stepwise(X, y, lr, max_iter, w_init, ...) with these keywords."""
        m, (full, half, _) = self.m, self.steps(flip, bias)
        state = self.start(sgn0)
        if single:
            history = []
            for i in range(m):
                history.append((self.wrong_bits & ~state).bit_count())
                if not state >> (_BITS * i + _BITS - 1) & 1:
                    state += half[i] if sgn0 == 0 and (state >> (_BITS * i)) & _FIELD == _OFFSET - 1 else full[i]
            return self.weights(state), history
        # the counts a rule stops at are 0 up to some limit: c == 0 or c <= threshold, c / m < or <= threshold
        stops = [c == 0 or (c <= threshold if stop == "count" else c / m < threshold if stop == "strict" else c / m <= threshold)
                 for c in range(m + 1)]
        key = (sgn0, pick, bias, sweep, flip)
        if key not in self._trajectories:
            self._trajectories[key] = Trajectory(self, state, self.steps(flip, bias), sgn0, pick, sweep,
                                                  ray=flip and self.lr2 > 0 and not sweep)
        state, history = self._trajectories[key].run(stops.index(False) - 1 if False in stops else m)
        return self.weights(state), history


class Trajectory:
    """The iterations of one variant of the PLA, whatever its stopping rule: runs that differ only in
    when they stop (the lecture's and the threshold slips) share them, each going as far as it needs."""

    def __init__(self, packed, start, steps, sgn0, pick, sweep, ray):
        self.packed, (self.full, self.half, self.margin_steps) = packed, steps
        self.sgn0, self.pick, self.sweep, self.ray = sgn0, pick, sweep, ray
        self.states, self.history, self.seen = [], [], {}
        self.lows = []  # the iterations whose count is below every earlier one
        self.next = start  # the state of iteration len(states) (None after a count of 0: nothing to update)
        self.cycle = None  # (first, period) once w repeats
        self.rays = []  # (first iteration, its state, step) of each stretch along a line (see _ray)

    def state(self, t):
        """The state of iteration t."""
        if self.states[t] is None:
            start, state, step = max(ray for ray in self.rays if ray[0] <= t)
            return state + (t - start) * step
        return self.states[t]

    def run(self, limit):
        """The final state and the history of the run that stops at the first count <= limit."""
        t = next((t for t in self.lows if self.history[t] <= limit), None)
        if t is None:
            t = self._extend(limit)
        if t is not None:
            return self.state(t), self.history[:t + 1]
        history, max_iter = self.history, self.packed.max_iter
        if self.cycle is None:
            return self.next, history[:]  # max_iter iterations
        first, period = self.cycle  # periodic from `first` on: repeat it up to max_iter
        rest = max_iter - len(history)
        return self.state(first + (max_iter - first) % period), history + (history[first:] * (rest // period + 1))[:rest]

    def _extend(self, limit):
        """Iterate until a count <= limit (its index), w repeats or max_iter (None)."""
        states, history, seen, lows, full, half = self.states, self.history, self.seen, self.lows, self.full, self.half
        wrong_bits, max_iter, m, sweep, lowest = self.packed.wrong_bits, self.packed.max_iter, self.packed.m, self.sweep, self.pick == 0
        at_zero = _OFFSET - 1 if self.sgn0 == 0 else None  # the field of a z = 0 that counts as wrong: a half step
        state, it = self.next, len(states)
        low = history[lows[-1]] if lows else m + 1
        while it < max_iter and self.cycle is None:
            first = seen.setdefault(state, it)
            if first != it:
                self.cycle = (first, it - first)
                break
            states.append(state)
            wrong = wrong_bits & ~state
            count = wrong.bit_count()
            history.append(count)
            if count == 0:
                lows.append(it)
                self.next = None
                return it
            if sweep:
                for i in range(m):
                    if not state >> (_BITS * i + _BITS - 1) & 1:
                        state += half[i] if (state >> (_BITS * i)) & _FIELD == at_zero else full[i]
            else:
                i = ((wrong & -wrong) if lowest else wrong).bit_length() // _BITS - 1
                state += half[i] if (state >> (_BITS * i)) & _FIELD == at_zero else full[i]
            if count < low:
                low = count
                lows.append(it)
                if count <= limit:
                    self.next = state
                    return it
            it += 1
            if self.ray:
                state, it, low, stop = self._ray(state, i, it, limit, low)
                if stop is not None:
                    self.next = state
                    return stop
        self.next = state
        return None

    def _ray(self, state, i, it, limit, low):
        """A flipped update leaves instance i more wrong than it was, so i stays the one updated until an
        instance before it (after it, for pick=-1) turns wrong: those iterations go along one line, and
        each instance turns wrong or right at most once on it, so their counts come at once. They never
        repeat a state: the updated instance only moves one way through the indices, and while it is
        the same one w moves straight on. Returns the next state, iteration, lowest count and the
        iteration where the run stops (or None)."""
        step, dq = self.full[i], self.margin_steps[i]
        q = self.packed.margins(state)
        rising, falling = dq < 0, dq > 0
        turns_wrong = q[rising] // -dq[rising] + 1  # q + k dq < 0 from k on
        turns_right = -(q[falling] // dq[falling])  # q + k dq < 0 until k
        before = np.arange(len(q)) < i if self.pick == 0 else np.arange(len(q)) > i
        if step == 0 or np.any(q[before] < 0):
            return state, it, low, None
        length = min([self.packed.max_iter - it] + turns_wrong[before[rising]].tolist())
        if length < 2:
            return state, it, low, None
        k = np.arange(length)
        counts = (np.count_nonzero(q[dq == 0] < 0) + np.searchsorted(np.sort(turns_wrong), k, side="right")
                  + len(turns_right) - np.searchsorted(np.sort(turns_right), k, side="right"))  # all >= 1: i is wrong
        stops = np.flatnonzero(counts <= limit)
        if stops.size:
            length = int(stops[0]) + 1
        counts = counts[:length]
        lowest = np.minimum.accumulate(np.minimum(counts, low))
        self.lows += (np.flatnonzero(counts < np.concatenate(([low], lowest[:-1]))) + it).tolist()
        self.history += counts.tolist()
        self.states += [None] * length  # the state of iteration it + k is state + k * step
        self.rays.append((it, state, step))
        return state + length * step, it + length, int(lowest[-1]), it + length - 1 if stops.size else None
