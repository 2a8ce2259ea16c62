"""Grade trusted code (references, rewrites, catalogued mistakes, generated answers) in this process."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from grader.cases import execute
from grader.grading import AssignmentGrader, PreparedCase, _fresh, silenced
from grader.sandbox import ChildCase, Outcome
from grader.sandbox.channel import copy_plain
from grader.sandbox.child import StudentProxy, build_module, describe_exception, run_probe
from grader.scoring import AssignmentResult


class InProcess:
    """Stands in for a :class:`~grader.sandbox.Sandbox` when the code graded is the course's own.

    The audits grade thousands of (student, implementation) pairs; what they test is the cases and
    the scoring, not the isolation, so a fork per run would only cost time. The module is built
    afresh for every grading (module-level state does not carry over, as in a child), outputs go
    through the same plain-data copy as a child's, and in-place changes are recorded the same way.
    """

    level = "in-process (trusted course code only)"
    level_description = "no isolation: used by the audits for the course's own code"

    def __init__(self, probes: dict | None = None, public: "PublicRuns | None" = None):
        self.probes = probes or {}  # case name -> Probe: skips decoding what grade() encoded for a child
        self.public = public

    def run(self, source: str, filename: str, module: str, cases: list[ChildCase], limits: dict) -> list[Outcome]:
        with silenced():
            try:
                built = build_module(source, filename, f"grader_audit_{module}")
            except BaseException as exc:  # the generated or catalogued code itself is broken
                err = describe_exception(exc, filename)
                return [Outcome(c.name, "error", error_type=err["error_type"], message=err["message"]) for c in cases]
            return [self._shared(case, built, filename, source) for case in cases]

    def _shared(self, case: ChildCase, module: Any, filename: str, source: str) -> Outcome:
        if self.public is None or case.name not in self.public.names:
            return self._one(case, module, filename)
        key = (source, case.name)
        if key not in self.public.outcomes:
            self.public.outcomes[key] = self._one(case, module, filename)
        kept = self.public.outcomes[key]  # fresh copies: the grading that reads it must not change the kept one
        return replace(kept, value=copy_plain(kept.value), inputs=copy_plain(kept.inputs))

    def _one(self, case: ChildCase, module: Any, filename: str) -> Outcome:
        mutations: list[dict] = []
        started = time.perf_counter()
        given: list = []  # [args, kwargs] as the run got them: what it leaves there is compared in the parent
        try:
            probe = self.probes.get(case.name)
            if probe is not None:
                probe = _fresh(probe)
                given.extend([list(probe.args), dict(probe.kwargs)])
                value = copy_plain(execute(probe, StudentProxy(module, mutations)))
            else:
                value = copy_plain(run_probe(case.probe, module, mutations, given))
        except Exception as exc:
            err = describe_exception(exc, filename)
            return Outcome(case.name, "error", error_type=err["error_type"], message=err["message"],
                           mutations=tuple(mutations), inputs=_left(given), seconds=time.perf_counter() - started)
        return Outcome(case.name, "ok", value, tuple(mutations), inputs=_left(given),
                       seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class PublicRuns:
    """Outcomes of the public cases (inputs the same for every student) per implementation, kept
    across students: the course's own code gives the same output on the same inputs, so the audits
    run a public case once per implementation instead of once per student."""

    names: frozenset[str]
    outcomes: dict = field(default_factory=dict)  # (source, case name) -> Outcome


def _left(given: list) -> list | None:
    """What a run left in its inputs, as plain data (as a child sends it back)."""
    return [copy_plain(given[0]), copy_plain(given[1])] if given else None


@dataclass
class AuditGrader(AssignmentGrader):
    """A grader without the mistake catalogue (the points are the same; no diagnosis is attempted) that
    prepares each student's cases once, however many implementations are graded for that student."""

    _last: tuple = (None, None)
    _public_outcomes: PublicRuns | None = None  # not AssignmentGrader._public_runs (the catalogue's runs)

    def prepare(self, student: str, *, public_only: bool = False) -> list[PreparedCase]:
        if public_only:
            return super().prepare(student, public_only=True)
        if self._last[0] != student:
            self._last = (student, super().prepare(student))
        return self._last[1]


def scores_only(grader: AssignmentGrader) -> AuditGrader:
    """The audits' grader for the same assignment, secret and reference."""
    return AuditGrader(grader.assignment, grader.secret, grader.reference, catalogue={}, public=grader.public, diagnosing=False)


def grade_source(grader: AssignmentGrader, student: str, source: str, label: str) -> AssignmentResult:
    """Grade ``source`` for ``student`` in this process."""
    if not isinstance(grader, AuditGrader):
        return grader.grade(InProcess(), student, source, label)
    cases = grader.prepare(student)
    if grader._public_outcomes is None:
        grader._public_outcomes = PublicRuns(frozenset(c.spec.name for c in cases if c.spec.public))
    return grader.grade(InProcess({c.spec.name: c.probe for c in cases}, grader._public_outcomes), student, source, label)
