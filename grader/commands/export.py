"""`grader export TARGET`: hand the course or its grades to another platform; one function per target."""
from __future__ import annotations

import argparse


def _gradescope(args: argparse.Namespace) -> str:
    from grader.commands.grade import load_secret
    from grader.packaging import gradescope
    from grader.spec import find_course

    secret, warning = load_secret(args.secret_file)
    out = gradescope.export(find_course(args.course), args.out, args.slugs, secret=secret, isolation=args.isolation)
    return "\n".join(([f"warning: {warning}"] if warning else []) + [f"wrote {out}: upload it as the Gradescope autograder"])


def _lms(args: argparse.Namespace) -> str:
    from grader.commands.export_lms import export_grades

    count = export_grades(args.target, args.grades, args.out)
    return f"wrote {args.out}: {count} student{'s' if count != 1 else ''} for {args.target}'s gradebook import"


# target -> function(parsed arguments) -> what to print
TARGETS = {"gradescope": _gradescope, "canvas": _lms, "moodle": _lms}
NEEDS_COURSE = {"gradescope"}  # the others read a graded folder only


def export(args: argparse.Namespace) -> str:
    """Run the export ``args.target``."""
    return TARGETS[args.target](args)
