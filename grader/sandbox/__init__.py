"""Run untrusted submissions in isolated child processes forked from a warm server."""
# Import-light on purpose: the fork server imports this package inside the sandbox, where only the
# child's modules exist, so the grader's side is loaded on first use.
__all__ = ["ChildCase", "Outcome", "Sandbox", "Session", "describe_exit"]


def __getattr__(name: str):
    if name in __all__:
        from grader.sandbox import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
