"""Choose each failed case's diagnosis, running the catalogue only as far as the choice depends on it.

:func:`grader.diagnosis.prefer_consistent` picks, for each failed case, the candidate mistake that
explains the most of the student's failed cases (on a tie, the one contradicted by the fewest
passed cases). Fed complete candidate lists, that needs every catalogued mistake run on every
failed case it reaches: a whole catalogue of CNN or RNN trainings for one wrong submission. Most of
those runs cannot change the choice: once a mistake is confirmed on a case and explains more cases
than any other candidate there could, whether the others match it does not matter. So runs are
made one at a time, the cheapest first and among those the likeliest mistake's, until every
case's choice is certain. The choice is exactly prefer_consistent's on the complete lists
(tests/diagnose/test_choose.py checks this on random gradings).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from grader.checks import matches
from grader.diagnosis import Diagnosis, Mistake, mistake_diagnosis, numeric_signature

MUTATION_LEAD = "Your code modifies its input like this mistake"
CHEAP = 0.0003  # seconds: about what deciding again costs; runs are made in batches of about this much
EXPENSIVE = 0.002  # seconds: before runs this long, cheap runs on passed cases rank the candidates
_UNDECIDED = object()
_UNSET = object()


@dataclass(frozen=True)
class Question:
    """What a failed case asks of the catalogue: which mistakes give the student's wrong output, or
    modify the same input in place (``mutation``: the function and argument the student's code changed)."""

    case: Any  # a PreparedCase
    got: Any = None
    mutation: tuple[str, str] | None = None


class _Open:
    """A failed case's question being answered: its possible candidates in order, and which are settled so far."""

    def __init__(self, index: int, question: Question, ids: list[str]) -> None:
        self.index, self.question, self.ids = index, question, ids
        self.settled: dict[str, bool] = {}
        self.fallback: Any = _UNSET  # the structural signature of a wrong value no mistake gives
        self.chosen: Any = _UNDECIDED

    def known(self) -> list[str]:
        return [m for m in self.ids if self.settled.get(m)]

    def unknown(self) -> list[str]:
        return [m for m in self.ids if m not in self.settled]


def choose(questions: list[Question | None], runs, passed: list, catalogue: dict[str, Mistake],
           factor_meanings: dict | None = None) -> list[Diagnosis | None]:
    """One diagnosis (or None) per case, as prefer_consistent would choose from complete candidate lists.

    ``questions`` has one entry per case (None: the case asks nothing, e.g. it passed or raised);
    ``runs`` is the grading's :class:`grader.diagnose.runs.CatalogueRuns`; ``passed`` the cases
    the student passed (a tie goes to the mistake that would have failed the fewest of them).
    """
    if all(q is None for q in questions):  # nothing failed with a value to explain: no run could change that
        return [None] * len(questions)
    return _Chooser(questions, runs, passed, catalogue, factor_meanings).run()


class _Chooser:
    """prefer_consistent's choice on a case is the candidate ranked highest by (failed cases it
    explains, -passed cases it contradicts, -position). Both counts lie in intervals that narrow
    with every run; a case is decided when one candidate's lowest possible rank beats every
    rival's highest possible rank."""

    def __init__(self, questions, runs, passed, catalogue, factor_meanings) -> None:
        self.runs, self.passed, self.catalogue, self.factor_meanings = runs, passed, catalogue, factor_meanings
        self.opens = [None if q is None else
                      _Open(i, q, runs.mutation_ids(q.case) if q.mutation is not None else runs.value_ids(q.case))
                      for i, q in enumerate(questions)]
        self.live = [o for o in self.opens if o is not None]
        self.reach = [set(runs.value_ids(case)) for case in passed]  # the mistakes that may contradict each passed case
        self.contradicts: dict[tuple[int, str], bool] = {}  # (passed case, mistake) -> it fails that case

    def run(self) -> list[Diagnosis | None]:
        while True:
            self._count()
            needed = self._decide()
            if not needed:
                return [None if o is None else o.chosen for o in self.opens]
            batch, spent = [], 0.0
            for key in sorted(needed, key=self._priority):  # the first, and more while they are cheap
                spent += self._cost(key)
                if batch and spent > CHEAP:
                    break
                batch.append(key)
            for key in batch:
                self._settle(key)

    def _count(self) -> None:
        """The intervals: failed cases each candidate explains (lo..hi), passed cases it contradicts (pen_lo..),
        and how many failed cases, nothing confirmed on them yet, may still end with a signature of any id."""
        self.lo, self.hi, self.open_pairs = {}, {}, {}
        self.open_ended = 0
        for o in self.live:
            known, unknown = o.known(), o.unknown()
            for mid in known:
                self.lo[mid] = self.lo.get(mid, 0) + 1
                self.hi[mid] = self.hi.get(mid, 0) + 1
            for mid in unknown:
                self.hi[mid] = self.hi.get(mid, 0) + 1
                self.open_pairs.setdefault(mid, []).append(("failed", o.index, mid))
            if not known:
                if unknown:
                    self.open_ended += o.question.mutation is None
                elif (d := self._fallback(o)) is not None:
                    self.lo[d.id] = self.lo.get(d.id, 0) + 1
                    self.hi[d.id] = self.hi.get(d.id, 0) + 1
        self.pen_lo, self.pen_open = {}, {}
        for index, reached in enumerate(self.reach):
            for mid in reached:
                settled = self.contradicts.get((index, mid))
                if settled is None:
                    self.pen_open.setdefault(mid, []).append(("passed", index, mid))
                elif settled:
                    self.pen_lo[mid] = self.pen_lo.get(mid, 0) + 1

    def _worst(self, o: _Open, mid: str) -> tuple:
        return self.lo.get(mid, 0), -self.pen_lo.get(mid, 0) - len(self.pen_open.get(mid, ())), -o.ids.index(mid)

    def _best(self, o: _Open, mid: str) -> tuple:
        return self.hi.get(mid, 0) + self.open_ended, -self.pen_lo.get(mid, 0), -o.ids.index(mid)

    def _decide(self) -> set[tuple]:
        """Choose on every case that is certain now; the runs that could settle the others."""
        needed: set[tuple] = set()
        for o in self.live:
            if o.chosen is not _UNDECIDED:
                continue
            known, unknown = o.known(), o.unknown()
            if not known:
                if not unknown:
                    o.chosen = self._fallback(o)
                else:
                    needed.update(("failed", o.index, mid) for mid in unknown)
                    needed.update(self._ranking(o, unknown))
                continue
            leader = max(known, key=lambda m: self._worst(o, m))
            floor = self._worst(o, leader)
            rivals = [m for m in known + unknown if m != leader and not floor > self._best(o, m)]
            if not rivals:
                o.chosen = self._diagnosis(o, leader)
                continue
            for rival in rivals:
                needed.update(self.open_pairs.get(leader, ()))
                needed.update(self.open_pairs.get(rival, ()))
                if floor[0] <= self._best(o, rival)[0]:  # the counts may end equal: then the passed cases decide
                    needed.update(self.pen_open.get(leader, ()))
                    needed.update(self.pen_open.get(rival, ()))
        return needed

    def _ranking(self, o: _Open, unknown: list[str]) -> list[tuple]:
        """Cheap runs on passed cases that tell apart candidates no failed case tells apart, before expensive runs.

        A mistake that fails a case the student passed loses a tie with one that fails none, so when
        the first confirmed candidate is contradicted by none, the rivals found contradicted need no
        expensive run (e.g. the one mistake that modifies a CNN's parameters, among 28 that reach it).
        """
        if min(self._cost(("failed", o.index, mid)) for mid in unknown) < EXPENSIVE:
            return []
        top = max(self.lo.get(mid, 0) for mid in unknown)
        return [key for mid in unknown if self.lo.get(mid, 0) == top and not self.pen_lo.get(mid, 0)
                for key in self.pen_open.get(mid, ()) if self._cost(key) < CHEAP]

    def _cost(self, key: tuple) -> float:
        kind, index, mid = key
        if kind == "passed":
            return self.runs.cost(self.passed[index], mid)
        question = self.opens[index].question
        return self.runs.cost(question.case, mid, watch=question.mutation is not None)

    def _priority(self, key: tuple) -> tuple:
        """Cheapest first (within a factor of 4: one timing of the reference is only an estimate); then runs
        on failed cases, the mistake that explains most so far and is contradicted least, the exact cost,
        the case's order and the catalogue's."""
        kind, index, mid = key
        cost = self._cost(key)
        scale = 0 if cost < CHEAP else 1 + int(math.log(cost / CHEAP, 4))
        position = self.opens[index].ids.index(mid) if kind == "failed" else 0
        return scale, kind == "passed", -self.lo.get(mid, 0), self.pen_lo.get(mid, 0), cost, index, position, mid

    def _settle(self, key: tuple) -> None:
        kind, index, mid = key
        if kind == "passed":
            case = self.passed[index]
            run = self.runs.output(case, mid)
            self.contradicts[(index, mid)] = run.ok and not matches(run.output, case.expected, case.spec.tolerance)
            return
        o = self.opens[index]
        q, case = o.question, o.question.case
        if q.mutation is not None:
            o.settled[mid] = q.mutation in self.runs.mutated(case, mid)
            return
        run = self.runs.output(case, mid)
        tol = case.spec.tolerance
        o.settled[mid] = run.ok and not matches(run.output, case.expected, tol) and matches(q.got, run.output, tol)

    def _diagnosis(self, o: _Open, mid: str) -> Diagnosis:
        mistake = self.catalogue[mid]
        return mistake_diagnosis(mistake, MUTATION_LEAD) if o.question.mutation is not None else mistake_diagnosis(mistake)

    def _fallback(self, o: _Open) -> Diagnosis | None:
        if o.fallback is _UNSET:
            q = o.question
            o.fallback = None if q.mutation is not None else numeric_signature(
                q.got, q.case.expected, q.case.spec.tolerance, self.factor_meanings)
        return o.fallback
