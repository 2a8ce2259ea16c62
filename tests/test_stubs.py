"""grader.stubs: the student stub keeps the spec (docstrings, signatures, constants) and none of the solution."""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.spec import import_file
from grader.stubs import HEADER, make_stub, stub_for

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((REPO / "solutions").glob("*.py"))

REFERENCE = textwrap.dedent('''
    """The module docstring: what the assignment is."""
    from __future__ import annotations

    import numpy as np
    from math import pi as PI

    EPS = 1e-8
    NAMES = ("relu", "tanh")
    SHAPE: tuple = (2, 3)
    _SECRET_SCALE = 0.5
    TABLE = np.arange(3)


    def _helper(x):
        return x * _SECRET_SCALE


    def public(x, y=EPS):
        """Add y to half of x.

        Args:
            x: ndarray.
        """
        z = _helper(x)  # the private helper halves it
        return z + y


    def multi_line(
        a,
        b: int = 3,
        *args,
        key=None,
        **kwargs,
    ) -> float:
        """A signature over several lines."""
        total = float(a) + b
        return total


    def no_docstring(x):
        # subtract one: the secret of this function
        shifted = x - 1
        return shifted


    print("training the reference...")
    for step in range(3):
        public(np.ones(2))
    if __name__ == "__main__":
        multi_line(1)
''')


@pytest.fixture
def stub() -> str:
    return make_stub(REFERENCE, "mymod", "solutions/mymod.py")


def load(text: str, tmp_path: Path, name: str):
    """Import ``text`` as a module (via grader.spec.import_file, as the grader does)."""
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    try:
        return import_file(path, name)
    finally:
        sys.modules.pop(name, None)


def test_stub_keeps_the_module_docstring_first_and_the_header_once(stub):
    tree = ast.parse(stub)
    assert ast.get_docstring(tree) == "The module docstring: what the assignment is."
    assert stub.count(HEADER.strip()) == 1


@pytest.mark.parametrize("docstring", ["r'''Raw docstring.'''", "'Single-quoted docstring.'"])
def test_stub_header_appears_once_whatever_the_docstring_quotes(docstring):
    stub = make_stub(f"{docstring}\n\ndef f(x):\n    return x\n", "m")
    assert stub.count(HEADER.strip()) == 1
    assert stub.startswith(docstring)


def test_stub_without_module_docstring_starts_with_the_header():
    stub = make_stub("import numpy as np\n\ndef f(x):\n    return x\n", "m")
    assert stub.startswith(HEADER)
    assert stub.count(HEADER.strip()) == 1


def test_stub_keeps_imports_and_public_literal_constants(stub):
    for line in ("from __future__ import annotations", "import numpy as np", "from math import pi as PI",
                 "EPS = 1e-8", 'NAMES = ("relu", "tanh")', "SHAPE: tuple = (2, 3)"):
        assert line in stub.splitlines()


def test_stub_drops_private_constants_and_private_functions(stub):
    assert "_SECRET_SCALE" not in stub
    assert "_helper" not in stub


def test_stub_drops_module_level_code(stub):
    assert "print(" not in stub
    assert "for step in range" not in stub
    assert "__main__" not in stub
    assert "TABLE" not in stub  # a computed value runs code: not a constant


def test_stub_keeps_signatures_and_docstrings(stub):
    assert "def public(x, y=EPS):\n" in stub
    assert '    """Add y to half of x.\n\n    Args:\n        x: ndarray.\n    """\n' in stub
    assert "def multi_line(\n    a,\n    b: int = 3,\n    *args,\n    key=None,\n    **kwargs,\n) -> float:\n" in stub
    assert '    """A signature over several lines."""' in stub


def test_stub_bodies_raise_not_implemented_naming_module_and_function(stub, tmp_path):
    module = load(stub, tmp_path, "stub_under_test")
    for name, args in (("public", (1.0,)), ("multi_line", (1,)), ("no_docstring", (2,))):
        with pytest.raises(NotImplementedError, match=rf"mymod\.{name} is not implemented yet"):
            getattr(module, name)(*args)


def test_a_function_without_docstring_still_gets_a_stub_and_no_body_comment(stub):
    assert 'def no_docstring(x):\n    raise NotImplementedError("mymod.no_docstring is not implemented yet")' in stub
    assert "secret" not in stub
    assert "halves" not in stub


def test_stub_contains_no_body_line_of_the_reference(stub):
    assert leaked_body_lines(REFERENCE, stub) == set()


def test_a_reference_with_a_class_is_a_spec_error_naming_the_file():
    with pytest.raises(SpecError) as info:
        make_stub("class Layer:\n    pass\n", "m", "solutions/m.py")
    assert "solutions/m.py" in str(info.value) and "class Layer" in str(info.value)


