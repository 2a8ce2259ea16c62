"""The lecture-coverage page (docs/lecture-coverage.md): every assignment, function and case it lists must exist."""
from __future__ import annotations

import re

from grader.spec import Course

COVERAGE_PAGE = ("docs", "lecture-coverage.md")
_NAME = re.compile(r"`([^`]+)`")


def coverage_rows(text: str) -> list[tuple[int, str, str, list[str], list[str]]]:
    """(line number, slide, assignment, functions, cases) of each row of the page's table.

    The table's columns are: slide | assignment | functions | cases, names in backticks; the header
    row and the |---| rule are skipped, and so is every line outside the table.
    """
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if len(cells) != 4 or set(cells[1]) <= set("-: ") or not _NAME.search(cells[1]):
            continue
        slugs = _NAME.findall(cells[1])
        rows.append((number, cells[0], slugs[0] if len(slugs) == 1 else cells[1], _NAME.findall(cells[2]), _NAME.findall(cells[3])))
    return rows


def coverage_problems(course: Course, slugs: list[str] | None = None) -> list[str]:
    """What the coverage page lists that does not exist (only rows of ``slugs`` when given); [] without a page."""
    page = course.root.joinpath(*COVERAGE_PAGE)
    if not page.is_file():
        return []
    shown = "/".join(COVERAGE_PAGE)
    known = set(course.slugs())
    problems = []
    for number, slide, slug, functions, cases in coverage_rows(page.read_text(encoding="utf-8")):
        where = f"{shown}, line {number} ({slide!r})"
        if slug not in known:
            problems.append(f"{where}: no assignment {slug!r}")
            continue
        if slugs is not None and slug not in slugs:
            continue
        assignment = course.assignment(slug)
        if not cases:
            problems.append(f"{where}: no case listed")
        missing_cases = [c for c in cases if c not in {spec.name for spec in assignment.cases}]
        missing_functions = [f for f in functions if f not in assignment.functions]
        if missing_cases:
            problems.append(f"{where}: {slug} has no case {', '.join(missing_cases)}")
        if missing_functions:
            problems.append(f"{where}: {slug} grades no function {', '.join(missing_functions)}")
    return problems
