"""Grade one submission of one assignment: make inputs, run in the sandbox, compare, score, diagnose."""
from __future__ import annotations

import hashlib
import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from grader import __version__, stages
from grader.cases import DEFAULT_SECRET, Probe, case_rng, fresh as _fresh, quietly, silenced  # noqa: F401 - re-exported
from grader.checks import Verdict, compare, show
from grader.checks.mutation import mutations_found
from grader.diagnosis import Mistake, affects, call_graph, load_catalogue
from grader.diagnose.choose import Question, choose
from grader.diagnose.localise import explain
from grader.diagnose.runs import CatalogueRuns
from grader.errors import SpecError, SubmissionError
from grader.sandbox import ChildCase, Outcome, Sandbox
from grader.sandbox.channel import copy_plain, encode
from grader.scoring import AssignmentResult, CaseResult, earned, settle, status_for, whole_assignment
from grader.submissions import SubmittedFile, read_source
from grader.spec import Assignment, CaseSpec, compile_course_file, import_file, module_from


plain = copy_plain  # a value as it would come back from the sandbox: fresh copies, tuples kept, plain ndarrays


@dataclass(frozen=True)
class PreparedCase:
    """A case ready to run: its spec, the probe, the reference's output and (if known) mistakes' outputs."""

    spec: CaseSpec
    probe: Probe
    expected: Any
    mistake_outputs: dict | None = None  # None: compute on demand from the catalogue modules
    mistake_mutations: dict | None = None  # mistake id -> [(function, argument)] it modifies in place
    seconds: float = 0.0  # the reference's time on it: what a catalogued mistake's run is expected to cost


