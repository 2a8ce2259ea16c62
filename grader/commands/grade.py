"""`grader grade`: batch-grade a folder of submissions into a gradebook, feedback and a summary."""
from __future__ import annotations

import json
import os
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from grader.cases import DEFAULT_SECRET
from grader.errors import GraderError, UsageError
from grader.grading import AssignmentGrader
from grader.reports.gradebook import atomic_write, gradebook_csv, read_student_json, student_json
from grader.reports.html import student_page, summary_page
from grader.reports.summary import summarise, summary_text
from grader.sandbox import SandboxPool
from grader.scoring import AssignmentResult, whole_assignment
from grader.spec import Course
from grader.submissions import StudentSubmission, discover


@dataclass
class GradeRun:
    """What a batch produced."""

    out: Path
    rows: dict[str, list[AssignmentResult]] = field(default_factory=dict)
    reused: int = 0
    isolation: str = ""
    warnings: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def load_secret(secret_file: Path | None) -> tuple[str, str | None]:
    """The course secret from --secret-file or $GRADER_SECRET; the default comes with a warning."""
    if secret_file is not None:
        try:
            secret = secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"{secret_file}: cannot read the secret file ({exc.strerror})") from exc
        if not secret:
            raise UsageError(f"{secret_file}: the secret file is empty")
        return secret, None
    if os.environ.get("GRADER_SECRET"):
        return os.environ["GRADER_SECRET"], None
    return DEFAULT_SECRET, ("using the built-in default course secret: hidden inputs are predictable. "
                            "Set GRADER_SECRET or pass --secret-file for real grading.")


def _safe_name(student: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student)
    return keep.lstrip(".") or "student"


def grade(course: Course, submissions: Path, out: Path, slugs: list[str] | None = None, *, jobs: int | None = None,
          secret: str = DEFAULT_SECRET, fresh: bool = False, isolation: str = "auto", progress: bool | None = None) -> GradeRun:
    """Grade every student under ``submissions`` on ``slugs`` (default: all assignments)."""
    chosen = slugs or course.slugs()
    graders = {slug: AssignmentGrader.with_solutions(course.assignment(slug), secret) for slug in chosen}
    for g in graders.values():
        g.prepare("warm-up", public_only=True)  # compute the shared public expectations once
    modules = {g.assignment.module: slug for slug, g in graders.items()}
    students = discover(submissions, set(modules))
    out.mkdir(parents=True, exist_ok=True)
    run = GradeRun(out)
    hide = [str(course.root), str(course.solutions_dir), str(submissions.resolve()), str(out.resolve())]
    jobs = jobs or os.cpu_count() or 1
    with SandboxPool(min(jobs, max(1, len(students))), hide=hide, isolation=isolation) as pool:
        run.isolation = pool.level_description

        def work(sub: StudentSubmission) -> tuple[str, list[AssignmentResult], bool]:
            saved = None if fresh else read_student_json(out / f"{_safe_name(sub.student)}.json")
            results, reused = [], True
            for slug, g in graders.items():
                submitted = sub.files.get(g.assignment.module)
                previous = _matching(saved, slug, g, submitted)
                if previous is not None:
                    results.append(previous)
                    continue
                reused = False
                try:
                    with pool.acquire() as sandbox:
                        results.append(g.grade_file(sandbox, sub.student, submitted))
                except GraderError:
                    raise
                except Exception as exc:  # never let one submission stop the batch
                    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    results.append(whole_assignment(sub.student, g.assignment, g.assignment.cases, "crashed",
                                                    f"internal grader error while grading this submission: {detail}"))
            _write_student(out, sub.student, results, run.isolation)
            return sub.student, results, reused

        with ThreadPoolExecutor(max_workers=jobs) as executor:
            futures = [executor.submit(work, sub) for sub in students]
            bar = tqdm(total=len(futures), unit="student", desc="grading", file=sys.stderr,
                       disable=(not progress) if progress is not None else None)
            for future in as_completed(futures):
                student, results, reused = future.result()
                run.rows[student] = results
                run.reused += reused
                bar.update(1)
            bar.close()
        for sub in students:
            if sub.problems:
                run.warnings.extend(f"{sub.student}: {p}" for p in sub.problems)
    atomic_write(out / "gradebook.csv", gradebook_csv(run.rows, chosen))
    run.summary = summarise(run.rows, chosen, run.isolation)
    atomic_write(out / "summary.json", json.dumps(run.summary, indent=1) + "\n")
    atomic_write(out / "summary.html", summary_page(run.summary))
    return run


def _matching(saved: list[AssignmentResult] | None, slug: str, g: AssignmentGrader, submitted) -> AssignmentResult | None:
    """A result from an earlier run that still holds: same file contents, course files and secret."""
    if not saved:
        return None
    for result in saved:
        if result.slug != slug:
            continue
        if submitted is None:
            return result if result.status == "no_submission" else None
        if result.submission != submitted.label or any(c.status in ("timeout", "crashed") for c in result.cases):
            return None  # limits hit under load deserve a second run
        return result if result.digest == g.digest(submitted.raw) else None
    return None


def _write_student(out: Path, student: str, results: list[AssignmentResult], isolation: str) -> None:
    report = student_json(student, results, isolation)
    name = _safe_name(student)
    atomic_write(out / f"{name}.json", json.dumps(report, indent=1) + "\n")
    atomic_write(out / f"{name}.html", student_page(report))


def render(run: GradeRun) -> str:
    """What `grader grade` prints at the end."""
    lines = [summary_text(run.summary)]
    if run.reused:
        lines.append(f"{run.reused} student(s) unchanged since the last run: earlier results kept (use --fresh to regrade)")
    lines.extend(f"warning: {w}" for w in run.warnings)
    lines.append(f"wrote {run.out / 'gradebook.csv'}, {len(run.rows)} student reports (.json, .html) and summary.html")
    return "\n".join(lines)
