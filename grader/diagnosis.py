"""Name the misconception behind a wrong answer: catalogued mistakes and common numeric signatures."""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping


from grader.checks import Tolerance, matches
from grader.diagnose.leaves import Context
from grader.diagnose.whole import structural
from grader.errors import SpecError


@dataclass(frozen=True)
class Mistake:
    """A catalogued misconception: the file holding only what differs from the reference."""

    id: str
    name: str
    hint: str
    path: Path

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Diagnosis:
    """What the feedback says a wrong output most likely comes from."""

    id: str
    name: str
    hint: str
    lead: str = ""  # e.g. "Your output is exactly what this mistake gives"

    @property
    def sentence(self) -> str:
        """What the student reads: the lead, the name of the misconception, and the hint."""
        named = f"{self.lead}: {self.name}" if self.lead else self.name
        return f"{named}. {self.hint}".strip()


def load_catalogue(folder: Path) -> list[Mistake]:
    """Every ``*.py`` in a mistakes folder; each must define MISTAKE and HINT string constants."""
    if not folder.is_dir():
        return []
    mistakes = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            raise SpecError(f"syntax error: {exc.msg} (line {exc.lineno})", path=str(path)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"cannot read as UTF-8 text: {exc}", path=str(path)) from exc
        constants = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    constants[node.targets[0].id] = node.value.value
        for key in ("MISTAKE", "HINT"):
            if key not in constants:
                raise SpecError(f"a mistake file must define {key} = '...'", path=str(path))
        mistakes.append(Mistake(path.stem, constants["MISTAKE"], constants["HINT"], path))
    return mistakes


@functools.lru_cache(maxsize=256)
def call_graph(source: str) -> Mapping[str, frozenset[str]]:
    """For each top-level function of ``source``, the names its body uses (a static call graph).

    Parsed once per source (a catalogue's mistakes are asked about again and again), so read-only.
    """
    graph: dict[str, frozenset[str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            graph[node.name] = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return MappingProxyType(graph)


def reachable(graph: Mapping[str, frozenset[str] | set[str]], roots: set[str]) -> set[str]:
    """Functions reachable from ``roots`` through ``graph``."""
    seen: set[str] = set()
    todo = [r for r in roots if r in graph]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(n for n in graph.get(name, ()) if n in graph and n not in seen)
    return seen


def affects(reference_graph: Mapping[str, frozenset[str]], mistake_source: str, roots: set[str]) -> bool:
    """Whether a mistake overrides a function that a probe entering at ``roots`` can reach.

    ``reference_graph`` is :func:`call_graph` of the reference. A mistake that cannot be reached
    gives the reference's output, so running it is wasted work.
    """
    overrides = call_graph(mistake_source)
    graph = {**reference_graph, **overrides}
    return bool(reachable(graph, roots) & set(overrides))


def matching_mistakes(got: Any, expected: Any, outputs: dict[str, Any], catalogue: dict[str, Mistake], tol: Tolerance) -> list[Diagnosis]:
    """Every catalogued mistake whose output on the same inputs the student reproduced."""
    found = []
    for mistake_id, output in outputs.items():
        mistake = catalogue.get(mistake_id)
        if mistake is None or matches(output, expected, tol):
            continue
        if matches(got, output, tol):
            found.append(mistake_diagnosis(mistake))
    return found


def mistake_diagnosis(mistake: Mistake, lead: str = "Your output is exactly what this mistake gives") -> Diagnosis:
    """The diagnosis naming a catalogued mistake."""
    return Diagnosis(mistake.id, mistake.name, mistake.hint, lead)


def prefer_consistent(per_case: list[list[Diagnosis]], contradictions: Callable[[str], int] | None = None) -> list[Diagnosis | None]:
    """One diagnosis per case: among a case's candidates, the mistake that best explains the student.

    Two mistakes can give the same output on one input (sgn(0) = +1 and np.sign agree away from
    the boundary). The likelier one explains more of the student's wrong cases and, when
    ``contradictions`` is given (how many of the student's PASSED cases a mistake would have
    failed), is contradicted by fewer of the cases the student got right.
    """
    counts: dict[str, int] = {}
    for candidates in per_case:
        for d in {c.id: c for c in candidates}.values():
            counts[d.id] = counts.get(d.id, 0) + 1
    penalty: dict[str, int] = {}

    def score(d: Diagnosis, tied: bool) -> tuple[int, int]:
        if tied and contradictions is not None and d.id not in penalty:
            penalty[d.id] = contradictions(d.id)
        return counts[d.id], -penalty.get(d.id, 0)

    chosen = []
    for candidates in per_case:
        if not candidates:
            chosen.append(None)
            continue
        best = max(counts[c.id] for c in candidates)
        tied = sum(1 for c in candidates if counts[c.id] == best) > 1
        chosen.append(max(candidates, key=lambda d: score(d, tied)))
    return chosen


def numeric_signature(got: Any, expected: Any, tol: Tolerance, factor_meanings: dict | None = None) -> Diagnosis | None:
    """A structural rule that recognises the wrong output (x2, x-1, transposed, shifted, ...); see grader.diagnose.rules."""
    found = structural(got, expected, Context(tol, factor_meanings or {}))
    return None if found is None else Diagnosis(found.id, found.name, found.hint)


def diagnose(got: Any, expected: Any, tol: Tolerance, outputs: dict[str, Any], catalogue: dict[str, Mistake],
             factor_meanings: dict | None = None) -> list[Diagnosis]:
    """Candidate diagnoses: the catalogued mistakes reproduced, else a structural rule, else none."""
    found = matching_mistakes(got, expected, outputs, catalogue, tol)
    if found:
        return found
    signature = numeric_signature(got, expected, tol, factor_meanings)
    return [signature] if signature else []
