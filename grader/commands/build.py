"""`grader build`: regenerate student stubs, public fixtures (and notebooks) from solutions/."""
from __future__ import annotations

from pathlib import Path

from grader.fixtures import render_fixtures
from grader.grading import AssignmentGrader
from grader.notebook_build import notebook_files
from grader.reports.gradebook import atomic_write
from grader.spec import Course
from grader.stubs import stub_for


def generated_files(grader: AssignmentGrader) -> dict[Path, str]:
    """Every file `grader build` writes for an assignment (stub, public fixtures, notebook), with its text."""
    assignment = grader.assignment
    return {
        assignment.template_path: stub_for(assignment.solution_path, assignment.module),
        assignment.fixtures_path: render_fixtures(grader),
        **notebook_files(assignment.course, assignment),
    }


def build(course: Course, slugs: list[str] | None = None) -> list[tuple[Path, str]]:
    """Write every generated file; returns (path, "written" | "unchanged") pairs."""
    written = []
    for slug in slugs or course.slugs():
        for path, text in generated_files(AssignmentGrader.with_solutions(course.assignment(slug))).items():
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                written.append((path, "unchanged"))
                continue
            atomic_write(path, text)
            written.append((path, "written"))
    return written


def render(course: Course, written: list[tuple[Path, str]]) -> str:
    return "\n".join(f"{state:>9}  {path.relative_to(course.root)}" for path, state in written)
