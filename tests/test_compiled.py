"""A submission is compiled once, with the same flags the child has always used."""
from __future__ import annotations

import marshal

import pytest

from grader.compiled import code_bytes, compiled
from grader.sandbox.child import build_module


def test_the_same_source_is_compiled_once():
    source = "def f(x):\n    return x + 1\n"
    assert compiled(source, "<a.py>") is compiled(source, "<a.py>")
    assert compiled(source, "<a.py>") is not compiled(source, "<b.py>")


def test_annotations_are_not_evaluated_as_before():
    module = build_module("def f(x: NotDefinedAnywhere) -> int:\n    return 1\n", "<s.py>", "s_annotations",
                          code_bytes("def f(x: NotDefinedAnywhere) -> int:\n    return 1\n", "<s.py>"))
    assert module.f.__annotations__["x"] == "NotDefinedAnywhere"


def test_the_child_runs_the_code_it_is_sent_and_keeps_the_source_for_tracebacks():
    code = marshal.dumps(compile("def f():\n    return 'compiled'\n", "<t.py>", "exec"))
    module = build_module("def f():\n    return 'source'\n", "<t.py>", "t_sent", code)
    assert module.f() == "compiled"


def test_a_syntax_error_is_raised_as_compile_raises_it():
    with pytest.raises(SyntaxError):
        compiled("def f(:\n", "<bad.py>")
