"""Check cells of the student notebooks: run a part's public cases on the functions defined in the kernel."""
from __future__ import annotations

import ast
import html
import inspect
import os
import sys
import textwrap
import types
from dataclasses import dataclass, replace
from typing import Any, Sequence

import jinja2

from grader.errors import GraderError, UsageError
from grader.scoring import AssignmentResult
from grader.spec import Assignment, Course, find_course
from grader.submissions import SubmittedFile

MAX_LITERAL_CHARS = 10_000
_NOTEBOOK_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "display"}


@dataclass(frozen=True)
class Collected:
    """The submission rebuilt from a namespace, and what the student should know about it."""

    source: str
    notes: list[str]


@dataclass
class InlineCheck:
    """The outcome of a check cell: the result (None when the check could not run), the text and the HTML."""

    text: str
    html: str
    result: AssignmentResult | None = None
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # what a terminal shows
        return self.text

    def _repr_html_(self) -> str:  # what Jupyter shows
        return self.html


# -- rebuilding the submission from the kernel's namespace ------------------------------------------
def _globals_used(fn: types.FunctionType, tree: ast.FunctionDef) -> set[str]:
    """Module-level names a function needs: those its code looks up globally, and its decorators' and defaults'."""
    names: set[str] = set()
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    in_source = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    at_definition = [*tree.decorator_list, *tree.args.defaults, *(d for d in tree.args.kw_defaults if d is not None)]
    evaluated = {n.id for node in at_definition for n in ast.walk(node) if isinstance(n, ast.Name)}
    return (names & in_source) | evaluated


def _function_source(name: str, fn: types.FunctionType) -> tuple[str, ast.FunctionDef]:
    """The text of a function as defined in its cell (OSError/SyntaxError/ValueError when unreadable)."""
    text = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(text)
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise ValueError("not a plain def")
    node = tree.body[0]
    if node.name != name:
        raise ValueError(f"defined as {node.name}")
    return text.rstrip() + "\n", node


def _literal(value: Any) -> str | None:
    """``repr(value)`` when it is a Python literal that reads back equal (what grading keeps as a constant)."""
    if isinstance(value, (type, types.ModuleType)) or callable(value):
        return None
    try:
        text = repr(value)
        if len(text) > MAX_LITERAL_CHARS:
            return None
        back = ast.literal_eval(text)
        return text if type(back) is type(value) and bool(back == value) else None
    except Exception:  # a hostile or odd __repr__ / __eq__: not a literal
        return None


def _import_line(name: str, value: Any) -> str | None:
    """An import statement that binds ``name`` to ``value``, or None."""
    if isinstance(value, types.ModuleType):
        module = value.__name__
        if sys.modules.get(module) is not value:
            return None
        return f"import {module}" if module == name else f"import {module} as {name}"
    module, attr = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if isinstance(module, str) and isinstance(attr, str) and module != "__main__":
        owner = sys.modules.get(module)
        if owner is not None and getattr(owner, attr, None) is value:
            return f"from {module} import {attr}" + ("" if attr == name else f" as {name}")
    return None


def _gather(namespace: dict, roots: Sequence[str], functions: Sequence[str]) -> tuple[dict, dict, dict, list[str]]:
    """Imports, literal constants and definitions ``roots`` need (recursively), and notes on what cannot be kept."""
    home = namespace.get("__name__", "__main__")
    imports: dict[str, str] = {}
    constants: dict[str, str] = {}
    defs: dict[str, str] = {}
    notes: list[str] = []
    pending = [name for name in roots if name in namespace]
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        value = namespace[name]
        if isinstance(value, type) and getattr(value, "__module__", None) == home:
            try:
                defs[name] = textwrap.dedent(inspect.getsource(value)).rstrip() + "\n"
            except (OSError, TypeError):
                notes.append(f"class {name}: its source cannot be read in this session, so the check runs without it "
                             "(grading your saved notebook keeps it)")
            continue
        if not isinstance(value, types.FunctionType) or value.__module__ != home:
            line = _import_line(name, value)
            if line is not None:
                imports[name] = line
            elif (text := _literal(value)) is not None:
                constants[name] = f"{name} = {text}"
            elif name in functions:
                notes.append(f"{name} is not a function defined in this notebook: write it with `def {name}(...)`")
            else:
                notes.append(f"your code uses {name!r}, which the notebook computes: when graded only imports, "
                             "definitions and NAME = literal constants are kept, so it will not exist")
            continue
        try:
            text, tree = _function_source(name, value)
        except (OSError, TypeError, SyntaxError, ValueError):
            notes.append(f"{name}: its source cannot be read; define it with a plain `def {name}(...)` in a code cell "
                         "(aliases such as `name = other_function` and lambdas are not kept when graded)")
            continue
        defs[name] = text
        for used in sorted(_globals_used(value, tree)):
            if used in namespace and used not in seen and used not in _NOTEBOOK_NAMES and not used.startswith("__"):
                pending.append(used)
    return imports, constants, defs, notes


def collect(namespace: dict, functions: Sequence[str], preamble: str = "", check: Sequence[str] = ()) -> Collected:
    """The module source grading would see for the assignment's ``functions`` defined in ``namespace``.

    Each function's text comes from its cell (inspect.getsource), with what it uses from the
    notebook: the functions and classes defined there (recursively), imports, and constants that
    are literals. Anything else it uses (a value an experiment computed) is not rebuilt, as in
    grading. ``check`` names the functions checked now: notes (a function not defined yet, a value
    that will not exist when graded) are about them and what they use.
    """
    imports, constants, defs, _ = _gather(namespace, [*functions, *check], functions)
    notes = [f"{name} is not defined in this notebook yet: run the cell that defines it first"
             for name in check if name not in namespace]
    notes += _gather(namespace, check, functions)[3]
    given = set(preamble.splitlines())
    head = [preamble.rstrip()] if preamble.strip() else []
    body = [line for line in (*imports.values(), *constants.values()) if line not in given]
    helpers = [text for name, text in defs.items() if name not in functions]
    mine = [text for name, text in defs.items() if name in functions]
    return Collected("\n".join(head + body) + "\n\n\n" + "\n\n".join(helpers[::-1] + mine), notes)


