"""Extract a submission's definitions from a Jupyter notebook without running its experiments."""
from __future__ import annotations

import ast
from dataclasses import dataclass

import nbformat

from grader.errors import SubmissionError

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


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


def _strip_ipython(source: str) -> tuple[str, list[str]]:
    """Blank out magics (``%``, ``%%``) and shell lines (``!``); report them."""
    kept, dropped = [], []
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"cell magic {lines[0].strip()[:40]!r}"]
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            dropped.append(f"{stripped[:40]!r}")
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), dropped


def extract_code(raw: bytes, name: str) -> ExtractedCode:
    """Definitions from the code cells of a notebook's bytes.

    Only imports, function and class definitions and ``NAME = literal`` assignments count; every
    other statement (training runs, plots, prints) is skipped and listed, so grading a notebook
    never runs the student's experiments. A cell with a syntax error is skipped whole.
    """
    try:
        nb = nbformat.reads(raw.decode("utf-8-sig"), as_version=4)
    except UnicodeDecodeError as exc:
        raise SubmissionError("not a notebook: the file is not UTF-8 text", path=name) from exc
    except Exception as exc:  # nbformat raises several kinds for non-notebooks and corrupt JSON
        raise SubmissionError(f"not a valid Jupyter notebook ({type(exc).__name__}: {str(exc)[:150]})", path=name) from exc
    pieces: list[str] = []
    skipped: list[str] = []
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source, magics = _strip_ipython(cell.get("source", ""))
        skipped.extend(f"cell {index}: IPython line {m} not run" for m in magics)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            skipped.append(f"cell {index}: syntax error on line {exc.lineno}: {exc.msg} (the whole cell was skipped)")
            continue
        lines = source.splitlines(keepends=True)
        for node in tree.body:
            segment = "".join(lines[(node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1:node.end_lineno])
            if isinstance(node, KEPT) or _simple_assignment(node):
                pieces.append(segment.rstrip() + "\n")
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a bare string or number: nothing to run
            else:
                first = lines[node.lineno - 1].strip()[:60]
                skipped.append(f"cell {index}, line {node.lineno}: not run ({first!r})")
    return ExtractedCode("\n".join(pieces), tuple(skipped))
