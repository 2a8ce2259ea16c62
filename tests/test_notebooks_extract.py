"""grader.notebooks.extract_code: a notebook's definitions are kept, its experiments are skipped and listed."""
from __future__ import annotations

import ast
import json

import nbformat
import pytest
from nbformat import v4

from grader.errors import SubmissionError
from grader.notebooks import extract_code

NAME = "zoe/perceptron.ipynb"


def notebook_bytes(*cells) -> bytes:
    """A notebook of the given cells; a str is a code cell."""
    built = [v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
    return nbformat.writes(v4.new_notebook(cells=built)).encode("utf-8")


def extract(*cells):
    return extract_code(notebook_bytes(*cells), NAME)


def test_imports_definitions_classes_and_literal_constants_are_kept_in_order():
    result = extract(
        "import numpy as np\nfrom math import pi",
        "VOCAB = ['h', 'e', 'l', 'o']\nLR: float = 0.5\nA = B = (1, -2.5)",
        "@staticmethod\ndef sign(z):\n    return np.where(z > 0, 1, -1)",
        "async def later():\n    return 1",
        "class Helper:\n    scale = 2",
    )
    assert result.skipped == ()
    tree = ast.parse(result.source)
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ["Import", "ImportFrom", "Assign", "AnnAssign", "Assign", "FunctionDef", "AsyncFunctionDef", "ClassDef"]
    assert "@staticmethod\ndef sign(z):" in result.source  # decorators stay with their function
    namespace: dict = {}
    exec(compile(result.source, "<extracted>", "exec"), namespace)
    assert namespace["VOCAB"] == ["h", "e", "l", "o"] and namespace["A"] == (1, -2.5)


def test_other_statements_are_skipped_and_listed_with_cell_and_line():
    result = extract(
        "def f(x):\n    return 2 * x",
        "X = f(3)\nprint(X)",
        "import numpy as np\n\nfor i in range(3):\n    f(i)\nw = np.zeros(3)",
    )
    assert "def f(x):" in result.source and "import numpy as np" in result.source
    for code in ("X = f(3)", "print(X)", "for i in range", "np.zeros(3)"):
        assert code not in result.source
    assert result.skipped == (
        "code cell 2, line 1: not run ('X = f(3)')",
        "code cell 2, line 2: not run ('print(X)')",
        "code cell 3, line 3: not run ('for i in range(3):')",
        "code cell 3, line 5: not run ('w = np.zeros(3)')",
    )


def test_cell_numbers_count_code_cells_only():
    result = extract(v4.new_markdown_cell("# Title"), "def f():\n    return 1", v4.new_markdown_cell("text"), "f()")
    assert result.skipped == ("code cell 2, line 1: not run ('f()')",)


def test_display_only_imports_are_skipped_and_listed():
    result = extract("import numpy as np\nimport matplotlib.pyplot as plt\nfrom IPython.display import display",
                     "def f():\n    return 1")
    assert "import numpy as np" in result.source and "matplotlib" not in result.source and "IPython" not in result.source
    assert result.skipped == (
        "code cell 1, line 2: import of matplotlib not run (display only; graded functions must not need it)",
        "code cell 1, line 3: import of IPython not run (display only; graded functions must not need it)",
    )


def test_bare_strings_and_numbers_are_dropped_silently():
    result = extract('"""A note."""\n42\ndef f():\n    return 1')
    assert result.skipped == ()
    assert "A note" not in result.source and "def f()" in result.source


def test_line_magics_and_shell_lines_are_skipped_and_listed():
    result = extract("%matplotlib inline\nimport numpy as np\n!pip install torch\n  %time x = 1\ndef f():\n    return 1")
    assert "import numpy as np" in result.source and "def f():" in result.source
    assert "pip" not in result.source and "matplotlib" not in result.source
    assert len(result.skipped) == 3
    assert all(s.startswith("code cell 1, line ") and s.endswith("not run") for s in result.skipped)
    assert result.skipped[0] == "code cell 1, line 1: magic '%matplotlib inline': not run"
    assert result.skipped[1] == "code cell 1, line 3: shell command '!pip install torch': not run"
    assert any("%matplotlib inline" in s for s in result.skipped)
    assert any("!pip install torch" in s for s in result.skipped)
    assert any("%time x = 1" in s for s in result.skipped)


def test_a_cell_magic_skips_the_whole_cell_and_lists_it():
    result = extract("%%timeit\ndef f():\n    return 1", "def g():\n    return 2")
    assert "def f" not in result.source and "def g():" in result.source
    (skipped,) = result.skipped
    assert skipped == "code cell 1: cell magic '%%timeit' (the whole cell) not run"


def test_a_cell_with_a_syntax_error_is_skipped_whole_and_listed():
    result = extract(
        "def good():\n    return 1",
        "def half_done():\n    return 2\n\ndef broken(x)\n    return x",
        "def later():\n    return 3",
    )
    assert "def good():" in result.source and "def later():" in result.source
    assert "half_done" not in result.source  # the whole cell, not only the bad line
    (skipped,) = result.skipped
    assert skipped.startswith("code cell 2 ('def half_done():'): syntax error on line 4")
    assert "the whole cell was skipped" in skipped


def test_the_extracted_source_compiles():
    result = extract("import numpy as np", "x = np.ones(3)", "def f(x):\n    return x", "%%bash\nls", "def (")
    compile(result.source, "<extracted>", "exec")


def test_an_empty_notebook_gives_empty_source():
    result = extract()
    assert result.source == "" and result.skipped == ()


def test_a_byte_order_mark_is_accepted():
    raw = b"\xef\xbb\xbf" + notebook_bytes("def f():\n    return 1")
    assert "def f():" in extract_code(raw, NAME).source


@pytest.mark.parametrize("raw, fragment", [
    (b'{"cells": [', "not JSON"),
    (b"def f(x):\n    return x\n", "not JSON"),
    (b"", "not JSON"),
    (b'["a", "list"]', "no 'nbformat'"),
    (b'{"cells": []}', "no 'nbformat'"),
    (b'{"nbformat": "4", "cells": []}', "no 'nbformat'"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
], ids=["truncated", "python-source", "empty", "json-list", "no-version", "string-version", "utf16"])
def test_a_file_that_is_not_a_notebook_is_a_submission_error_naming_it(raw, fragment):
    with pytest.raises(SubmissionError) as info:
        extract_code(raw, NAME)
    assert str(info.value).startswith(NAME + ": ")
    assert fragment in str(info.value)


def test_a_notebook_whose_cells_are_malformed_is_a_submission_error():
    data = json.loads(notebook_bytes("x = 1"))
    data["cells"][0]["source"] = {"not": "text"}
    with pytest.raises(SubmissionError) as info:
        extract_code(json.dumps(data).encode(), NAME)
    assert "not a valid Jupyter notebook" in str(info.value)


def test_a_source_stored_as_a_list_of_lines_is_joined():
    data = json.loads(notebook_bytes("x = 1"))
    data["cells"][0]["source"] = ["def f(x):\n", "    return x\n"]
    result = extract_code(json.dumps(data).encode(), NAME)
    assert "def f(x):\n    return x" in result.source