# -- running and showing -------------------------------------------------------------------------
def _course(course: Course | str | os.PathLike | None) -> Course:
    if isinstance(course, Course):
        return course
    return find_course(os.fspath(course) if course is not None else None)


def run_check(slug: str, namespace: dict, parts: Sequence[str] | None = None, *,
              course: Course | str | os.PathLike | None = None, isolation: str = "auto") -> InlineCheck:
    """Run the public cases of ``parts`` (default: all) on the functions defined in ``namespace``."""
    from grader.commands.check import check_submitted, render
    from grader.notebook_build import split_stub

    if not isinstance(namespace, dict):
        raise UsageError("pass the notebook's namespace: check_part(slug, part, globals())")
    assignment = _course(course).assignment(slug)
    chosen = [p for p in assignment.parts if parts is None or p.name in parts]
    if parts is not None:
        missing = [p for p in parts if p not in {c.name for c in chosen}]
        if missing:
            raise UsageError(f"{slug} has no part {missing[0]!r} (parts: {', '.join(p.name for p in assignment.parts)})")
    preamble = ""
    if assignment.template_path.is_file():
        preamble = split_stub(assignment.template_path.read_text(encoding="utf-8"), str(assignment.template_path)).preamble
    collected = collect(namespace, assignment.functions, preamble, [f for p in chosen for f in p.functions])
    label = f"{assignment.module}.py from this notebook"
    submitted = SubmittedFile(label, collected.source.encode("utf-8", "surrogatepass"))
    result, level = check_submitted(assignment, submitted, parts=parts, hide=[os.getcwd()], isolation=isolation)
    if parts is not None:
        result = replace(result, title=f"{assignment.title}: {', '.join(p.title for p in chosen)}")
    text = render(result, level)
    if collected.notes:
        text = "\n".join(["notes:", *(f"  - {n}" for n in collected.notes), "", text])
    return InlineCheck(text, _html(assignment, result, level, collected.notes), result, tuple(collected.notes))


_TEMPLATE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<div class="grader-check">
<p><strong>{{ title }}</strong> &ndash; public cases</p>
{% if notes %}<ul style="color:#8a5a00">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
{% if r.status != "graded" %}<p style="color:#a11">{{ r.message }}</p>{% endif %}
<table>
<tr><th style="text-align:left">case</th><th>points</th><th style="text-align:left">result</th><th style="text-align:left">reason</th></tr>
{% for c in r.cases %}
<tr>
<td style="text-align:left"><code>{{ c.name }}</code></td>
<td>{{ "%g" | format(c.points) }}/{{ "%g" | format(c.max_points) }}</td>
<td style="text-align:left;color:{{ colours.get(c.status, '#a11') }}">{{ marks.get(c.status, c.status) }}</td>
<td style="text-align:left">{% if c.status != "passed" %}{{ c.feedback }}
{% if c.hint %}<div style="background:#fff7e0">diagnosis: {{ c.hint }}</div>{% endif %}
{% if c.details %}<pre style="margin:0">{{ c.details | join("\n") }}</pre>{% endif %}{% endif %}</td>
</tr>
{% endfor %}
</table>
{% if r.skipped %}<p>Not run from your notebook:</p><ul>{% for s in r.skipped %}<li>{{ s }}</li>{% endfor %}</ul>{% endif %}
<p><strong>{{ score }}</strong><br>
Hidden cases with other inputs decide the final grade; passing these is necessary, not sufficient.<br>
<small>isolation: {{ level }}</small></p>
</div>
""")


def _html(assignment: Assignment, result: AssignmentResult, level: str, notes: Sequence[str]) -> str:
    from grader.reports.text import MARKS, score_line

    colours = {"passed": "#17612a", "partial": "#8a5a00", "not_implemented": "#555"}
    return _TEMPLATE.render(title=f"{result.title} ({assignment.slug})", notes=notes, r=result, marks=MARKS,
                            colours=colours, score=score_line(result, "public score"), level=level)


def _error(message: str) -> InlineCheck:
    text = f"grader: {message}"
    return InlineCheck(text, f'<p style="color:#a11">{html.escape(text)}</p>')


def _show(report: InlineCheck) -> None:
    """HTML in Jupyter, text in a terminal: IPython's display picks; plain Python prints the text."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(report)
    else:
        print(report.text)


def check_part(slug: str, part: str, namespace: dict, *, course: Course | str | os.PathLike | None = None,
               isolation: str = "auto") -> None:
    """Run one part's public cases on the notebook's functions and show the table (what a check cell calls)."""
    _show(_safely(slug, namespace, [part], course, isolation))


def check_all(slug: str, namespace: dict, *, course: Course | str | os.PathLike | None = None,
              isolation: str = "auto") -> None:
    """Run every public case of the assignment on the notebook's functions and show the table."""
    _show(_safely(slug, namespace, None, course, isolation))


def _safely(slug: str, namespace: dict, parts: Sequence[str] | None, course: Any, isolation: str) -> InlineCheck:
    """run_check, with the grader's own errors (no course folder, missing fixtures) as one line, not a traceback."""
    try:
        return run_check(slug, namespace, parts, course=course, isolation=isolation)
    except GraderError as exc:
        return _error(str(exc))
