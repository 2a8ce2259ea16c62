"""HTML feedback pages rendered with jinja2 (autoescaped: student output never becomes markup)."""
from __future__ import annotations

import jinja2

from grader import __version__
from grader.reports.text import status_words

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("grader.reports", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)


def student_page(report: dict, descriptions: dict[str, dict[str, str]] | None = None) -> str:
    """One student's feedback page from their JSON report; ``descriptions`` maps slug -> case -> what it checks."""
    descriptions = descriptions or {}
    handed_in, not_handed_in = [], []
    for a in report["assignments"]:
        if a["status"] == "no_submission":
            not_handed_in.append(a)
            continue
        said = descriptions.get(a["assignment"], {})
        cases = [{**c, "description": said.get(c["name"], "")} for c in a["cases"]]
        diagnoses: dict[str, dict] = {}  # each diagnosis said once, with the parts and cases it explains
        for c in cases:
            if c["status"] != "passed" and c.get("hint"):
                found = diagnoses.setdefault(c["hint"], {"hint": c["hint"], "parts": [], "cases": []})
                found["cases"].append(c["name"])
                if c["part"] not in found["parts"]:
                    found["parts"].append(c["part"])
        ordered = [c for c in cases if c["status"] != "passed"] + [c for c in cases if c["status"] == "passed"]
        handed_in.append({**a, "ordered": ordered, "diagnoses": list(diagnoses.values())})
    return _ENV.get_template("student.html.j2").render(
        student=report["student"], name=(report.get("roster") or {}).get("name") or report["student"],
        points=report["points"], max_points=report["max_points"], isolation=report["isolation"],
        handed_in=handed_in, not_handed_in=not_handed_in, warnings=report.get("warnings", []),
        on_roster=report.get("on_roster"), version=__version__, words=status_words,
    )


def summary_page(summary: dict) -> str:
    """The class dashboard."""
    return _ENV.get_template("summary.html.j2").render(summary=summary)
