"""`grader grade`: batch-grade a folder of submissions into a gradebook, feedback and a summary."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from grader import stages
from grader.cases import DEFAULT_SECRET, check_secret
from grader.batch import Job, Settings, run_jobs
from grader.errors import UsageError
from grader.grading import AssignmentGrader
from grader.intake.archive import unpacked
from grader.intake.roster import join, read_roster
from grader.reports.gradebook import atomic_write, gradebook_csv, read_student_json, student_json
from grader.reports.html import student_page, summary_page
from grader.reports.names import report_names
from grader.reports.summary import isolation_of, summarise, summary_text
from grader.sanitise import shown_name
from grader.scoring import AssignmentResult
from grader.shards import MANIFEST, Shard, course_digest, manifest, write_manifest
from grader.spec import Course
from grader.submissions import discover


@dataclass
class GradeRun:
    """What a batch produced."""

    out: Path
    rows: dict[str, list[AssignmentResult]] = field(default_factory=dict)
    reused: int = 0
    isolation: str = ""
    warnings: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    people: dict[str, dict] = field(default_factory=dict)  # student -> report name, warnings, roster entry


def load_secret(secret_file: Path | None) -> tuple[str, str | None]:
    """The course secret from --secret-file or $GRADER_SECRET (at least 16 characters); the default comes with a warning."""
    if secret_file is not None:
        try:
            secret = secret_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{secret_file}: cannot read the secret file ({getattr(exc, 'strerror', None) or exc})") from exc
        if not secret:
            raise UsageError(f"{secret_file}: the secret file is empty")
        return check_secret(secret, str(secret_file)), None
    if os.environ.get("GRADER_SECRET"):
        return check_secret(os.environ["GRADER_SECRET"], "$GRADER_SECRET"), None
    return DEFAULT_SECRET, ("using the built-in default course secret: hidden inputs are predictable. "
                            "Set GRADER_SECRET or pass --secret-file for real grading (`grader secret` prints one).")


def grade(course: Course, submissions: Path, out: Path, slugs: list[str] | None = None, *, jobs: int | None = None,
          secret: str = DEFAULT_SECRET, fresh: bool = False, isolation: str = "auto", progress: bool | None = None,
          also_hide: tuple[str, ...] = (), shard: Shard | None = None, roster: Path | None = None) -> GradeRun:
    """Grade every student under ``submissions`` (a folder, or an LMS export's zip) on ``slugs`` (default: all).

    Each student's JSON and HTML are written as soon as they are graded; a later run keeps the
    results whose file, course files and secret are unchanged (unless ``fresh``), so an
    interrupted batch picks up where it stopped. With ``roster``, students on it without a
    submission are reported missing and submissions not on it are flagged. With ``shard`` only
    that share of the students is graded, and ``shard.json`` records how, for `grader merge`.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: --out must be a folder for the reports, and this is a file")
    if submissions.is_file() and submissions.suffix.lower() == ".zip":
        with unpacked(submissions) as folder:
            return grade(course, folder, out, slugs, jobs=jobs, secret=secret, fresh=fresh, isolation=isolation,
                         progress=progress, also_hide=also_hide, shard=shard, roster=roster)
    chosen = slugs or course.slugs()
    graders = {slug: AssignmentGrader.with_solutions(course.assignment(slug), secret) for slug in chosen}
    modules = {g.assignment.module for g in graders.values()}
    others = frozenset(course.assignment(s).module for s in course.slugs()) - modules
    entries = read_roster(roster) if roster is not None else None
    students = discover(submissions, modules, loose_module=next(iter(modules)) if len(modules) == 1 else None,
                        others=others)
    students = [s for s in students if (submissions / s.student).resolve() != out.resolve()]  # --out inside it
    students = [replace(s, student=shown_name(s.student)) for s in students]  # ids are shown and stored: escaped
    if not students:
        raise UsageError(f"{submissions}: no submissions found (expected one folder or <student>.zip per student, "
                         "or files as an LMS downloads them)")
    if shard is not None:
        students = [s for s in students if shard.holds(s.student)]
    run = GradeRun(out)
    on_roster, absent = join(entries, {s.student: s.aliases for s in students}) if entries is not None else ({}, [])
    absentees = {e.login or e.email or e.id or e.name: e for e in absent}
    names = report_names([*(s.student for s in students), *absentees])
    for sub in students:
        run.people[sub.student] = {"report": names[sub.student], "warnings": list(sub.problems),
                                   "roster": on_roster[sub.student].to_json() if sub.student in on_roster else None,
                                   "on_roster": None if entries is None else sub.student in on_roster,
                                   "lms_ids": sub.aliases}
    for student, entry in absentees.items():
        run.people[student] = {"report": names[student], "warnings": [], "roster": entry.to_json(), "on_roster": True,
                               "lms_ids": ()}
    descriptions = {slug: {c.name: c.description for c in g.assignment.cases} for slug, g in graders.items()}
    out.mkdir(parents=True, exist_ok=True)
    kept: dict[str, dict[str, AssignmentResult]] = {}
    todo: list[Job] = []
    for sub in students:
        run.warnings.extend(f"{sub.student}: {p}" for p in run.people[sub.student]["warnings"])
        saved = None if fresh else read_student_json(out / f"{names[sub.student]}.json")
        kept[sub.student] = {}
        for slug, g in graders.items():
            previous = _matching(saved, slug, g, sub.files.get(g.assignment.module))
            if previous is not None:
                kept[sub.student][slug] = previous
        missing = tuple(slug for slug in chosen if slug not in kept[sub.student])
        if missing:
            todo.append(Job(sub.student, sub.files, missing))
        else:
            run.rows[sub.student] = [kept[sub.student][slug] for slug in chosen]
            run.reused += 1
    for student in absentees:  # on the roster, nothing handed in: nothing to run
        run.rows[student] = [graders[slug].grade_file(None, student, None) for slug in chosen]
    for student, results in run.rows.items():
        _write_student(out, student, results, run.people[student], descriptions)
    if entries is not None:
        run.warnings.extend(f"{s}: not on the roster {roster.name}" for s, p in run.people.items() if p["on_roster"] is False)
    settings = Settings(str(course.root), tuple(chosen), secret,
                        (str(course.root), str(course.solutions_dir), str(submissions.resolve()), str(out.resolve()),
                         *also_hide), isolation)
    bar = tqdm(total=len(todo), unit="student", desc="grading", file=sys.stderr,
               disable=(not progress) if progress is not None else None)
    for student, results in run_jobs(todo, settings, jobs or default_workers(todo, isolation), graders):
        by_slug = {**kept[student], **{r.slug: r for r in results}}
        run.rows[student] = [by_slug[slug] for slug in chosen]
        with stages.timed(student, "", "reports"):
            _write_student(out, student, run.rows[student], run.people[student], descriptions)
        bar.update(1)
    bar.close()
    run.isolation, run.summary = write_class(out, run.rows, chosen, run.people)
    if shard is not None:
        write_manifest(out, manifest(shard, chosen, course_digest(graders.values()), secret,
                                     {student: run.people[student]["report"] for student in run.rows}))
    else:  # a whole class graded into a former shard's folder is no longer that shard
        (out / MANIFEST).unlink(missing_ok=True)
    return run


SUBMISSIONS_PER_WORKER = 40  # a worker process costs about a second to start: worth it past this many


def default_workers(todo: list[Job], isolation: str = "auto") -> int:
    """Worker processes when --jobs is not given: one per CPU, but a small batch grades in this
    process (starting workers would take longer than grading it). Under rlimits-only a child can
    signal its grader, so that level always keeps the grading in workers the batch can replace."""
    submissions = sum(len(job.slugs) for job in todo)
    cpus = os.cpu_count() or 1
    if isolation == "rlimits-only":
        return max(2, cpus)
    return max(1, min(cpus, submissions // SUBMISSIONS_PER_WORKER))


def write_class(out: Path, rows: dict[str, list[AssignmentResult]], chosen: list[str],
                people: dict[str, dict] | None = None) -> tuple[str, dict]:
    """The gradebook and the class summary of ``rows``; returns the isolation level and the summary.

    ``people`` maps a student to their report's name, roster entry and warnings (see :func:`grade`).
    """
    isolation = isolation_of([r for results in rows.values() for r in results])
    atomic_write(out / "gradebook.csv", gradebook_csv(rows, chosen, people))
    summary = summarise(rows, chosen, isolation, people)
    atomic_write(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    atomic_write(out / "summary.html", summary_page(summary))
    return isolation, summary


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


def _write_student(out: Path, student: str, results: list[AssignmentResult], person: dict,
                   descriptions: dict[str, dict[str, str]]) -> None:
    report = student_json(student, results, isolation_of(results), warnings=person["warnings"],
                          roster=person["roster"], on_roster=person["on_roster"], lms_ids=person["lms_ids"])
    atomic_write(out / f"{person['report']}.json", json.dumps(report, indent=1) + "\n")
    atomic_write(out / f"{person['report']}.html", student_page(report, descriptions))


def render(run: GradeRun) -> str:
    """What `grader grade` prints at the end."""
    lines = [summary_text(run.summary)]
    if run.reused:
        lines.append(f"{run.reused} student(s) unchanged since the last run: earlier results kept (use --fresh to regrade)")
    lines.extend(f"warning: {w}" for w in run.warnings)
    lines.append(f"wrote {run.out / 'gradebook.csv'}, {len(run.rows)} student reports (.json, .html) and summary.html")
    return "\n".join(lines)
