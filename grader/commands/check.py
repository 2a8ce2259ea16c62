"""`grader check`: a student's local run of the public cases, without the solutions."""
from __future__ import annotations

from pathlib import Path

from grader.errors import UsageError
from grader.grading import AssignmentGrader
from grader.reports.text import case_table, score_line
from grader.sandbox import Sandbox
from grader.scoring import AssignmentResult
from grader.spec import Course
from grader.submissions import read_file


def default_path(course: Course, module: str) -> Path:
    """student_template/<module>.py, or the notebook when only that exists."""
    py = course.template_dir / f"{module}.py"
    nb = course.template_dir / f"{module}.ipynb"
    return nb if nb.is_file() and not py.is_file() else py


def check(course: Course, slug: str, path: Path | None = None, isolation: str = "auto") -> tuple[AssignmentResult, str]:
    """Grade ``path`` on the public cases; returns the result and the isolation level's description."""
    assignment = course.assignment(slug)
    path = path or default_path(course, assignment.module)
    if not path.exists():
        raise UsageError(f"{path}: no such file (pass --path FILE)")
    grader = AssignmentGrader.from_fixtures(assignment)
    submitted = read_file(path)
    hide = [str(course.root), str(course.solutions_dir), str(path.resolve().parent)]
    with Sandbox(hide=hide, isolation=isolation) as sandbox:
        result = grader.grade_file(sandbox, "local", submitted, public_only=True)
        level = f"{sandbox.level} ({sandbox.level_description})"
    return result, level


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
