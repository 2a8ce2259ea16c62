"""Compile a submission once: the syntax check on intake and the sandbox's job share the code object."""
from __future__ import annotations

import __future__
import functools
import marshal
import types

# Student and course code have always been compiled with postponed evaluation of annotations
# (their compile calls inherited the grader's own ``from __future__ import annotations``); kept
# explicitly, and shared with grader.spec's compiling of course files.
FLAGS = __future__.annotations.compiler_flag


@functools.lru_cache(maxsize=8)
def compiled(source: str, filename: str) -> types.CodeType:
    """The code object of ``source``; SyntaxError or ValueError as ``compile`` raises them.

    Cached: a wrong answer is run twice (grading, then localising its failed cases), and the same
    source is compiled for the syntax check before either.
    """
    return compile(source, filename, "exec", flags=FLAGS, dont_inherit=True)


def code_bytes(source: str, filename: str) -> bytes:
    """``compiled(source, filename)`` as marshal bytes, for a child of this same interpreter to load."""
    return marshal.dumps(compiled(source, filename))
