"""Measure how diagnosis generalises: each catalogued mistake graded with itself left out of the catalogue.

In-sample naming (a mistake matched to its own output) proves little. Here every catalogued mistake
is graded like a submission (its outputs computed in this process, through the same grading,
diagnosis and localisation code as a student's) by a grader whose catalogue lacks that mistake, and
what the student would be told is classified:

- named: some failed case is diagnosed by a structural rule or another catalogue entry that the
  mistake's file lists as a correct description of it (``RELATED = "rule_id other_mistake ..."``);
- located: no such name, but a failed case points at a function the mistake changes;
- misnamed: some failed case names a rule or entry that the file does not list as related, or
  points at functions the mistake does not change (a wrong name is worse than none);
- silent: caught, but neither named nor located.

``RELATED`` is declared by the course author from what each mistake means, not from what the
diagnosis says, so a rule that fires for the wrong reason counts against it.
"""
from __future__ import annotations

import ast
import time
from dataclasses import dataclass, replace
from pathlib import Path

from grader.audits import mistake_source
from grader.audits.inprocess import InProcess
from grader.diagnose.calls import mistake_functions
from grader.diagnose.whole import RULE_IDS
from grader.diagnosis import Mistake

STUDENT = "leave-one-out"
NOT_NAMES = ("", "mutation")  # diagnosis ids that name nothing


@dataclass(frozen=True)
class LeftOut:
    """What a student making one catalogued mistake is told when that mistake is not in the catalogue."""

    slug: str
    mistake: str
    verdict: str  # named | located | misnamed | silent | uncaught
    told: tuple[str, ...]  # the diagnosis ids and located functions of the failed cases
    seconds: float = 0.0


def related(mistake: Mistake) -> set[str]:
    """The ids a mistake's file declares as correct names for it (``RELATED = "..."``), and its own id."""
    ids = {mistake.id}
    for node in ast.parse(mistake.source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "RELATED" and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            ids.update(node.value.value.split())
    return ids


def leave_one_out(grader, mistake: Mistake) -> LeftOut:
    """Grade ``mistake`` with a catalogue that lacks it, and classify what the student is told."""
    rest = {k: v for k, v in grader.catalogue.items() if k != mistake.id}
    blind = replace(grader, catalogue=rest)
    source = mistake_source(grader.assignment.solution_path.read_text(encoding="utf-8"), mistake)
    # run in this process like the audits' answers (trusted course code), through the same grading code
    result = blind.grade(InProcess(), STUDENT, source, f"<mistake {mistake.id}>")
    failed = [c for c in result.cases if c.status in ("failed", "partial", "error", "timeout", "crashed")]
    if not failed:
        return LeftOut(grader.assignment.slug, mistake.id, "uncaught", ())
    ok_names = related(mistake)
    changed = mistake_functions(grader, mistake)
    named = located = misnamed = False
    told = []
    for case in failed:
        if case.diagnosis not in NOT_NAMES:
            told.append(case.diagnosis)
            if case.diagnosis in ok_names:
                named = True
            elif case.diagnosis in grader.catalogue or case.diagnosis in RULE_IDS:
                misnamed = True
        if case.located:
            where = set(case.located.split(", "))
            told.append(f"@{case.located}")
            if where & changed:
                located = True
            elif case.diagnosis not in ok_names:
                misnamed = True
    verdict = "misnamed" if misnamed else "named" if named else "located" if located else "silent"
    return LeftOut(grader.assignment.slug, mistake.id, verdict, tuple(dict.fromkeys(told)))


def measure(grader) -> list[LeftOut]:
    """Leave-one-out for every catalogued mistake of one assignment, each with the seconds it took."""
    found = []
    for mistake in grader.catalogue.values():
        started = time.perf_counter()
        found.append(replace(leave_one_out(grader, mistake), seconds=time.perf_counter() - started))
    return found


def measure_slug(root: str, slug: str, secret: str) -> list[LeftOut]:
    """``measure`` for one assignment of the course in ``root`` (what a worker process runs)."""
    from grader.grading import AssignmentGrader, silenced
    from grader.spec import Course

    grader = AssignmentGrader.with_solutions(Course(Path(root)).assignment(slug), secret=secret)
    with silenced():
        return measure(grader)


def problems(rows: list[LeftOut]) -> list[str]:
    """A problem for every misnamed mistake (validate fails on a wrong name)."""
    return [f"{r.slug}: leave-one-out misnames mistake {r.mistake!r}: the student is told {', '.join(r.told)}"
            for r in rows if r.verdict == "misnamed"]


def summary(rows: list[LeftOut]) -> list[str]:
    """Per assignment: named, located and misnamed counts and rates; the misnamed ones listed."""
    lines = ["leave-one-out (each mistake diagnosed with itself removed from the catalogue):"]
    for slug in sorted({r.slug for r in rows}):
        mine = [r for r in rows if r.slug == slug and r.verdict != "uncaught"]
        n = len(mine) or 1
        count = {v: sum(1 for r in mine if r.verdict == v) for v in ("named", "located", "misnamed", "silent")}
        lines.append(f"  {slug:<11} named {count['named']}/{len(mine)} ({count['named'] / n:.0%}), named or located "
                     f"{count['named'] + count['located']}/{len(mine)} ({(count['named'] + count['located']) / n:.0%}), "
                     f"misnamed {count['misnamed']}, silent {count['silent']}")
    total = [r for r in rows if r.verdict != "uncaught"]
    n = len(total) or 1
    named = sum(1 for r in total if r.verdict == "named")
    either = named + sum(1 for r in total if r.verdict == "located")
    lines.append(f"  all         named {named}/{len(total)} ({named / n:.0%}), named or located {either}/{len(total)} "
                 f"({either / n:.0%}), misnamed {sum(1 for r in total if r.verdict == 'misnamed')} "
                 f"({sum(r.seconds for r in rows):.1f} s in process)")
    for r in rows:
        if r.verdict in ("misnamed", "silent"):
            lines.append(f"  {r.verdict}: {r.slug}/{r.mistake} told {', '.join(r.told) or 'nothing'}")
    return lines
