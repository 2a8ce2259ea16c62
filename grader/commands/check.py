"""`grader check`: a student's local run of the public cases, without the solutions."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from grader.errors import SandboxError, UsageError
from grader.grading import AssignmentGrader
from grader.reports.text import case_table, score_line
from grader.sandbox import Sandbox
from grader.scoring import AssignmentResult
from grader.spec import Assignment, Course
from grader.submissions import SubmittedFile, read_file


def default_path(course: Course, module: str) -> Path:
    """student_template/<module>.py, or the notebook when only that exists."""
    py = course.template_dir / f"{module}.py"
    nb = course.template_dir / f"{module}.ipynb"
    return nb if nb.is_file() and not py.is_file() else py


def public_grader(assignment: Assignment, parts: Sequence[str] | None = None) -> AssignmentGrader:
    """The grader of the public cases from the fixtures, restricted to ``parts`` when given."""
    grader = AssignmentGrader.from_fixtures(assignment)
    if parts is None:
        return grader
    known = [p.name for p in assignment.parts]
    unknown = [p for p in parts if p not in known]
    if unknown:
        raise UsageError(f"{assignment.slug} has no part {unknown[0]!r} (parts: {', '.join(known)})")
    return replace(grader, public=[c for c in grader.public or [] if c.spec.part in parts])


def check_submitted(assignment: Assignment, submitted: SubmittedFile, *, parts: Sequence[str] | None = None,
                    hide: Sequence[str] = (), isolation: str = "auto") -> tuple[AssignmentResult, str]:
    """Grade one submitted file on the public cases (of ``parts``, default all) in a sandbox hiding ``hide``."""
    grader = public_grader(assignment, parts)
    hide = [str(assignment.course.root), str(assignment.course.solutions_dir), *hide]
    with _own_code_sandbox(hide, isolation) as sandbox:
        result = grader.grade_file(sandbox, "local", submitted, public_only=True)
        level = f"{sandbox.level} ({sandbox.level_description})"
    return result, level


def _own_code_sandbox(hide: list[str], isolation: str) -> Sandbox:
    """A sandbox for a student checking their own code: with "auto", bubblewrap where the machine
    has it, else rlimits-only (no one else's code or data is at stake; the output names the level).
    `grade` and `gradescope` never fall back like this."""
    try:
        return Sandbox(hide=hide, isolation=isolation)
    except SandboxError:
        if isolation != "auto":
            raise
        return Sandbox(hide=hide, isolation="rlimits-only")


def check(course: Course, slug: str, path: Path | None = None, isolation: str = "auto",
          parts: Sequence[str] | None = None) -> tuple[AssignmentResult, str]:
    """Grade ``path`` on the public cases; returns the result and the isolation level's description."""
    assignment = course.assignment(slug)
    path = path or default_path(course, assignment.module)
    if not path.exists():
        raise UsageError(f"{path}: no such file (pass --path FILE)")
    submitted = read_file(path)
    return check_submitted(assignment, submitted, parts=parts, hide=[str(path.resolve().parent)], isolation=isolation)


def render(result: AssignmentResult, level: str) -> str:
    """What `grader check` prints."""
    lines = [f"{result.title} ({result.slug}) - public cases of {result.submission or 'your file'}", ""]
    if result.status != "graded":
        lines.append(result.message)
        lines.append("")
    lines.append(case_table(result))
    lines.append("")
    lines.append(score_line(result, "public score"))
    lines.append("Hidden cases with other inputs decide the final grade; passing these is necessary, not sufficient.")
    lines.append(f"isolation: {level}")
    return "\n".join(lines)
