"""Grade many students at once: worker processes, each with its own graders and its own sandbox."""
from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from grader import stages
from grader.errors import GraderError, SandboxError
from grader.grading import AssignmentGrader
from grader.sandbox import Sandbox
from grader.sandbox.confine import MMAP_THRESHOLD, TRIM_THRESHOLD  # the children's setting too
from grader.sandbox.lifetime import start_tied
from grader.sandbox.runner import GRACE_SECONDS
from grader.sanitise import clean_text
from grader.scoring import AssignmentResult, whole_assignment
from grader.spec import Course
from grader.submissions import SubmittedFile


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt(3) parameters (malloc.h)


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
    cap_seconds: float | None = None  # per student; None: derived from the assignments' limits


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
        except SandboxError as exc:
            # the fork server died under this submission (its children can signal it where the
            # level is weak): the submission pays, the batch goes on with a fresh server, unless
            # even a fresh one cannot start
            results.append(whole_assignment(job.student, grader.assignment, grader.assignment.cases, "crashed",
                                            f"the sandbox failed while grading this submission: {clean_text(exc, 300)}"))
            _restart(sandbox)
        except GraderError:
            raise
        except Exception as exc:
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            results.append(whole_assignment(job.student, grader.assignment, grader.assignment.cases, "crashed",
                                            f"internal grader error while grading this submission: {detail}"))
            _restart(sandbox)  # it may have been left mid-job
    return results


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (from /proc's parent links), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and what runs below it: a stopped student's run must not outlive its worker.

    Processes that left the tree (a double fork) are the sandbox's to contain.
    """
    for target in [pid, *_descendants(pid)]:
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass


def _restart(sandbox: Sandbox) -> None:
    """Replace a sandbox's fork server after it failed; SandboxError if a fresh one cannot start."""
    sandbox.restart()


def submission_cap(settings: Settings) -> float:
    """Wall-clock seconds one student's grading may take before the watchdog stops it.

    A generous backstop above what the sandbox's own limits allow: every case at its limit plus
    the sandbox's grace, twice over (a rerun after a crash), plus a minute per assignment.
    """
    if settings.cap_seconds is not None:
        return settings.cap_seconds
    course = Course(Path(settings.course))
    total = 0.0
    for slug in settings.slugs:
        cases = course.assignment(slug).cases
        total += 2 * sum(c.time_seconds + GRACE_SECONDS for c in cases) + 60
    return total


def _stopped(settings: Settings, job: Job, cap: float, why: str) -> list[AssignmentResult]:
    """Every assignment of ``job`` at zero: the watchdog stopped it (or its worker died)."""
    course = Course(Path(settings.course))
    return [whole_assignment(job.student, course.assignment(slug), course.assignment(slug).cases, "crashed",
                             f"grading stopped: {why} (the limit per student is {cap:g} s)") for slug in job.slugs]


class _Stuck(BaseException):  # not an Exception: grade_job must not turn it into a result
    """Raised in the grading thread by the watchdog's alarm."""


def _in_process(jobs: list[Job], settings: Settings, graders: dict[str, AssignmentGrader] | None,
                cap: float) -> Iterator[tuple[str, list[AssignmentResult]]]:
    """Grade in this process; an alarm stops a student that takes longer than ``cap`` (main thread only)."""
    keep_freed_memory()
    graders = graders or make_graders(settings)
    watch = threading.current_thread() is threading.main_thread()

    def alarm(_signum, _frame):
        raise _Stuck()

    sandbox = Sandbox(hide=list(settings.hide), isolation=settings.isolation)
    previous = signal.signal(signal.SIGALRM, alarm) if watch else None
    try:
        for job in jobs:
            try:
                if watch:
                    signal.setitimer(signal.ITIMER_REAL, cap)
                results = grade_job(graders, sandbox, job)
            except _Stuck:
                sandbox.restart()  # its run of this student's code goes with the old fork server
                results = _stopped(settings, job, cap, "it took too long")
            finally:
                if watch:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            yield job.student, results
    finally:
        if watch:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        sandbox.close()


def keep_freed_memory() -> None:
    """Have glibc keep freed blocks below 32 MiB for reuse instead of returning them to the kernel.

    Grading allocates and frees arrays of megabytes for every submission (dropout's cases, the
    results coming back); by default each comes from a fresh mapping whose pages fault in one by
    one, which cost dropout's gradings about a tenth of their time. The job children get the same
    setting through their environment (grader.sandbox.confine). Nothing happens off glibc.
    """
    libc = ctypes.CDLL(None)
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None and getattr(libc, "gnu_get_libc_version", None) is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def _worker_main(settings: Settings, conn) -> None:
    """A worker process: build graders and a sandbox, then grade the jobs the parent sends."""
    keep_freed_memory()
    graders = make_graders(settings)
    with Sandbox(hide=list(settings.hide), isolation=settings.isolation) as sandbox:
        conn.send(("ready", None))
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            try:
                results = grade_job(graders, sandbox, job)
            except GraderError as exc:  # the course or the sandbox is broken: stop the batch with its message
                conn.send(("error", (type(exc).__name__, str(exc), exc.exit_code)))
                return
            # plain data back to the parent, not pickled objects
            conn.send(("done", ([r.to_json() for r in results], stages.drain())))


class _Worker:
    """One worker process, the pipe to it and the job it is on."""

    def __init__(self, context, settings: Settings):
        self.conn, child_end = context.Pipe()
        # tied to this process first thing: a killed grader takes its workers (and their sandboxes) along
        self.process = context.Process(target=start_tied, daemon=True,
                                       args=(os.getpid(), "grader.batch:_worker_main", settings, child_end))
        self.process.start()
        child_end.close()
        self.job: Job | None = None
        self.since = 0.0
        self.ready = False

    def give(self, job: Job) -> None:
        self.job, self.since = job, time.monotonic()
        self.conn.send(job)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=10)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            _kill_tree(self.process.pid)
        self.process.join()
        self.conn.close()


