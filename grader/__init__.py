"""An autograder for deep-learning assignments: sandboxed runs, numeric checks, named misconceptions."""
__version__ = "0.1.0"