@dataclass
class AssignmentGrader:
    """Everything needed to grade one assignment, shared by all students.

    With ``reference`` (TA and CI use) every case is prepared from the generators; without it
    (a student's local check) only the public cases stored in the fixtures are available.
    """

    assignment: Assignment
    secret: str = DEFAULT_SECRET
    reference: ModuleType | None = None
    catalogue: dict[str, Mistake] = field(default_factory=dict)
    public: list[PreparedCase] | None = None
    _mistake_modules: dict[str, tuple] = field(default_factory=dict)  # mistake id -> its compiled code
    _course_digest: str = ""
    _public_runs: dict = field(default_factory=dict)  # (public case, mistake id) -> its diagnose.runs.Run
    _reach: dict = field(default_factory=dict)
    _reference_graph: dict | None = None
    diagnosing: bool = True  # False: points only (the audits grade thousands of known answers)
    _public_encoded: dict = field(default_factory=dict)
    _localisation: dict = field(default_factory=dict)  # localise's: the traced reference, public cases' calls

    @classmethod
    def with_solutions(cls, assignment: Assignment, secret: str = DEFAULT_SECRET) -> "AssignmentGrader":
        """The full grader: reference and mistake catalogue from solutions/."""
        if not assignment.solution_path.is_file():
            raise SpecError("reference solution not found (grading hidden cases needs solutions/)", path=str(assignment.solution_path))
        reference = import_file(assignment.solution_path, f"grader_reference_{assignment.slug}")
        catalogue = {m.id: m for m in load_catalogue(assignment.mistakes_dir)}
        return cls(assignment, secret, reference, catalogue)

    @classmethod
    def from_fixtures(cls, assignment: Assignment) -> "AssignmentGrader":
        """The public grader: public cases, expected values and mistake outputs from the fixtures."""
        from grader.fixtures import load_fixtures

        public, catalogue = load_fixtures(assignment)
        return cls(assignment, reference=None, catalogue=catalogue, public=public)

    # -- preparing cases ---------------------------------------------------------------------
    def probe_for(self, spec: CaseSpec, student: str | None) -> Probe:
        rng = case_rng(self.assignment.slug, spec.name, None if spec.public else student, self.secret)
        generator = self.assignment.generator(spec)
        try:
            probe = generator(rng)
        except Exception as exc:  # course code: name the file and the case, not a traceback
            raise SpecError(f"generator {spec.generator!r} of case {spec.name!r} failed: {type(exc).__name__}: {exc}",
                            path=str(self.assignment.folder / "cases.py")) from exc
        if not isinstance(probe, Probe):
            raise SpecError(f"generator {spec.generator!r} must return call(...) or run(...), got {type(probe).__name__}",
                            path=str(self.assignment.folder / "cases.py"))
        return Probe(probe.call, plain(probe.args), plain(probe.kwargs), probe.driver_name, probe.driver_source)

    def reference_output(self, spec: CaseSpec, probe: Probe) -> Any:
        try:
            return plain(quietly(probe, self.reference))
        except Exception as exc:
            raise SpecError(f"the reference fails on case {spec.name!r}: {type(exc).__name__}: {exc}",
                            path=str(self.assignment.solution_path)) from exc

    def prepare(self, student: str, *, public_only: bool = False) -> list[PreparedCase]:
        """The cases for one student, with expected values."""
        if self.reference is None:
            return list(self.public or [])
        if self.public is None:
            self.public = [self._prepare(spec, None) for spec in self.assignment.cases if spec.public]
        prepared = {p.spec.name: p for p in self.public}
        out = []
        for spec in self.assignment.cases:
            if spec.public:
                out.append(prepared[spec.name])
            elif not public_only:
                out.append(self._prepare(spec, student))
        return out

    def _prepare(self, spec: CaseSpec, student: str | None) -> PreparedCase:
        probe = self.probe_for(spec, student)
        start = time.perf_counter()
        expected = self.reference_output(spec, probe)
        return PreparedCase(spec, probe, expected, seconds=time.perf_counter() - start)

    def mistake_module(self, mistake_id: str) -> ModuleType:
        """The reference with the mistake's overrides, as a fresh module for every run.

        A mistake that keeps state between calls (char_rnn's hidden_state_kept) then gives on a case
        what it gives when that case runs on its own. One module shared by every run made its output
        depend on which runs came before it in the worker, and so on other students and on timing:
        two gradings of the same file could name different mistakes. Compiled once per grader.
        """
        if mistake_id not in self._mistake_modules:
            mistake = self.catalogue[mistake_id]
            self._mistake_modules[mistake_id] = compile_course_file(self.assignment.solution_path, mistake.source)
        return module_from(self._mistake_modules[mistake_id], f"grader_mistake_{self.assignment.slug}_{mistake_id}",
                           self.assignment.solution_path)

    def mistake_runs(self, case: PreparedCase, *, watch: bool = True) -> tuple[dict[str, Any], dict[str, list]]:
        """Each catalogued mistake's output on this case's inputs, and the inputs it modifies in place.

        Mistakes that raise on these inputs are left out: they cannot be matched here. With
        ``watch`` False the mutations are not looked for (no snapshot of the arguments of every
        call: diagnosing a wrong value needs only the outputs, which are the same either way).
        """
        if case.mistake_outputs is not None:
            return case.mistake_outputs, case.mistake_mutations or {}
        outputs: dict[str, Any] = {}
        mutations: dict[str, list] = {}
        runs = CatalogueRuns(self)
        for mistake_id in runs.value_ids(case):
            run = runs.run(case, mistake_id, watch)
            if run.ok:
                outputs[mistake_id] = run.output
                if watch and run.mutations:
                    mutations[mistake_id] = sorted(run.mutations)
        return outputs, mutations

    def _affects(self, mistake_id: str, roots: frozenset[str]) -> bool:
        key = (mistake_id, roots)
        if key not in self._reach:
            if self._reference_graph is None:
                self._reference_graph = call_graph(self.assignment.solution_path.read_text(encoding="utf-8"))
            self._reach[key] = affects(self._reference_graph, self.catalogue[mistake_id].source, set(roots))
        return self._reach[key]

    def _encoded(self, case: PreparedCase) -> dict:
        """The probe as the child receives it; a public case's is the same for everyone, encoded once."""
        inputs = self.assignment.check_mutation  # the run sends back what it left in its inputs
        if not case.spec.public:
            return _encoded_probe(case.probe, inputs)
        if case.spec.name not in self._public_encoded:
            self._public_encoded[case.spec.name] = _encoded_probe(case.probe, inputs)
        return self._public_encoded[case.spec.name]

    # -- grading -----------------------------------------------------------------------------
    def digest(self, raw: bytes) -> str:
        """Identifies a grading: the same file, settings and course files give the same result."""
        if not self._course_digest:
            h = hashlib.sha256()
            for part in (__version__, self.assignment.slug, hashlib.sha256(self.secret.encode()).hexdigest()):
                h.update(part.encode() + b"\x00")
            self._hash_course_files(h)
            self._course_digest = h.hexdigest()
        return hashlib.sha256(self._course_digest.encode() + b"\x00" + raw).hexdigest()

    def files_digest(self) -> str:
        """Identifies the course files this grader reads (manifest, cases, reference, mistakes) alone."""
        h = hashlib.sha256(self.assignment.slug.encode() + b"\x00")
        self._hash_course_files(h)
        return h.hexdigest()

    def _hash_course_files(self, h: Any) -> None:
        paths = sorted(self.assignment.folder.glob("*")) + [self.assignment.solution_path]
        for path in paths + sorted(self.assignment.mistakes_dir.glob("*.py")):
            if path.is_file():
                h.update(path.read_bytes())

    def grade(self, sandbox: Sandbox, student: str, source: str, filename: str, *, public_only: bool = False) -> AssignmentResult:
        """Grade ``source`` (already read and syntax-checked) for ``student``."""
        slug = self.assignment.slug
        with stages.timed(student, slug, "reference"):
            cases = self.prepare(student, public_only=public_only)
        # a real sandbox keeps the child for localisation's runs of the same source (no second fork)
        shared = sandbox.session() if self.diagnosing and isinstance(sandbox, Sandbox) else nullcontext(sandbox)
        with shared as box:
            with stages.timed(student, slug, "sandbox"):
                child_cases = [ChildCase(c.spec.name, self._encoded(c), c.spec.time_seconds) for c in cases]
                outcomes = box.run(source, filename, self.assignment.module, child_cases, self.assignment.limits.for_child())
            stages.add(student, slug, "student code", sum(o.seconds for o in outcomes))
            with stages.timed(student, slug, "comparison"):
                evaluated = [self.evaluate(case, outcome) for case, outcome in zip(cases, outcomes)]
            passed = [case for case, (result, _) in zip(cases, evaluated) if result.status == "passed"]
            with stages.timed(student, slug, "diagnosis"):
                chosen = choose([question for _, question in evaluated], CatalogueRuns(self), passed, self.catalogue,
                                self.assignment.factor_meanings)
            results = tuple(
                replace(result, diagnosis=d.id, hint=d.sentence, diagnosis_name=d.name) if d is not None else result
                for (result, _), d in zip(evaluated, chosen)
            )
            if self.diagnosing:
                with stages.timed(student, slug, "localisation"):
                    results = explain(self, box, source, filename, cases, outcomes, results)
        results = settle(results, {c.spec.name: c.probe.entry_points() for c in cases},
                         {c.spec.name for c in cases if c.spec.kind == "validation"})
        return AssignmentResult(student, self.assignment.slug, self.assignment.title, results,
                                sum(c.spec.points for c in cases), isolation=sandbox.level)

    def grade_file(self, sandbox: Sandbox, student: str, submitted: SubmittedFile | None, *, public_only: bool = False) -> AssignmentResult:
        """Read, check and grade one submitted file; a missing or unreadable file scores 0 with the reason."""
        specs = [c for c in self.assignment.cases if c.public or not public_only]
        if self.reference is None:
            specs = [p.spec for p in self.public or []]
        if submitted is None:
            return whole_assignment(student, self.assignment, specs, "no_submission",
                                    f"no submission: expected {self.assignment.module}.py or {self.assignment.module}.ipynb")
        digest = self.digest(submitted.raw)
        try:
            source = read_source(submitted)
        except SubmissionError as exc:
            return replace(whole_assignment(student, self.assignment, specs, "invalid_submission", str(exc), submitted.label),
                           digest=digest)
        result = self.grade(sandbox, student, source.text, source.filename, public_only=public_only)
        return replace(result, submission=submitted.label, skipped=source.skipped, digest=digest)

    def evaluate(self, case: PreparedCase, outcome: Outcome) -> tuple[CaseResult, Question | None]:
        """Score one case from what the child returned; also what diagnosing a wrong answer asks of the catalogue."""
        spec = case.spec

        def result(status: str, fraction: float, feedback: str, details: tuple = (), question: Question | None = None):
            if outcome.printed and status != "passed":
                details = details + (f"your code printed: {outcome.printed[:300]!r}",)
            return (CaseResult(spec.name, spec.part, spec.visibility, earned(spec.points, fraction), spec.points, status,
                               feedback, tuple(details), seconds=round(outcome.seconds, 4)), question)

        if outcome.status == "error":
            return result(*_error_feedback(outcome, self.assignment.limits.memory_mb))
        if outcome.status in ("timeout", "crashed", "not_run"):
            return result("timeout" if outcome.status == "timeout" else "crashed", 0.0, outcome.message)
        mutations = mutations_found(case.probe.call, case.probe.args, case.probe.kwargs, outcome.inputs,
                                    outcome.mutations) if self.assignment.check_mutation else []
        if mutations:  # decided here, from the values the run left in its inputs
            m = mutations[0]
            where = "" if m.get("where", "").startswith("the ") else f" at {m['where']}"
            return result("failed", 0.0, f"{m['function']}() modified its argument '{m['argument']}' in place{where}: "
                          "functions must not change their inputs (work on a copy)",
                          question=Question(case, mutation=(m["function"], m["argument"])))
        # compared once; property-only cases compare only when they fail (to decide on a diagnosis)
        against_reference = compare(outcome.value, case.expected, spec.tolerance) if "reference" in spec.checks else None
        verdicts: list[Verdict] = []
        for check in spec.checks:
            if check == "reference":
                verdict = against_reference
            else:
                try:
                    with silenced():
                        verdict = self.assignment.property_check(check)(outcome.value, case.expected, _fresh(case.probe))
                    if not isinstance(verdict, Verdict):
                        raise SpecError(f"property check {check!r} must return a Verdict")
                except SpecError:
                    raise
                except Exception as exc:
                    verdict = Verdict.fail(f"output not usable ({type(exc).__name__}: {str(exc)[:200]})")
            verdicts.append(verdict)
        fraction = min(v.fraction for v in verdicts)
        if fraction >= 1.0:
            return result("passed", 1.0, "correct")
        worst = min(verdicts, key=lambda v: v.fraction)
        details = _verdict_details(worst, disclose=spec.public or self.assignment.hidden_feedback == "full")
        if not spec.public and spec.description:
            details = (f"case: {spec.description}",) + details
        question = None
        if against_reference is None:
            against_reference = compare(outcome.value, case.expected, spec.tolerance)
        if not against_reference.passed and self.diagnosing:  # wrong, not just a failed property
            question = Question(case, got=outcome.value)
        return result(status_for(fraction), fraction, worst.message, details, question)