def _pool(jobs: list[Job], settings: Settings, workers: int, cap: float) -> Iterator[tuple[str, list[AssignmentResult]]]:
    """Grade in ``workers`` processes. The watchdog kills a worker stuck on one student longer than
    ``cap`` seconds (that student scores 0 with the reason) and starts a fresh one; a worker that
    dies costs its student only. The batch always completes.
    """
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(jobs))
    pool = [_Worker(context, settings) for _ in range(min(workers, len(jobs)))]
    failures = 0
    try:
        while queue or any(w.job is not None for w in pool):
            for worker in pool:
                if worker.ready and worker.job is None and queue:
                    worker.give(queue.pop())
            busy = [w for w in pool if w.job is not None]
            timeout = min((w.since + cap - time.monotonic() for w in busy), default=1.0)
            ready = multiprocessing.connection.wait([w.conn for w in pool], timeout=max(0.0, min(timeout, 1.0)))
            for i, worker in enumerate(pool):
                lost = None
                if worker.conn in ready:
                    try:
                        kind, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "died", None
                    if kind == "ready":
                        worker.ready = True
                        continue
                    if kind == "error":
                        error = GraderError(payload[1])
                        error.exit_code = payload[2]
                        raise error
                    if kind == "done" and worker.job is not None:
                        job, worker.job = worker.job, None
                        results, times = payload
                        stages.merge(times)
                        yield job.student, [AssignmentResult.from_json(r) for r in results]
                        continue
                    lost = "the grading process ended unexpectedly"
                elif worker.job is not None and time.monotonic() - worker.since > cap:
                    lost = "it took too long"
                elif not worker.process.is_alive():
                    lost = "the grading process ended unexpectedly"
                if lost is None:
                    continue
                job = worker.job
                worker.kill()
                failures += 1
                if not worker.ready and job is None and failures > 2 * len(pool):
                    raise SandboxError("the grading workers keep failing to start")
                pool[i] = _Worker(context, settings)
                if job is not None:
                    yield job.student, _stopped(settings, job, cap, lost)
    finally:
        for worker in pool:
            worker.stop()


def run_jobs(jobs: list[Job], settings: Settings, workers: int,
             graders: dict[str, AssignmentGrader] | None = None) -> Iterator[tuple[str, list[AssignmentResult]]]:
    """Yield (student, results) as each job finishes, using up to ``workers`` processes.

    One process grades in this process (no start-up cost for a small class), with ``graders``
    when the caller already has them; more run as separate processes so the grading work itself,
    not only the students' code, uses every core. Either way a student whose grading runs past
    :func:`submission_cap` is stopped and marked, and the batch goes on.
    """
    if not jobs:
        return
    cap = submission_cap(settings)
    if workers <= 1 or len(jobs) == 1:
        yield from _in_process(jobs, settings, graders, cap)
    else:
        yield from _pool(jobs, settings, workers, cap)
