"""Run untrusted submissions in isolated child processes forked from a warm server."""
from grader.sandbox.runner import ChildCase, Outcome, Sandbox, describe_exit

__all__ = ["ChildCase", "Outcome", "Sandbox", "describe_exit"]