def _encoded_probe(probe: Probe, return_inputs: bool = False) -> dict:
    return {"call": probe.call, "args": encode(list(probe.args), inline_bytes=True),
            "kwargs": encode(dict(probe.kwargs), inline_bytes=True),
            "driver_name": probe.driver_name, "driver_source": probe.driver_source, "return_inputs": return_inputs}


def _verdict_details(verdict: Verdict, disclose: bool = True) -> tuple[str, ...]:
    """Errors, and (unless a hidden case's expected values stay hidden) both arrays in full."""
    d = verdict.details
    lines = []
    for key, label in (("max_abs_err", "max abs error"), ("max_rel_err", "max rel error")):
        if key in d:
            lines.append(f"{label}: {d[key]:.3g}")
    if "got" in d and d["got"] is not None:
        lines.append(f"your output: {d['got'] if isinstance(d['got'], str) else show(d['got'])}")
    if "expected" in d and d["expected"] is not None and disclose:
        lines.append(f"expected:    {d['expected'] if isinstance(d['expected'], str) else show(d['expected'])}")
    return tuple(lines)


LIMIT_WORDS = {  # errors that mean a sandbox limit was hit, and what the student should know
    "File too large": "your code wrote more than the file-size limit: printing in a loop?",
    "Resource temporarily unavailable": "the process limit was reached: do not start processes or threads",
}


def _error_feedback(outcome: Outcome, memory_mb: int) -> tuple[str, float, str, tuple]:
    kind, message = outcome.error_type, outcome.message
    for needle, words in LIMIT_WORDS.items():
        if needle in message:
            message = f"{message} ({words})"
    trace = tuple(outcome.traceback)
    if kind == "NotImplementedError":
        return "not_implemented", 0.0, "not implemented yet" + (f" ({message})" if message else ""), ()
    if kind == "MemoryError":
        return "error", 0.0, f"MemoryError: the case exceeded its memory limit of {memory_mb} MiB", trace
    if kind == "ModuleNotFoundError":
        return "error", 0.0, f"{text_of(kind, message)} (the grader provides numpy and the basic standard library only)", trace
    if kind == "SystemExit":
        return "error", 0.0, "called sys.exit() (or exit/quit): return a value instead", trace
    return "error", 0.0, text_of(kind, message), trace


def text_of(kind: str, message: str) -> str:
    """``Type: message`` or just the type."""
    return f"{kind}: {message}" if message else kind
