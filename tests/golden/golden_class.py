"""A frozen mixed class and its grading results, to prove speed work changes no score or word.

Regenerate the committed record after a deliberate change of scores or feedback (new cases,
new grading rules) with::

    python tests/golden/golden_class.py --write

and review the diff of tests/golden/results.json like any other change.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RECORD = Path(__file__).with_name("results.json")
STUDENTS = ("ada", "bo")

# catalogued mistakes per assignment, by id (a frozen list: new mistakes do not change the class)
MISTAKES = {
    "perceptron": ("sign_zero_positive", "update_sign_flipped", "bias_forgotten", "update_in_place"),
    "backprop": ("loss_without_half", "sigmoid_grad_from_f", "dw_transposed", "activation_inplace"),
    "conv": ("flipped_kernel", "pad_double", "pool_last_element", "bias_missing"),
    "char_rnn": ("w_hh_not_transposed", "no_backprop_through_time", "unstable_softmax", "clip_in_place"),
    "dropout": ("no_inverted_scaling", "keep_probability", "in_place", "different_draw"),
}
VOLATILE = ("seconds", "digest", "isolation")  # timings and identities of the run, not results


def submissions(course) -> list[tuple[str, str, str]]:
    """(slug, label, source): the reference, mistakes, the stub and code that raises, per assignment."""
    out = []
    for slug, mistakes in MISTAKES.items():
        assignment = course.assignment(slug)
        reference = assignment.solution_path.read_text(encoding="utf-8")
        out.append((slug, "reference", reference))
        for mistake in mistakes:
            text = (assignment.mistakes_dir / f"{mistake}.py").read_text(encoding="utf-8")
            out.append((slug, f"mistake:{mistake}", f"{reference}\n\n{text}"))
        out.append((slug, "stub", assignment.template_path.read_text(encoding="utf-8")))
        functions = assignment.functions
        broken = functions[len(functions) // 2]
        out.append((slug, f"raises:{broken}",
                    f"{reference}\n\ndef {broken}(*args, **kwargs):\n    raise ValueError('not today')\n"))
    return out


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def fingerprint(result: dict) -> dict:
    """A grading compactly: each case's points, status and diagnosis, and a hash of every word."""
    text = json.dumps(_strip(result), sort_keys=True)
    return {"points": result["points"], "sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
            "cases": [f"{c['name']} {c['points']:g} {c['status']} {c['diagnosis']}".strip() for c in result["cases"]]}


def grade_class(course, full: dict | None = None) -> dict[str, dict]:
    """Every submission graded for every student: {"<student> <slug> <label>": fingerprint}.

    ``full``, when given, receives each grading's whole JSON (timings aside) under the same key.
    """
    from grader.grading import AssignmentGrader
    from grader.sandbox import Sandbox

    graders = {slug: AssignmentGrader.with_solutions(course.assignment(slug)) for slug in MISTAKES}
    record = {}
    with Sandbox(hide=[str(course.root), str(course.solutions_dir)]) as sandbox:
        for slug, label, source in submissions(course):
            grader = graders[slug]
            for student in STUDENTS:
                result = grader.grade(sandbox, student, source, f"<{label}>")
                key = f"{student} {slug} {label}"
                record[key] = fingerprint(result.to_json())
                if full is not None:
                    full[key] = _strip(result.to_json())
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {RECORD.relative_to(REPO)}")
    parser.add_argument("--dump", type=Path, help="also write every grading's whole JSON here (to diff two runs)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from grader.spec import Course

    full: dict = {}
    record = grade_class(Course(REPO), full)
    if args.dump:
        args.dump.write_text(json.dumps(full, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    text = json.dumps(record, indent=0, sort_keys=True) + "\n"
    if args.write:
        RECORD.write_text(text, encoding="utf-8")
        print(f"wrote {RECORD} ({len(record)} gradings)")
    else:
        same = json.loads(RECORD.read_text(encoding="utf-8")) == record
        print("identical to the record" if same else "DIFFERS from the record")
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
