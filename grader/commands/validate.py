"""`grader validate`: prove every grader right: reference full marks, stub zero, mistakes caught, files in sync."""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from tqdm import tqdm

from grader import audits
from grader.diagnose import leave_one_out
from grader.diagnosis import Mistake
from grader.commands.build import generated_files
from grader.coverage import coverage_problems
from grader.fixtures import fixtures_differ
from grader.grading import AssignmentGrader
from grader.sandbox import Sandbox
from grader.spec import Course

VALIDATION_STUDENTS = ("validate-ada", "validate-bob", "validate-cy")
SECRET = "validate-secret"
MIN_DIAGNOSED = 0.8


@dataclass(frozen=True)
class MistakeCoverage:
    """How a catalogued mistake fared when graded like a submission."""

    slug: str
    mistake: str
    name: str
    points_lost: float
    caught_by: tuple[str, ...]
    diagnosed: bool


@dataclass
class Validation:
    """Everything validate found, per assignment."""

    problems: list[str] = field(default_factory=list)
    coverage: list[MistakeCoverage] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    isolation: str = ""
    findings: list = field(default_factory=list)  # the audits' table (grader.audits.Finding)
    leave_one_out: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def diagnosed_rate(self) -> float:
        return sum(c.diagnosed for c in self.coverage) / len(self.coverage) if self.coverage else 1.0


