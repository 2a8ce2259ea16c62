"""The catalogue's runs on a grading's cases: each mistake on each case run at most once, and only when asked for."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from grader.cases import quietly
from grader.sandbox.channel import copy_plain
from grader.sandbox.child import StudentProxy


@dataclass(frozen=True)
class Run:
    """One catalogued mistake run on one case's inputs."""

    ok: bool  # False: it raised, or it cannot reach the case (it cannot be matched there)
    output: Any = None
    mutations: frozenset | None = None  # (function, argument) pairs it modified in place; None: not watched


RAISED = Run(False, mutations=frozenset())  # also what a mistake that cannot reach the case gives


class CatalogueRuns:
    """The mistakes' outputs (and in-place changes) on the cases of one grading, computed on first use.

    Without the reference (`grader check`) they come from the fixtures, at no cost. A public case's
    runs are the same for every student and are kept in ``grader._public_runs``; a hidden case's
    only for this grading.
    """

    def __init__(self, grader) -> None:
        self.grader = grader
        self._hidden: dict[tuple[str, str], Run] = {}
        self._spent: dict[str, list[float]] = {}  # case -> seconds of the mistakes' runs on it so far

    def stored(self, case) -> bool:
        """Whether the mistakes' outputs on this case come from the fixtures (or there are none to run)."""
        return case.mistake_outputs is not None or self.grader.reference is None

    def value_ids(self, case) -> list[str]:
        """The mistakes whose output on this case may differ from the reference's, in the order they are tried."""
        grader = self.grader
        if case.mistake_outputs is not None:
            return [mid for mid in case.mistake_outputs if mid in grader.catalogue]
        if grader.reference is None:
            return []
        roots = case.probe.entry_points()
        return [mid for mid in grader.catalogue if grader._affects(mid, roots)]

    def mutation_ids(self, case) -> list[str]:
        """The mistakes that may modify this case's inputs in place, in the order they are tried."""
        if case.mistake_outputs is not None:
            return [mid for mid in (case.mistake_mutations or {}) if mid in self.grader.catalogue]
        return self.value_ids(case)

    def cost(self, case, mistake_id: str, watch: bool = False) -> float:
        """Seconds a run of this mistake on this case is expected to take (0 when stored or already run).

        The reference's time, or the mistakes' mean on the case once some have run, whichever is
        longer: a mistake may take far longer than the reference (a perceptron that never converges).
        """
        if self.stored(case) or self._known(case, mistake_id, watch) is not None:
            return 0.0
        spent = self._spent.get(case.spec.name)
        return max(case.seconds, sum(spent) / len(spent)) if spent else case.seconds

    def output(self, case, mistake_id: str) -> Run:
        """The mistake's output on the case (``ok`` False when it raised)."""
        if case.mistake_outputs is not None:
            if mistake_id in case.mistake_outputs:
                return Run(True, case.mistake_outputs[mistake_id])
            return RAISED
        return self.run(case, mistake_id, watch=False)

    def mutated(self, case, mistake_id: str) -> frozenset:
        """The (function, argument) pairs the mistake modifies in place on this case."""
        if case.mistake_outputs is not None:
            return frozenset(tuple(p) for p in (case.mistake_mutations or {}).get(mistake_id, ()))
        return self.run(case, mistake_id, watch=True).mutations

    def _known(self, case, mistake_id: str, watch: bool) -> Run | None:
        key = (case.spec.name, mistake_id)
        known = (self.grader._public_runs if case.spec.public else self._hidden).get(key)
        if known is not None and (known.mutations is not None or not watch):
            return known
        return None

    def run(self, case, mistake_id: str, watch: bool) -> Run:
        """The mistake run on the case's inputs (with the reference; ``watch``: its in-place changes recorded too)."""
        known = self._known(case, mistake_id, watch)
        if known is not None:
            return known
        grader = self.grader
        if grader.reference is None or not grader._affects(mistake_id, case.probe.entry_points()):
            return RAISED
        changed: list[dict] = []
        started = time.perf_counter()
        try:
            module = grader.mistake_module(mistake_id)
            output = copy_plain(quietly(case.probe, StudentProxy(module, changed) if watch else module))
        except Exception:
            run = RAISED if watch else Run(False)
        else:
            run = Run(True, output, frozenset((m["function"], m["argument"]) for m in changed) if watch else None)
        self._spent.setdefault(case.spec.name, []).append(time.perf_counter() - started)
        (grader._public_runs if case.spec.public else self._hidden)[(case.spec.name, mistake_id)] = run
        return run
