"""The "no input modified" check, decided in the trusted process from values the child sends back."""
from __future__ import annotations

from typing import Any


from grader.sandbox.sameness import UNCHANGED, first_difference, settle  # noqa: F401 - re-exported


def mutations_found(call: str | None, args: tuple, kwargs: dict, outcome_inputs: Any, reported: tuple) -> list[dict]:
    """The inputs a run modified: the child's reports confirmed by their values, plus every argument
    the run left different from the parent's own copy.

    ``reported`` are the child's records ({function, argument, where[, before, after]}); a record
    with values counts only if the values really differ (a claim without values can only cost its
    sender, so it counts). ``outcome_inputs`` is [args, kwargs] as the run left them; None means
    the child did not send them although asked, which counts as a modification.
    """
    found = []
    for record in reported:
        if "before" in record and "after" in record and first_difference(record["before"], record["after"]) is None:
            continue
        found.append({k: record[k] for k in ("function", "argument", "where") if k in record})
    if outcome_inputs is None:
        return found or [{"function": call or "your code", "argument": "its inputs",
                          "where": "the run did not report its inputs back"}]
    after_args, after_kwargs = outcome_inputs
    named = {m["argument"] for m in found}
    changed = []
    if len(after_args) != len(args) or set(after_kwargs) != set(kwargs):
        changed.append(("its inputs", "the argument list"))
    else:
        for i, (b, a) in enumerate(zip(args, after_args)):
            where = first_difference(b, a)
            if where:
                changed.append((f"#{i + 1}", where))
        for k in kwargs:
            where = first_difference(kwargs[k], after_kwargs[k])
            if where:
                changed.append((k, where))
    if changed and not found:  # the child named nobody: name the argument ourselves
        found.extend({"function": call or "your code", "argument": name, "where": where}
                     for name, where in changed if name not in named)
    return found