def validate(course: Course, slugs: list[str] | None = None, *, isolation: str = "auto",
             students: int = audits.STUDENTS, jobs: int | None = None) -> Validation:
    """Run every validation; problems are collected, not raised, so one run lists them all.

    The audits (``students`` ids per correct implementation; 0 skips them) and the leave-one-out
    measure run in worker processes while the sandboxed checks run here.
    """
    report = Validation()
    hide = [str(course.root), str(course.solutions_dir)]
    chosen = slugs or course.slugs()
    workers = max(1, min(len(chosen), jobs or os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool, \
            Sandbox(hide=hide, isolation=isolation) as sandbox:
        root = str(course.root)
        pending = [pool.submit(audits.audit_slug, root, slug, students) for slug in chosen] if students else []
        measured = [pool.submit(leave_one_out.measure_slug, root, slug, SECRET) for slug in chosen]
        report.isolation = f"{sandbox.level} ({sandbox.level_description})"
        for slug in tqdm(chosen, desc="validating", unit="assignment", file=sys.stderr, disable=None):
            _validate_assignment(course, slug, sandbox, report)
        for future in measured:
            report.leave_one_out.extend(future.result())
        report.problems.extend(leave_one_out.problems(report.leave_one_out))
        report.findings = audits.collect(pending)
    report.problems.extend(f"{f.slug}: audit {f.audit}, {f.subject}: {f.problem}" for f in report.findings if not f.ok)
    report.problems.extend(coverage_problems(course, slugs))
    if report.coverage and report.diagnosed_rate < MIN_DIAGNOSED:
        report.problems.append(f"only {report.diagnosed_rate:.0%} of catalogued mistakes are diagnosed by name (need {MIN_DIAGNOSED:.0%})")
    return report


def _validate_assignment(course: Course, slug: str, sandbox: Sandbox, report: Validation) -> None:
    """Files in sync; the reference full marks for several students; the stub zero; every mistake caught."""
    assignment = course.assignment(slug)
    grader = AssignmentGrader.with_solutions(assignment, secret=SECRET)
    report.checked.append(slug)
    _check_files(course, grader, report)
    reference = assignment.solution_path.read_text(encoding="utf-8")
    for student in VALIDATION_STUDENTS:
        result = grader.grade(sandbox, student, reference, f"<reference {slug}>")
        for case in result.cases:
            if case.status != "passed":
                report.problems.append(f"{slug}: the reference fails case {case.name} for {student}: {case.feedback}")
    if assignment.template_path.is_file():
        stub = assignment.template_path.read_text(encoding="utf-8")
        result = grader.grade(sandbox, VALIDATION_STUDENTS[0], stub, f"<stub {slug}>")
        if result.points != 0:
            report.problems.append(f"{slug}: the stub scores {result.points:g}, expected 0")
        odd = [c.name for c in result.cases if c.status not in ("not_implemented", "failed", "error")]
        if odd:
            report.problems.append(f"{slug}: the stub did not fail cleanly on {', '.join(odd)}")
    if not grader.catalogue:
        report.problems.append(f"{slug}: no catalogued mistakes in {assignment.mistakes_dir}")
    for mistake in grader.catalogue.values():
        coverage = _grade_mistake(grader, sandbox, reference, mistake)
        report.coverage.append(coverage)
        if coverage.points_lost <= 0:
            report.problems.append(f"{slug}: mistake {mistake.id!r} ({mistake.name}) loses no points: no case catches it")


def _check_files(course: Course, grader: AssignmentGrader, report: Validation) -> None:
    assignment = grader.assignment
    slug = assignment.slug
    for spec in assignment.cases:
        grader.assignment.generator(spec)
        for check in spec.checks:
            if check != "reference":
                assignment.property_check(check)
    for path, text in generated_files(grader).items():
        shown = path.relative_to(course.root)
        if not path.is_file():
            report.problems.append(f"{slug}: {shown} is missing: run `grader build`")
            continue
        committed = path.read_text(encoding="utf-8")
        # fixtures hold floats: they may differ in the last bits across machines, nothing more
        why = fixtures_differ(committed, text) if path == assignment.fixtures_path else (None if committed == text else "")
        if why is not None:
            report.problems.append(f"{slug}: {shown} is out of date{f' ({why})' if why else ''}: run `grader build`")


def _grade_mistake(grader: AssignmentGrader, sandbox, reference: str, mistake: Mistake) -> MistakeCoverage:
    """The mistake graded in the sandbox for one student, diagnosis included (the audits grade it
    in process for MISTAKE_STUDENTS more ids and check every one of them pays the same)."""
    source = audits.mistake_source(reference, mistake)
    result = grader.grade(sandbox, VALIDATION_STUDENTS[0], source, f"<mistake {mistake.id}>")
    failed = [case for case in result.cases if case.status != "passed"]
    return MistakeCoverage(grader.assignment.slug, mistake.id, mistake.name, round(result.max_points - result.points, 4),
                           tuple(sorted(case.name for case in failed)), any(case.diagnosis == mistake.id for case in failed))


def render(report: Validation) -> str:
    """The coverage table and the list of problems."""
    lines = [f"validated: {', '.join(report.checked)}", f"isolation: {report.isolation}", ""]
    if report.coverage:
        w1 = max(len(c.slug) for c in report.coverage)
        w2 = max(len(c.mistake) for c in report.coverage)
        lines.append(f"{'assignment':<{max(w1, 10)}}  {'mistake':<{w2}}  {'lost':>6}  {'diagnosed':<9}  caught by")
        for c in report.coverage:
            caught = ", ".join(c.caught_by[:4]) + (f" (+{len(c.caught_by) - 4})" if len(c.caught_by) > 4 else "")
            lines.append(f"{c.slug:<{max(w1, 10)}}  {c.mistake:<{w2}}  {c.points_lost:>6g}  {'yes' if c.diagnosed else 'no':<9}  {caught or '-'}")
        caught_all = sum(1 for c in report.coverage if c.points_lost > 0)
        lines.append("")
        lines.append(f"mistakes caught: {caught_all}/{len(report.coverage)}; diagnosed by name: "
                     f"{sum(c.diagnosed for c in report.coverage)}/{len(report.coverage)} ({report.diagnosed_rate:.0%})")
    if report.findings:
        lines.extend(["", "audits (every point means what it says):", audits.render(report.findings)])
    lines.extend(["", *leave_one_out.summary(report.leave_one_out)] if report.leave_one_out else [])
    lines.append("")
    if report.problems:
        lines.append(f"FAILED: {len(report.problems)} problem(s)")
        lines.extend(f"  - {p}" for p in report.problems)
    else:
        lines.append("OK: every reference earns full marks, every stub zero, every mistake loses points, all files in sync"
                     + ("; do-nothing and copied public answers score 0, correct rewrites full marks, each mistake "
                        "costs every student the same" if report.findings else ""))
    return "\n".join(lines)
