"""Plain-text tables of results for the terminal."""
from __future__ import annotations

import shutil
import textwrap

from grader.scoring import STATUSES, AssignmentResult

MARKS = {"passed": "PASS", "unconfirmed": "HELD", "partial": "PART", "failed": "FAIL", "error": "ERROR", "not_implemented": "TODO",
         "timeout": "TIME", "crashed": "CRASH", "no_submission": "MISSING", "invalid_submission": "INVALID"}


def _points(value: float) -> str:
    return f"{value:g}"


def case_table(result: AssignmentResult, *, verbose: bool = True) -> str:
    """A table of cases: name, points, mark and a one-line reason; details and hints below it."""
    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 120))
    name_w = max([len(c.name) for c in result.cases] + [4])
    lines = [f"{'case':<{name_w}}  {'points':>9}  {'result':<7}  reason"]
    lines.append("-" * min(width, name_w + 60))
    shown: set[str] = set()  # diagnoses already spelled out: later cases refer back to them
    for case in result.cases:
        pts = f"{_points(case.points)}/{_points(case.max_points)}"
        reason = "" if case.status == "passed" else case.feedback
        head = f"{case.name:<{name_w}}  {pts:>9}  {MARKS.get(case.status, case.status):<7}  "
        wrapped = textwrap.wrap(reason, max(20, width - len(head))) or [""]
        lines.append(head + wrapped[0])
        lines.extend(" " * len(head) + more for more in wrapped[1:])
        if verbose and case.status != "passed":
            pad = " " * (name_w + 2)
            if case.hint and case.hint in shown:  # the same paragraph once per report
                lines.append(pad + f"diagnosis: the same as above ({case.diagnosis.replace('_', ' ') or 'in ' + case.located})")
            elif case.hint:
                shown.add(case.hint)
                for i, part in enumerate(textwrap.wrap(f"diagnosis: {case.hint}", max(20, width - len(pad)))):
                    lines.append(pad + ("" if i == 0 else "  ") + part)
            for detail in case.details:
                for row in detail.splitlines():
                    lines.append(pad + row)
    if result.skipped:
        lines.append("")
        lines.append("not run from your notebook (only imports, definitions and constants count):")
        lines.extend(f"  {s}" for s in result.skipped)
    return "\n".join(lines)


def score_line(result: AssignmentResult, label: str = "score") -> str:
    """``score: 7/12 (58%)``."""
    pct = 100 * result.points / result.max_points if result.max_points else 100.0
    return f"{label}: {_points(result.points)}/{_points(result.max_points)} ({pct:.0f}%)"


def status_words(status: str) -> str:
    """Human words for a status."""
    return STATUSES.get(status, status)
