"""The student's view (`grader check`, no solutions) and the TA's view (`grader grade`: JSON and HTML) say the same."""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from grader.audits import mistake_source
from grader.commands import check, grade
from grader.diagnosis import load_catalogue
from grader.spec import Course

REPO = Path(__file__).resolve().parents[2]


def _words(text: str) -> str:
    return " ".join(text.split())


def test_check_and_grade_show_the_same_localisation_and_diagnosis_for_one_wrong_submission(tmp_path):
    course = Course(REPO)
    assignment = course.assignment("perceptron")
    (mistake,) = [m for m in load_catalogue(assignment.mistakes_dir) if m.id == "bias_forgotten"]
    wrong = mistake_source(assignment.solution_path.read_text(encoding="utf-8"), mistake)
    (tmp_path / "subs" / "zoe").mkdir(parents=True)
    (tmp_path / "subs" / "zoe" / "perceptron.py").write_text(wrong, encoding="utf-8")

    grade.grade(course, tmp_path / "subs", tmp_path / "out", ["perceptron"], jobs=1, secret="views-secret",
                progress=False, fresh=True)
    report = json.loads((tmp_path / "out" / "zoe.json").read_text(encoding="utf-8"))
    (ta,) = [a for a in report["assignments"] if a["assignment"] == "perceptron"]
    ta_cases = {c["name"]: c for c in ta["cases"]}
    page = _words(html.unescape((tmp_path / "out" / "zoe.html").read_text(encoding="utf-8")))

    # the student's copy of the course: no solutions/, only what a student holds
    student_course = tmp_path / "course"
    shutil.copytree(REPO / "assignments" / "perceptron", student_course / "assignments" / "perceptron")
    mine = tmp_path / "mine" / "perceptron.py"
    mine.parent.mkdir()
    mine.write_text(wrong, encoding="utf-8")
    result, level = check.check(Course(student_course), "perceptron", mine)
    text = _words(check.render(result, level))

    wrong_cases = [c for c in result.cases if c.status not in ("passed", "not_implemented")]
    assert any(c.located and c.hint.startswith("Localised") for c in wrong_cases)  # a composite case localised
    assert any(c.diagnosis == "bias_forgotten" for c in wrong_cases)  # and a case named
    for case in wrong_cases:
        theirs = ta_cases[case.name]
        assert (case.diagnosis, case.hint, case.located) == (theirs["diagnosis"], theirs["hint"], theirs["located"]), case.name
        if case.hint:
            assert _words(case.hint) in text
            assert _words(case.hint) in page


def test_no_correct_answer_gets_a_diagnosis_or_a_localisation():
    from grader.audits.inprocess import InProcess
    from grader.audits.rewrites import rewrites
    from grader.grading import AssignmentGrader

    course = Course(REPO)
    for slug in course.slugs():
        assignment = course.assignment(slug)
        grader = AssignmentGrader.with_solutions(assignment, secret="in-sample")
        answers = {"reference": assignment.solution_path.read_text(encoding="utf-8"), **rewrites(assignment)}
        for name, source in answers.items():
            result = grader.grade(InProcess(), "some-student", source, f"<{name}>")
            told = [(c.name, c.diagnosis, c.located, c.hint) for c in result.cases if c.diagnosis or c.located or c.hint]
            assert result.points == result.max_points and not told, (slug, name, told)
