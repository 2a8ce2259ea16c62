"""Localise before naming: which building block of a failed composite case disagrees, on which call, in which component.

For a failed case whose function is built from other student functions (mlp_backward from
dense_backward and activation_backward, rnn_forward from rnn_step_forward, train from everything),
the reference is run once more with its student-facing functions wrapped, recording every call a
building block receives and returns. The student's own building blocks are then run on exactly those
inputs, in the sandbox, through its ordinary interface, and compared with the recorded outputs. The
first call that disagrees (the innermost one, in call order) is where the student should look; when
every building block agrees, the error is in the case's own function.

A catalogued mistake reproduced on a case whose building block disagrees is only "consistent with"
that mistake: the localisation is reported first, since the wrong building block is the certain part.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from grader.cases import Probe
from grader.checks import matches
from grader.diagnose.calls import (MAX_CALLS, Call, building_blocks, can_localise, case_calls, kept_for,
                                  mistake_functions, public_reach)
from grader.diagnose.leaves import Context, differing
from grader.diagnose.whole import IN_PLACE, with_inputs
from grader.sandbox import ChildCase
from grader.sandbox.channel import encode

MAX_RUNS = 400  # building-block calls run in the sandbox per grading (a slow submission must not hold the batch)
FIRST_CALLS = 16  # calls of each case in the first sandbox job (index below this); the rest only if needed
CONSISTENT = "Consistent with this mistake"
EXACT = "Your output is exactly what this mistake gives"

@dataclass(frozen=True)
class Localisation:
    """Where a failed case goes wrong: the functions to look at and a sentence saying why."""

    functions: tuple[str, ...]
    sentence: str
    block: bool  # True: a building block disagrees; False: the blocks agree, the case's own function is wrong


def localise_cases(grader, sandbox, source: str, filename: str, failed: list, failing_own: dict | None = None) -> dict[str, Localisation]:
    """For each failed composite case (a PreparedCase), where it goes wrong.

    The recorded calls run in the sandbox in at most two jobs: first each case's earliest FIRST_CALLS
    calls, which usually hold the first wrong call and everything inside it; then, of the later
    calls, those the answer still depends on (see _still_needed): the rest of the first wrong call,
    or everything when none was wrong yet. The answer is the one a single run of every call gives;
    a long training run whose first step is already wrong no longer sends hundreds of calls.
    """
    traced: dict[str, tuple[Any, tuple[str, ...], list[Call]]] = {}
    sent: list[tuple[Any, Call]] = []  # (case, call) of each call the budget allows, in order
    # public cases first: the budget of runs then covers them as in `grader check`, which has only those
    for case in sorted(failed, key=lambda c: not c.spec.public):
        blocks = building_blocks(grader, case.probe)
        if not blocks:
            continue
        calls = case_calls(grader, case, blocks)
        traced[case.spec.name] = (case, blocks, calls)
        for call in calls:
            if not call.usable or len(sent) >= MAX_RUNS:
                continue
            sent.append((case, call))
    if not traced:
        return {}
    reach = public_reach(grader) or {}
    below = {b: set(reach.get(b, ())) - {b} for _, blocks, _ in traced.values() for b in blocks}
    limits = grader.assignment.limits.for_child()  # the grading's own: its session's child takes the runs

    def run(pairs: list[tuple[Any, Call]]) -> dict:
        if not pairs:
            return {}
        child_cases = [ChildCase(f"{case.spec.name}#{call.index}", _call_probe(grader, case, call), case.spec.time_seconds)
                       for case, call in pairs]  # encoded only when sent: most later calls never are
        return {o.case: o for o in sandbox.run(source, filename, grader.assignment.module, child_cases, limits)}

    outcomes = run([(case, call) for case, call in sent if call.index < FIRST_CALLS])
    if not any(o.status == "timeout" for o in outcomes.values()):  # code that loops is not given a second job
        needed = {name: _still_needed(case, calls, outcomes) for name, (case, _, calls) in traced.items()}
        outcomes.update(run([(case, call) for case, call in sent if call.index in needed[case.spec.name]]))
    found = {}
    for name, (case, blocks, calls) in traced.items():
        found[name] = _locate(case, blocks, calls, outcomes, failing_own or {}, below)
    return found


def _still_needed(case, calls: list[Call], outcomes: dict) -> set[int]:
    """The calls after the first round whose outcomes can still change where ``case`` goes wrong (the
    answer all of them would give).

    When the first round found the first wrong call in call order, _locate looks no further than it
    and the calls it contains (a contiguous stretch: a call's index is taken when it starts), so only
    those of them left to the second round are needed; none when it has none. Otherwise every later
    call may hold the first wrong one.
    """
    ordered = sorted(calls, key=lambda c: c.index)
    first = next((c for c in ordered if c.index < FIRST_CALLS
                  and _disagrees(case, c, outcomes.get(f"{case.spec.name}#{c.index}"))), None)
    if first is None:
        return {c.index for c in ordered if c.index >= FIRST_CALLS}
    inside = {first.index}
    for call in ordered:  # a call's parent comes before it
        if call.parent in inside:
            inside.add(call.index)
    return {index for index in inside if index >= FIRST_CALLS}


def _call_probe(grader, case, call: Call) -> dict:
    """A recorded call as the child reads it; a public case's are encoded once per grader."""
    if not case.spec.public:
        return _encoded(Probe(call=call.function, args=call.args, kwargs=call.kwargs))
    kept = kept_for(grader).setdefault("public probes", {})
    key = (case.spec.name, call.index, id(call))  # the same Call object: the same recorded inputs
    if key not in kept:
        kept[key] = (call, _encoded(Probe(call=call.function, args=call.args, kwargs=call.kwargs)))
    return kept[key][1]


def _locate(case, blocks: tuple[str, ...], calls: list[Call], outcomes: dict, failing_own: dict,
            below: dict[str, set[str]]) -> Localisation | None:
    own = ", ".join(sorted(case.probe.entry_points()))
    by_index = {c.index: c for c in calls}
    checked: dict[int, bool] = {}

    def wrong(index: int) -> bool:  # compared only when the answer matters: up to the first wrong call and inside it
        if index not in checked:
            checked[index] = _disagrees(case, by_index[index], outcomes.get(f"{case.spec.name}#{index}"))
        return checked[index]

    first = next((c.index for c in sorted(calls, key=lambda c: c.index) if wrong(c.index)), None)
    if first is None:
        unchecked = list(dict.fromkeys(c.function for c in calls  # e.g. given a random Generator, or over budget
                                       if outcomes.get(f"{case.spec.name}#{c.index}") is None))
        failing = [name for name in blocks if failing_own.get(name)]
        lowest = [name for name in failing if not (below.get(name, set()) & set(failing))]
        for name in unchecked:
            if failing_own.get(name):
                name = next((low for low in lowest if low == name or low in below.get(name, set())), name)
                return Localisation((name,), f"Localised: your {name} fails its own case {failing_own[name]}, and this "
                                    f"case uses it: fix {name} first.", block=True)
        if not calls or len(calls) >= MAX_CALLS or any(name not in failing_own for name in unchecked):
            return None  # a block that could neither be checked here nor has cases of its own: claim nothing
        names = ", ".join(blocks)
        return Localisation(tuple(sorted(case.probe.entry_points())),
                            f"Your building blocks ({names}) give the right results on this case's intermediate inputs: "
                            f"the error is in {own} itself.", block=False)
    # the innermost disagreeing call, in call order: descend from the first wrong call into its first wrong child
    children: dict[int, list[int]] = {c.index: [] for c in calls}
    for d in calls:  # in call order, so each list is too
        if d.parent in children:
            children[d.parent].append(d.index)
    while True:
        inner = next((i for i in children.get(first, []) if wrong(i)), None)
        if inner is None:
            break
        first = inner
    if any(outcomes.get(f"{case.spec.name}#{i}") is None for i in children.get(first, [])):
        return None  # a call inside it was not checked: the wrong one may be further in
    call = calls[first]
    total = sum(1 for c in calls if c.function == call.function)
    which = "" if total == 1 else f" (call {call.nth} of {total}{', time step t = ' + str(call.nth - 1) if 'step' in call.function else ''})"
    return Localisation((call.function,),
                        f"Localised: on this case's intermediate inputs your {call.function}{which} "
                        f"{_disagreement(case, call, outcomes[f'{case.spec.name}#{first}'])}, "
                        f"so {own} goes wrong there: fix {call.function} first.", block=True)


def _disagrees(case, call: Call, outcome) -> bool:
    """Whether the student's run of a recorded call (None: not run) disagrees with the reference's."""
    if outcome is None:
        return False
    return bool(outcome.mutations) or outcome.status != "ok" or not matches(outcome.value, call.output, case.spec.tolerance)


def _disagreement(case, call: Call, outcome) -> str:
    """How the student's run of a recorded call disagrees, in words."""
    if outcome.mutations:
        return f"modifies its argument '{outcome.mutations[0].get('argument', '?')}' in place"
    if outcome.status != "ok":
        return f"raises {outcome.error_type or outcome.status}" + (f" ({outcome.message[:120]})" if outcome.message else "")
    parts = [p for p, _, _ in differing(outcome.value, call.output, case.spec.tolerance)]
    return "differs" + ("" if parts == ["output"] else f" in {', '.join(parts[:6])}")


def _encoded(probe: Probe) -> dict:
    """A call probe as the child reads it."""
    return {**probe.describe(), "args": encode(list(probe.args), inline_bytes=True),
            "kwargs": encode(dict(probe.kwargs), inline_bytes=True)}


def explain(grader, sandbox, source: str, filename: str, cases: list, outcomes: list, results: tuple) -> tuple:
    """The case results with the case's description, every wrong component and a localisation added to the failed ones.

    ``cases`` and ``outcomes`` are in the order of ``results``. Passed cases are never touched, so a
    correct submission never gets a diagnosis.
    """
    failed = [case for case, r in zip(cases, results) if r.status in ("failed", "partial") and r.max_points > 0]
    own: dict[str, str] = {}  # function -> a failed case of its own ("" when all its own cases pass)
    for case, r in zip(cases, results):
        entry = case.probe.entry_points()
        if len(entry) == 1:
            (name,) = entry
            own[name] = own.get(name) or ("" if r.status == "passed" else case.spec.name)
    known = can_localise(grader)
    located = localise_cases(grader, sandbox, source, filename, failed, own) if failed and known else {}
    out = []
    for case, outcome, result in zip(cases, outcomes, results):
        if result.status == "passed":
            out.append(result)
            continue
        if outcome.mutations and grader.assignment.check_mutation and not result.diagnosis:
            result = replace(result, diagnosis=IN_PLACE.id, diagnosis_name=IN_PLACE.name, hint=f"{IN_PLACE.name}. {IN_PLACE.hint}")
        if outcome.status == "ok" and not result.diagnosis and result.status in ("failed", "partial"):
            found = with_inputs(outcome.value, case.expected, case.probe.args, Context(case.spec.tolerance))
            if found is not None:
                result = replace(result, diagnosis=found.id, diagnosis_name=found.name, hint=f"{found.name}. {found.hint}")
        details = list(result.details)
        if case.spec.description and not any(d.startswith("case: ") for d in details):
            details.insert(0, f"case: {case.spec.description}")
        if outcome.status == "ok" and isinstance(case.expected, (tuple, list, dict)):
            parts = [p for p, _, _ in differing(outcome.value, case.expected, case.spec.tolerance)]
            if parts and parts != ["output"]:
                details.append(f"wrong components: {', '.join(parts[:12])}" + (f" (+{len(parts) - 12})" if len(parts) > 12 else ""))
        where = located.get(case.spec.name)
        if where is None:  # a case of one function names it; a composite case that could not be localised names none
            composite = not known or case.spec.name in located or building_blocks(grader, case.probe)
            own = "" if composite else ", ".join(sorted(case.probe.entry_points()))  # without solutions: unknown
            out.append(replace(result, details=tuple(details), located=own))
            continue
        hint, lead, named, name = result.hint, where.sentence, result.diagnosis, result.diagnosis_name
        mistake = grader.catalogue.get(named)
        if mistake is not None:
            if not set(where.functions) & mistake_functions(grader, mistake):
                hint, named, name = "", "", ""  # the localisation is certain; a mistake elsewhere matched by coincidence
            elif where.block and hint.startswith(EXACT):
                hint = CONSISTENT + hint[len(EXACT):]  # upstream is wrong: "exactly" would overstate it
        out.append(replace(result, details=tuple(details), hint=f"{lead} {hint}".strip(), diagnosis=named,
                           diagnosis_name=name, located=", ".join(where.functions)))
    return tuple(out)
