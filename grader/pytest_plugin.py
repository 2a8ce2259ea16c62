"""pytest plugin: ``pytest --grader-check SLUG FILE`` runs an assignment's public cases on FILE, one item per case."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

SUFFIXES = (".py", ".ipynb")
ISOLATION = ("auto", "bubblewrap", "rlimits-only")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "public cases of a course assignment (the grader's plugin)")
    group.addoption("--grader-check", metavar="SLUG", default=None,
                    help="run the public cases of assignment SLUG on each .py or .ipynb file given on the command line")
    group.addoption("--grader-course", metavar="DIR", default=None,
                    help="the course folder (default: the nearest folder up with assignments/)")
    group.addoption("--grader-isolation", choices=ISOLATION, default="auto", help="sandbox isolation (default: the strongest available)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("grader_check") and not any(Path(str(a).split("::")[0]).suffix in SUFFIXES for a in config.args):
        slug = config.getoption("grader_check")
        raise pytest.UsageError(f"--grader-check needs your file: pytest --grader-check {slug} path/to/{slug}.ipynb (or .py)")


def _wanted(parent: pytest.Collector, path: Path) -> bool:
    """Only files named on the command line, and only when --grader-check is given."""
    return (bool(parent.config.getoption("grader_check")) and path.suffix in SUFFIXES
            and parent.session.isinitpath(path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".ipynb" and _wanted(parent, file_path):
        return SubmissionFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    """A .py submission is graded, never imported as a test module."""
    if _wanted(parent, module_path):
        return SubmissionFile.from_parent(parent, path=module_path)
    return None


class CaseFailed(Exception):
    """A public case the submission did not pass; its text is the feedback line and details."""


class SubmissionFile(pytest.File):
    """A student's file: collects one item per public case and grades them all in one sandbox run."""

    def collect(self) -> Iterator["PublicCase"]:
        from grader.commands.check import public_grader
        from grader.spec import find_course

        course = find_course(self.config.getoption("grader_course"))
        self.assignment = course.assignment(self.config.getoption("grader_check"))
        self._result = None
        for prepared in public_grader(self.assignment).public or []:
            yield PublicCase.from_parent(self, name=prepared.spec.name)

    def result(self):
        """The public cases graded once for all items (and the isolation level in force)."""
        if self._result is None:
            from grader.commands.check import check_submitted
            from grader.submissions import read_file

            self._result = check_submitted(self.assignment, read_file(self.path), hide=[str(self.path.resolve().parent)],
                                           isolation=self.config.getoption("grader_isolation"))
        return self._result

    def repr_failure(self, excinfo, style=None):
        from grader.errors import GraderError

        if isinstance(excinfo.value, GraderError):
            return f"grader: {excinfo.value}"
        return super().repr_failure(excinfo, style)


class PublicCase(pytest.Item):
    """One public case, named after it; fails with the grader's feedback (never a traceback)."""

    def runtest(self) -> None:
        from grader.reports.text import MARKS

        result, _level = self.parent.result()
        case = next(c for c in result.cases if c.name == self.name)
        if case.status == "passed":
            return
        lines = [f"{MARKS.get(case.status, case.status)} {case.points:g}/{case.max_points:g}: {case.feedback}"]
        if case.hint:
            lines.append(f"diagnosis: {case.hint}")
        lines.extend(case.details)
        if result.skipped:
            lines.append("not run from your notebook (only imports, definitions and constants count):")
            lines.extend(f"  {s}" for s in result.skipped)
        raise CaseFailed("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        from grader.errors import GraderError

        if isinstance(excinfo.value, (CaseFailed, GraderError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.assignment.slug}: public case {self.name}"
