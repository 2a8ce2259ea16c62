"""HTML feedback pages rendered with jinja2 (autoescaped: student output never becomes markup)."""
from __future__ import annotations

import jinja2

from grader import __version__
from grader.reports.text import status_words

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("grader.reports", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)


def student_page(report: dict) -> str:
    """One student's feedback page from their JSON report."""
    return _ENV.get_template("student.html.j2").render(
        student=report["student"], points=report["points"], max_points=report["max_points"],
        isolation=report["isolation"], assignments=[_Obj(a) for a in report["assignments"]],
        version=__version__, words=status_words,
    )


def summary_page(summary: dict) -> str:
    """The class summary page."""
    return _ENV.get_template("summary.html.j2").render(summary=_Obj(summary))


class _Obj(dict):
    """Attribute access over nested dicts for templates."""

    def __getattr__(self, name):
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        if isinstance(value, dict):
            return _Obj(value)
        if isinstance(value, list):
            return [_Obj(v) if isinstance(v, dict) else v for v in value]
        return value
