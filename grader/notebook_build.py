"""Generate each assignment's student notebook: the handout, one stub cell per function, a check cell per part."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
from nbformat import v4

from grader.errors import SpecError
from grader.spec import Assignment, Course
from grader.stubs import stub_for

HANDOUT = "handout.md.j2"
MARKER = re.compile(r"^<!--\s*part:\s*([A-Za-z_][A-Za-z0-9_]*)\s*-->[ \t]*$", re.MULTILINE)
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

HOW_TO = """\
## How to work in this notebook

- Write each function in its own cell, below its specification. Keep the `def` line as it is:
  the grader calls your functions by these names and arguments.
- After each part, run its **check cell**: it runs that part's public cases on the functions you have
  defined in this notebook, in the same sandbox as `grader check`, and shows a table of results.
  Run your function cells first (or *Run All*). The check cells need the `grader` package in
  this kernel's Python and the course folder: start Jupyter inside the course repository, where
  this notebook was handed out.
- Experiment freely in extra cells. When the notebook is graded, only `import` lines, function and
  class definitions and simple constants (`NAME = literal`) are used; everything else (training
  runs, plots, prints, `%magics`, `!shell` lines) is skipped and listed in your feedback. So a
  function must not rely on a variable your experiments computed.
- Hidden cases with other inputs (different for every student) decide the grade: passing the public
  cases is necessary, not sufficient.
"""

SUBMIT = """\
## Before you submit

Restart the kernel and run every cell (*Kernel > Restart & Run All*), then run the cell below: it
runs all the public cases at once. You can also check the saved notebook from a terminal with
`grader check {slug} --path {module}.ipynb`, or run the public cases as pytest items with
`pytest --grader-check {slug} {module}.ipynb`.
"""


@dataclass(frozen=True)
class StubParts:
    """The generated stub, cut into what the notebook's code cells hold."""

    preamble: str  # imports, then constants
    functions: dict[str, str]  # name -> its stub (signature, docstring, raise)
    docstring: str


def split_stub(stub: str, path: str = "<stub>") -> StubParts:
    """Cut a stub module's text into its imports and constants, and one text per function."""
    try:
        tree = ast.parse(stub)
    except SyntaxError as exc:
        raise SpecError(f"the generated stub does not parse: {exc.msg} (line {exc.lineno})", path=path) from exc
    lines = stub.splitlines(keepends=True)
    imports: list[str] = []
    constants: list[str] = []
    functions: dict[str, str] = {}
    for node in tree.body:
        first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        segment = "".join(lines[first - 1:node.end_lineno]).rstrip() + "\n"
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = segment
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(segment)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            constants.append(segment)
    preamble = "\n".join("".join(block) for block in (imports, constants) if block)
    return StubParts(preamble, functions, ast.get_docstring(tree) or "")


def render_handout(assignment: Assignment) -> str:
    """The handout's markdown: assignments/<slug>/handout.md.j2 rendered, or a plain one from the manifest."""
    path = assignment.folder / HANDOUT
    if not path.is_file():
        return _fallback_handout(assignment)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    try:
        template = env.from_string(path.read_text(encoding="utf-8"))
        return template.render(
            title=assignment.title, description=assignment.description, slug=assignment.slug,
            module=assignment.module, parts=assignment.parts, max_points=assignment.max_points,
        )
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise SpecError(f"cannot render the handout: {exc}" + (f" (line {line})" if line else ""), path=str(path)) from exc
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", path=str(path)) from exc


def _fallback_handout(assignment: Assignment) -> str:
    intro = [f"# {assignment.title}", ""]
    if assignment.description:
        intro += [assignment.description.strip(), ""]
    intro.append(f"{assignment.max_points:g} points in all.")
    sections = [f"<!-- part: {p.name} -->\n## {p.title}\n" for p in assignment.parts]
    return "\n".join(intro) + "\n\n" + "\n".join(sections)


