"""``python -m grader``: the same as the ``grader`` console script."""
from grader.cli import main

if __name__ == "__main__":  # guarded: worker processes re-import the main module
    raise SystemExit(main())
