"""Run attack jobs through the real Sandbox and print what happened as JSON (used as root and as a TA).

Usage: python isolation_probe.py PLAN.json. The plan lists runs ({"source", "cases": [[name, function,
args, seconds], ...]}) made one after the other in one sandbox, and optionally "parallel": two runs
made at the same time in two sandboxes (a CPU hog next to an honest student).
"""
from __future__ import annotations

import json
import os
import sys
import threading

from grader.sandbox import ChildCase, Sandbox
from grader.sandbox.channel import encode

LIMITS = {"memory_mb": 256, "file_size_mb": 1, "processes": 8}


def _cases(spec: list) -> list[ChildCase]:
    return [ChildCase(name, {"call": fn, "args": encode(list(args)), "kwargs": encode({})}, seconds)
            for name, fn, args, seconds in spec]


def _plain(outcome) -> dict:
    value = outcome.value
    return {"case": outcome.case, "status": outcome.status, "error_type": outcome.error_type,
            "message": outcome.message, "value": value if isinstance(value, (int, float, str, list, dict, type(None))) else repr(value)}


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def main(plan_path: str) -> None:
    with open(plan_path) as handle:
        plan = json.load(handle)
    report: dict = {"runs": [], "uid": os.getuid()}
    with Sandbox() as box:
        report["level"] = box.level
        report["idle_processes"] = len(_descendants(os.getpid()))
        for run in plan.get("runs", []):
            outcomes = box.run(run["source"], "<student.py>", "student", _cases(run["cases"]), LIMITS)
            report["runs"].append([_plain(o) for o in outcomes])
            report.setdefault("processes_after", []).append(len(_descendants(os.getpid())))
    if plan.get("parallel"):
        results: dict = {}

        def grade(name: str, run: dict) -> None:
            with Sandbox() as other:
                results[name] = [_plain(o) for o in other.run(run["source"], "<s.py>", "s", _cases(run["cases"]), LIMITS)]

        threads = [threading.Thread(target=grade, args=item) for item in plan["parallel"].items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report["parallel"] = results
    report["left_behind"] = len(_descendants(os.getpid()))
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
