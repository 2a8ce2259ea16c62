"""The `grader` command line: a thin layer over grader.commands that turns errors into exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader import __version__
from grader.errors import GraderError, UsageError

ISOLATION = ("auto", "bubblewrap", "rlimits-only")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Autograder for the deep-learning assignments.")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    parser.add_argument("--course", metavar="DIR", help="course folder (default: the nearest folder up with assignments/)")
    parser.add_argument("--isolation", choices=ISOLATION, default="auto", help="sandbox isolation (default: the strongest available)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="run the public cases on your file (no solutions needed)")
    p.add_argument("slug", help="assignment, e.g. perceptron")
    p.add_argument("--path", type=Path, help="your .py or .ipynb (default: student_template/<module>.py)")

    p = sub.add_parser("grade", help="batch-grade a folder of submissions")
    p.add_argument("submissions", type=Path, help="one folder or <student>.zip per student")
    p.add_argument("--out", type=Path, required=True, help="where to write gradebook.csv, reports and the summary")
    p.add_argument("--assignment", action="append", dest="slugs", metavar="SLUG", help="grade only this assignment (repeatable)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU, and at most one per 40 submissions: a small batch grades in one process)")
    p.add_argument("--secret-file", type=Path, help="file holding the course secret (else $GRADER_SECRET)")
    p.add_argument("--fresh", action="store_true", help="regrade everything instead of keeping unchanged results")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--shard", metavar="K/N", help="grade only the K-th of N shares of the students (by a stable hash "
                   "of the name), for a cluster job array; combine the outputs with `grader merge`")
    p.add_argument("--roster", type=Path, help="class list CSV (columns id, name, email, login; any of them): "
                   "students on it without a submission are reported missing, submissions not on it flagged")

    p = sub.add_parser("merge", help="one gradebook, summary and reports from the outputs of `grade --shard`")
    p.add_argument("shards", type=Path, nargs="+", metavar="SHARD_OUT", help="the --out folder of every shard")
    p.add_argument("--out", type=Path, required=True, help="where to write the merged gradebook, reports and summary")

    p = sub.add_parser("gradescope", help="grade the one submission of a Gradescope autograder run into results.json")
    p.add_argument("submission", type=Path, help="the submission folder (on Gradescope: /autograder/submission)")
    p.add_argument("--out", type=Path, required=True, help="results.json to write (on Gradescope: /autograder/results/results.json)")
    p.add_argument("--assignment", action="append", dest="slugs", metavar="SLUG", help="grade only this assignment (repeatable)")
    p.add_argument("--student", help="student id for the hidden inputs' seeds (default: from submission_metadata.json)")
    p.add_argument("--secret-file", type=Path, help="file holding the course secret (else $GRADER_SECRET)")

    sub.add_parser("secret", help="print a fresh random course secret (for --secret-file or $GRADER_SECRET)")

    from grader.commands.export import TARGETS

    p = sub.add_parser("export", help="hand the course or its grades to another platform")
    p.add_argument("target", choices=sorted(TARGETS), help="gradescope: the autograder zip (setup.sh, run_autograder, "
                   "course); canvas, moodle: a graded folder's scores as the LMS's gradebook import CSV")
    p.add_argument("grades", type=Path, nargs="?", default=Path("grades"),
                   help="canvas, moodle: the folder written by grader grade (default: grades)")
    p.add_argument("--out", type=Path, required=True, help="file to write (autograder.zip, grades.csv)")
    p.add_argument("--assignment", action="append", dest="slugs", metavar="SLUG", help="gradescope: only this assignment (repeatable)")
    p.add_argument("--secret-file", type=Path, help="gradescope: file holding the course secret (else $GRADER_SECRET)")

    p = sub.add_parser("kit", help="write the student kit: stubs, notebooks, handouts, public fixtures, an installable grader")
    p.add_argument("--out", type=Path, required=True, help="a new folder, or a file ending in .zip")

    p = sub.add_parser("validate", help="prove every assignment's grader right (what CI runs)")
    p.add_argument("--assignment", action="append", dest="slugs", metavar="SLUG")
    p.add_argument("--thorough", action="store_true",
                   help="audit correct rewrites over 1,000 student ids and mistakes over 20, instead of 20 and 5 (for course staff)")
    p.add_argument("--students", type=int, metavar="N",
                   help="student ids each correct implementation is audited for (default 20; 0 skips the audits)")

    p = sub.add_parser("build", help="regenerate student_template/ and public fixtures from solutions/")
    p.add_argument("--assignment", action="append", dest="slugs", metavar="SLUG")
    return parser


def _run(args: argparse.Namespace) -> int:
    from grader.spec import find_course

    if args.command == "secret":
        from grader.cases import fresh_secret

        print(fresh_secret())
        return 0

    if args.command == "merge":  # needs no course: the shards say how they were graded
        from grader.commands import grade, merge

        print(grade.render(merge.merge(args.shards, args.out)))
        return 0
    if args.command == "export":
        from grader.commands import export

        print(export.export(args))
        return 0
    course = find_course(args.course)
    if args.command == "check":
        from grader.commands import check

        result, level = check.check(course, args.slug, args.path, args.isolation)
        print(check.render(result, level))
        return 0 if result.passed and result.status == "graded" else 1
    if args.command == "grade":
        from grader.commands import grade

        if args.jobs is not None and args.jobs < 1:
            raise GraderError("--jobs must be 1 or more")
        from grader.shards import Shard

        shard = Shard.parse(args.shard) if args.shard is not None else None
        secret, warning = grade.load_secret(args.secret_file)
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
        run = grade.grade(course, args.submissions, args.out, args.slugs, jobs=args.jobs, secret=secret,
                          isolation=args.isolation, progress=False if args.no_progress else None, fresh=args.fresh,
                          also_hide=(str(args.secret_file.resolve()),) if args.secret_file else (), shard=shard,
                          roster=args.roster)
        print(grade.render(run))
        return 0
    if args.command == "gradescope":
        from grader.commands import gradescope
        from grader.commands.grade import load_secret

        if not args.submission.is_dir():
            raise UsageError(f"{args.submission}: not a submission folder")
        secret, warning = load_secret(args.secret_file)
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
        student = args.student or gradescope.student_id(args.submission)
        data = gradescope.gradescope(course, args.submission, args.out, args.slugs, student=student, secret=secret,
                                     isolation=args.isolation,
                                     also_hide=(str(args.secret_file.resolve()),) if args.secret_file else ())
        print(f"{student}: {data['score']:g} points; wrote {args.out}")
        return 0
    if args.command == "kit":
        from grader.commands import kit

        print(kit.render(kit.build_kit(course, args.out), course))
        return 0
    if args.command == "validate":
        from grader.commands import validate

        report = validate.validate(course, args.slugs, isolation=args.isolation,
                                   students=args.students if args.students is not None else
                                   validate.audits.THOROUGH_STUDENTS if args.thorough else validate.audits.STUDENTS)
        print(validate.render(report))
        return 0 if report.ok else 1
    if args.command == "build":
        from grader.commands import build

        print(build.render(course, build.build(course, args.slugs)))
        return 0
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the grader itself: say so plainly, details on request
        if os.environ.get("GRADER_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set GRADER_DEBUG=1 for the traceback; please report it)", file=sys.stderr)
        return 70