def test_a_reference_with_a_syntax_error_is_a_spec_error_with_the_line():
    with pytest.raises(SpecError) as info:
        make_stub("def f(x)\n    return x\n", "m", "solutions/m.py")
    assert "solutions/m.py" in str(info.value) and "line 1" in str(info.value)


def test_a_one_line_function_is_a_spec_error():
    with pytest.raises(SpecError, match="own lines"):
        make_stub("def f(x): return x\n", "m", "solutions/m.py")


def test_stub_for_a_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError) as info:
        stub_for(tmp_path / "nope.py", "nope")
    assert str(tmp_path / "nope.py") in str(info.value)


# --- the real solutions ------------------------------------------------------------------------

TRIVIAL = {"", "return", "pass", "else:", "try:", "continue", "break", ")", "]", "}", "),", "],", "},"}


def docstring_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of every module and function docstring."""
    spans = []
    for node in [tree, *ast.walk(tree)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            spans.append((body[0].lineno, body[0].end_lineno))
    return spans


def leaked_body_lines(reference: str, stub: str) -> set[str]:
    """Non-trivial lines of a reference function body (docstring excluded) found in the stub's code."""
    ref_lines = reference.splitlines()
    body_lines: set[str] = set()
    for node in ast.parse(reference).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        head = node.body[0]
        if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) and isinstance(head.value.value, str):
            start = head.end_lineno + 1  # everything after the docstring
        else:
            start = head.lineno  # and the comments just above the first statement
            while start - 1 > node.lineno and (not ref_lines[start - 2].strip()
                                               or ref_lines[start - 2].lstrip().startswith("#")):
                start -= 1
        body_lines.update(ref_lines[n - 1].strip() for n in range(start, node.end_lineno + 1))
    stub_tree = ast.parse(stub)
    in_docstring = {n for a, b in docstring_spans(stub_tree) for n in range(a, b + 1)}
    stub_code = {line.strip() for n, line in enumerate(stub.splitlines(), start=1) if n not in in_docstring}
    return (body_lines - TRIVIAL) & stub_code


def test_the_body_line_checker_finds_a_leak():
    reference = 'def f(x):\n    """Doc."""\n    y = x * 2\n    return y\n'
    leaky = 'def f(x):\n    """Doc."""\n    y = x * 2\n    raise NotImplementedError\n'
    assert leaked_body_lines(reference, leaky) == {"y = x * 2"}
    assert leaked_body_lines(reference, make_stub(reference, "m")) == set()
    commented = 'def g(x):\n    # the trick\n    return x\n'
    assert leaked_body_lines(commented, commented) == {"# the trick", "return x"}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_stub_of_each_real_solution_keeps_every_public_signature(solution, tmp_path):
    stub = stub_for(solution, solution.stem)
    compile(stub, f"<stub of {solution.name}>", "exec")
    reference = import_file(solution, f"reference_{solution.stem}_under_test")
    sys.modules.pop(f"reference_{solution.stem}_under_test", None)
    generated = load(stub, tmp_path, f"stub_{solution.stem}_under_test")

    def public_functions(module):
        return {name: fn for name, fn in vars(module).items()
                if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == module.__name__}

    ref_functions, stub_functions = public_functions(reference), public_functions(generated)
    assert set(stub_functions) == set(ref_functions)
    for name, fn in ref_functions.items():
        assert inspect.signature(stub_functions[name]) == inspect.signature(fn), name
        assert inspect.getdoc(stub_functions[name]) == inspect.getdoc(fn), name
        params = inspect.signature(fn).parameters
        with pytest.raises(NotImplementedError, match=rf"{solution.stem}\.{name} "):
            stub_functions[name](*([None] * sum(p.default is p.empty and p.kind <= p.POSITIONAL_OR_KEYWORD
                                                for p in params.values())))


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_stub_of_each_real_solution_contains_no_line_of_a_function_body(solution):
    reference = solution.read_text(encoding="utf-8")
    assert leaked_body_lines(reference, stub_for(solution, solution.stem)) == set()


def test_a_private_constant_used_by_a_public_default_is_kept():
    stub = make_stub('"""M."""\n_STEPS = 100\n_SECRET = 3\n\n\ndef train(x, steps=_STEPS):\n    """Train."""\n    return x * _SECRET\n', "m")
    assert "_STEPS = 100" in stub and "_SECRET" not in stub
    namespace: dict = {}
    exec(compile(stub, "<stub>", "exec"), namespace)
    assert namespace["train"].__defaults__ == (100,)
