"""Checks: compare outputs with the reference, check gradients, and the verdicts they give."""
from grader.checks.gradients import central_difference, gradient_check, looks_float32, relative_error
from grader.checks.values import compare, describe_type, matches, show
from grader.checks.verdict import Tolerance, Verdict

__all__ = [
    "Tolerance", "Verdict", "compare", "matches", "describe_type", "show",
    "central_difference", "relative_error", "gradient_check", "looks_float32",
]
