"""Extract a submission's definitions from a Jupyter notebook without running its experiments."""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass

import nbformat

from grader.errors import SubmissionError

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Imported only to show things in Jupyter; the experiments that use them are never run when grading.
DISPLAY_ONLY = {"matplotlib", "seaborn", "plotly", "IPython", "ipywidgets", "tqdm", "pandas", "PIL"}


@dataclass(frozen=True)
class ExtractedCode:
    """The code that counts, and a line per thing that was skipped."""

    source: str
    skipped: tuple[str, ...]


def _simple_assignment(node: ast.stmt) -> bool:
    """``NAME = literal`` (constants such as a vocabulary): kept; anything computed is not."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if all(isinstance(t, ast.Name) for t in targets):
            try:
                ast.literal_eval(node.value)
                return True
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return False
    return False


def _grader_import(node: ast.stmt) -> bool:
    """``from grader... import ...`` or ``import grader...``: the check cells' imports, not the student's code."""
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] == "grader"
    return isinstance(node, ast.Import) and all(a.name.split(".")[0] == "grader" for a in node.names)


def _display_import(node: ast.stmt) -> str | None:
    """The module of an import that only serves display (plots, widgets, progress bars), else None."""
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        names = [node.module or ""]
    elif isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        return None
    roots = {n.split(".")[0] for n in names}
    return sorted(roots)[0] if roots and roots <= DISPLAY_ONLY else None


def _check_call(node: ast.stmt, names: set[str]) -> bool:
    """A bare call of something imported from the grader (``check_part(...)``, ``grader.inline.check_all(...)``)."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in names


def _strip_ipython(source: str) -> tuple[str, list[str]]:
    """Blank out magics (``%``, ``%%``) and shell lines (``!``); report them."""
    kept, dropped = [], []
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"cell magic {lines[0].strip()[:40]!r} (the whole cell)"]
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            kind = "shell command" if stripped.startswith("!") else "magic"
            dropped.append(f"line {number}: {kind} {stripped[:40]!r}")
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), dropped


def extract_code(raw: bytes, name: str) -> ExtractedCode:
    """Definitions from the code cells of a notebook's bytes.

    Only imports, function and class definitions and ``NAME = literal`` assignments count; every
    other statement (training runs, plots, prints) is skipped and listed, so grading a notebook
    never runs the student's experiments. A cell with a syntax error is skipped whole. The
    generated notebook's check cells (imports from ``grader`` and calls of what they import) are
    left out without a mention: they are not the student's code.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError("not a notebook: the file is not UTF-8 text", path=name) from exc
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SubmissionError("not a Jupyter notebook: the file is not JSON (save it from Jupyter, or hand in a .py file)",
                              path=name) from exc
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise SubmissionError("not a Jupyter notebook: the JSON has no 'nbformat' version (is this really a notebook?)",
                              path=name)
    try:
        nb = nbformat.reads(text, as_version=4)
        # numbered among code cells only, as a student counts the cells they wrote code in
        sources = list(enumerate((cell.get("source", "") for cell in nb.get("cells", [])
                                  if isinstance(cell, dict) and cell.get("cell_type") == "code"), start=1))
        if not all(isinstance(source, str) for _, source in sources):
            raise TypeError("a code cell's source is not text")
    except Exception as exc:  # nbformat raises several kinds for corrupt or unsupported notebooks
        raise SubmissionError(f"not a valid Jupyter notebook ({type(exc).__name__}: {str(exc)[:150]})", path=name) from exc
    pieces: list[str] = []
    skipped: list[str] = []
    check_names: set[str] = set()  # names imported from the grader: the notebook's own check cells
    for index, cell_source in sources:
        source, magics = _strip_ipython(cell_source)
        skipped.extend(f"code cell {index}, {m}: not run" if m.startswith("line") else f"code cell {index}: {m} not run"
                       for m in magics)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as exc:  # ValueError: null bytes on older Pythons
            first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:50]
            where = f" on line {exc.lineno}" if getattr(exc, "lineno", None) else ""
            skipped.append(f"code cell {index} ({first!r}): syntax error{where}: {getattr(exc, 'msg', exc)} (the whole cell was skipped)")
            continue
        lines = source.splitlines(keepends=True)
        for node in tree.body:
            segment = "".join(lines[(node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1:node.end_lineno])
            if _grader_import(node):
                check_names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
            elif _check_call(node, check_names):
                continue
            elif _display_import(node):
                skipped.append(f"code cell {index}, line {node.lineno}: import of {_display_import(node)} not run "
                               "(display only; graded functions must not need it)")
            elif isinstance(node, KEPT) or _simple_assignment(node):
                pieces.append(segment.rstrip() + "\n")
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a bare string or number: nothing to run
            else:
                first = lines[node.lineno - 1].strip()[:60]
                skipped.append(f"code cell {index}, line {node.lineno}: not run ({first!r})")
    return ExtractedCode("\n".join(pieces), tuple(skipped))
