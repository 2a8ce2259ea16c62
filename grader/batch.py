"""Grade many students at once: worker processes, each with its own graders and its own sandbox."""
from __future__ import annotations

import atexit
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from grader import stages
from grader.errors import GraderError
from grader.grading import AssignmentGrader
from grader.sandbox import Sandbox
from grader.scoring import AssignmentResult, whole_assignment
from grader.spec import Course
from grader.submissions import SubmittedFile


@dataclass(frozen=True)
class Job:
    """One student's files and the assignments still to grade for them."""

    student: str
    files: dict[str, SubmittedFile]
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """What every worker needs to build its graders and sandbox (plain, picklable values)."""

    course: str
    slugs: tuple[str, ...]
    secret: str
    hide: tuple[str, ...]
    isolation: str


def make_graders(settings: Settings) -> dict[str, AssignmentGrader]:
    """The graders of ``settings.slugs``, with the shared public expectations computed once."""
    course = Course(Path(settings.course))
    graders = {slug: AssignmentGrader.with_solutions(course.assignment(slug), settings.secret) for slug in settings.slugs}
    for grader in graders.values():
        grader.prepare("warm-up", public_only=True)
    return graders


def grade_job(graders: dict[str, AssignmentGrader], sandbox: Sandbox, job: Job) -> list[AssignmentResult]:
    """Grade one student's assignments; a bug met on one submission costs that submission, not the batch."""
    results = []
    for slug in job.slugs:
        grader = graders[slug]
        try:
            with stages.timed(job.student, slug, "other"):
                results.append(grader.grade_file(sandbox, job.student, job.files.get(grader.assignment.module)))
        except GraderError:
            raise
        except Exception as exc:
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            results.append(whole_assignment(job.student, grader.assignment, grader.assignment.cases, "crashed",
                                            f"internal grader error while grading this submission: {detail}"))
    return results


_WORKER: dict = {}


def _start_worker(settings: Settings) -> None:
    _WORKER["graders"] = make_graders(settings)
    _WORKER["sandbox"] = Sandbox(hide=list(settings.hide), isolation=settings.isolation)
    atexit.register(_WORKER["sandbox"].close)


def _work(job: Job) -> tuple[str, list[dict], list]:
    results = grade_job(_WORKER["graders"], _WORKER["sandbox"], job)
    # plain data back to the parent, not pickled objects
    return job.student, [r.to_json() for r in results], stages.drain()


def run_jobs(jobs: list[Job], settings: Settings, workers: int,
             graders: dict[str, AssignmentGrader] | None = None) -> Iterator[tuple[str, list[AssignmentResult]]]:
    """Yield (student, results) as each job finishes, using up to ``workers`` processes.

    One process grades in this process (no start-up cost for a small class), with ``graders``
    when the caller already has them; more run as separate processes so the grading work itself,
    not only the students' code, uses every core.
    """
    if not jobs:
        return
    if workers <= 1 or len(jobs) == 1:
        graders = graders or make_graders(settings)
        with Sandbox(hide=list(settings.hide), isolation=settings.isolation) as sandbox:
            for job in jobs:
                yield job.student, grade_job(graders, sandbox, job)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                             initializer=_start_worker, initargs=(settings,)) as pool:
        futures = [pool.submit(_work, job) for job in jobs]
        for future in as_completed(futures):
            student, results, times = future.result()
            stages.merge(times)
            yield student, [AssignmentResult.from_json(r) for r in results]
