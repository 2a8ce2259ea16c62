"""`grader build`: regenerate student stubs, public fixtures (and notebooks) from solutions/."""
from __future__ import annotations

from pathlib import Path

from grader.commands.validate import expected_notebooks
from grader.fixtures import render_fixtures
from grader.grading import AssignmentGrader
from grader.reports.gradebook import atomic_write
from grader.spec import Course
from grader.stubs import stub_for


def build(course: Course, slugs: list[str] | None = None) -> list[tuple[Path, str]]:
    """Write every generated file; returns (path, "written" | "unchanged") pairs."""
    written = []
    for slug in slugs or course.slugs():
        assignment = course.assignment(slug)
        grader = AssignmentGrader.with_solutions(assignment)
        outputs = {
            assignment.template_path: stub_for(assignment.solution_path, assignment.module),
            assignment.fixtures_path: render_fixtures(grader),
        }
        outputs.update(expected_notebooks(course, slug))
        for path, text in outputs.items():
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                written.append((path, "unchanged"))
                continue
            atomic_write(path, text)
            written.append((path, "written"))
    return written


def render(course: Course, written: list[tuple[Path, str]]) -> str:
    return "\n".join(f"{state:>9}  {path.relative_to(course.root)}" for path, state in written)
