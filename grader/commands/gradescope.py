"""`grader gradescope`: grade the one submission Gradescope hands its autograder, into results.json."""
from __future__ import annotations

import json
from pathlib import Path

from grader.batch import Job, Settings, run_jobs
from grader.errors import SandboxError, UsageError
from grader.reports.gradebook import atomic_write
from grader.reports.gradescope import results_json
from grader.reports.summary import isolation_of
from grader.spec import Course
from grader.sanitise import shown_name
from grader.submissions import StudentSubmission, from_folder


def gradescope(course: Course, submission: Path, out: Path, slugs: list[str] | None, *, student: str,
               secret: str, isolation: str = "auto", also_hide: tuple[str, ...] = ()) -> dict:
    """Grade the files in ``submission`` (one student) and write Gradescope's ``results.json`` to ``out``.

    ``also_hide`` (the secret file) is hidden from the sandbox like the course. results.json is
    written once grading is over and its sandbox closed, then read back and compared with what
    was computed here; a file changed behind the grader's back is rewritten.
    """
    chosen = slugs or course.slugs()
    modules = {course.assignment(slug).module for slug in chosen}
    found: StudentSubmission = from_folder(submission, modules)
    settings = Settings(str(course.root), tuple(chosen), secret,
                        (str(course.root), str(course.solutions_dir), str(submission.resolve()), str(out.resolve().parent),
                         *also_hide), isolation)
    # run_jobs closes its sandbox when exhausted: no child of this run is left when we write
    ((_, results),) = list(run_jobs([Job(shown_name(student), found.files, tuple(chosen))], settings, workers=1))
    data = results_json(results, isolation_of(results))
    if found.problems:
        data["output"] = "\n".join([*found.problems, data["output"]])
    write_verified(out, json.dumps(data, indent=1) + "\n")
    return data


def write_verified(path: Path, text: str, attempts: int = 3) -> None:
    """Write ``text`` to ``path``, read it back, and rewrite it while it differs; SandboxError if it never holds."""
    for _ in range(attempts):
        atomic_write(path, text)
        try:
            if path.read_text(encoding="utf-8") == text:
                return
        except (OSError, UnicodeDecodeError):
            pass
    raise SandboxError(f"{path}: rewritten by something else after the grader wrote it; not trusting it")


def student_id(submission: Path) -> str:
    """The student's id from Gradescope's submission_metadata.json beside the submission folder.

    Missing or unreadable metadata is an error (pass --student instead): a fixed fallback id
    would give every such student the same hidden inputs.
    """
    path = submission.parent / "submission_metadata.json"
    hint = "pass --student ID, or run inside Gradescope's autograder where it is written"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"no submission metadata: the student's id for the hidden inputs comes from it; {hint}",
                         path=str(path)) from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the submission metadata ({exc}); {hint}", path=str(path)) from exc
    users = data.get("users") if isinstance(data, dict) else None
    first = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    for key in ("email", "id", "name"):
        if first.get(key) not in (None, ""):
            return str(first[key])
    raise UsageError(f"the submission metadata names no user (users[0].email, .id or .name); {hint}", path=str(path))