def split_handout(markdown: str, assignment: Assignment) -> tuple[str, dict[str, str]]:
    """The introduction and each part's section, cut at ``<!-- part: NAME -->`` lines."""
    where = str(assignment.folder / HANDOUT)
    known = {p.name for p in assignment.parts}
    matches = list(MARKER.finditer(markdown))
    intro = markdown[:matches[0].start()] if matches else markdown
    sections: dict[str, str] = {}
    for i, match in enumerate(matches):
        name = match.group(1)
        if name not in known:
            raise SpecError(f"section marker for unknown part {name!r} (parts: {', '.join(sorted(known))})", path=where)
        if name in sections:
            raise SpecError(f"two section markers for part {name!r}", path=where)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
        sections[name] = markdown[match.end():end].strip("\n")
    return intro.strip("\n"), sections


def check_cell_source(slug: str, part: str | None) -> str:
    """The code of a check cell (one part, or every part when ``part`` is None)."""
    if part is None:
        return ("# All the public cases at once (hidden cases decide the grade).\n"
                "from grader.inline import check_all\n"
                f"check_all(\"{slug}\", globals())\n")
    return ("# The public cases of this part, run in the grader's sandbox (hidden cases decide the grade).\n"
            "from grader.inline import check_part\n"
            f"check_part(\"{slug}\", \"{part}\", globals())\n")


def build_notebook(assignment: Assignment, stub: str) -> nbformat.NotebookNode:
    """The student notebook of an assignment, from its handout and its generated stub."""
    slug = assignment.slug
    pieces = split_stub(stub, str(assignment.template_path))
    listed = [f for p in assignment.parts for f in p.functions]
    missing = [f for f in listed if f not in pieces.functions]
    if missing:
        raise SpecError(f"parts list functions the reference does not define (publicly): {', '.join(missing)}",
                        path=str(assignment.folder / "assignment.yaml"))
    intro, sections = split_handout(render_handout(assignment), assignment)
    if not (assignment.folder / HANDOUT).is_file() and pieces.docstring:
        intro += "\n\n" + pieces.docstring
    cells: list[nbformat.NotebookNode] = []

    def add(kind: str, source: str, role: str, **meta: str) -> None:
        make = v4.new_markdown_cell if kind == "markdown" else v4.new_code_cell
        cell = make(source.rstrip("\n"), id=f"{slug}-{len(cells)}"[:64])
        cell.metadata["grader"] = {"role": role, **meta}
        cells.append(cell)

    add("markdown", intro, "handout")
    add("markdown", HOW_TO, "instructions")
    if pieces.preamble:
        add("code", pieces.preamble, "imports")
    for name, text in pieces.functions.items():  # public functions no part lists: still the student's to write
        if name not in listed:
            add("code", text, "function", function=name)
    for part in assignment.parts:
        add("markdown", sections.get(part.name) or f"## {part.title}", "handout", part=part.name)
        for name in part.functions:
            add("code", pieces.functions[name], "function", part=part.name, function=name)
        add("code", check_cell_source(slug, part.name), "check", part=part.name)
    add("markdown", SUBMIT.format(slug=slug, module=assignment.module), "instructions")
    add("code", check_cell_source(slug, None), "check")
    nb = v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise SpecError(f"the generated notebook is invalid: {str(exc).splitlines()[0]}", path=str(assignment.folder)) from exc
    return nb


def notebook_text(assignment: Assignment) -> str:
    """The notebook file's text as `grader build` writes it (deterministic, no outputs)."""
    stub = stub_for(assignment.solution_path, assignment.module)
    return nbformat.writes(build_notebook(assignment, stub)) + "\n"


def notebook_files(course: Course, assignment: Assignment) -> dict[Path, str]:
    """The files `grader build` writes for an assignment's notebook, by path."""
    return {course.template_dir / f"{assignment.module}.ipynb": notebook_text(assignment)}
