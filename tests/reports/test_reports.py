"""Reports: the terminal table, the student page and the gradebook say what happened, safely."""
from __future__ import annotations

import csv
import io

from grader.reports.gradebook import gradebook_csv, student_json
from grader.reports.html import student_page
from grader.reports.text import case_table
from grader.scoring import AssignmentResult, CaseResult


def result(*cases: CaseResult, student: str = "ann", slug: str = "conv") -> AssignmentResult:
    return AssignmentResult(student, slug, "Convolution", cases, sum(c.max_points for c in cases), isolation="namespace")


def failed(name: str, feedback: str = "output: wrong", diagnosis: str = "", hint: str = "") -> CaseResult:
    return CaseResult(name, "conv2d", "public", 0.0, 1.0, "failed", feedback, ("max abs error: 36",), diagnosis, hint)


def test_a_diagnosis_is_spelled_out_once_then_referred_to():
    table = case_table(result(failed("a", diagnosis="flipped_kernel", hint="Flipped kernel. Do not flip W."),
                              failed("b", diagnosis="flipped_kernel", hint="Flipped kernel. Do not flip W.")))
    assert table.count("Do not flip W.") == 1
    assert "diagnosis: the same as above (flipped kernel)" in table


def test_passed_cases_show_no_reason_and_details():
    ok = CaseResult("c", "conv2d", "public", 1.0, 1.0, "passed", "correct", ("never shown",))
    table = case_table(result(ok))
    assert "PASS" in table and "never shown" not in table and "correct" not in table


def test_the_student_page_escapes_what_student_code_produced():
    evil = failed("a", feedback="got <script>alert(1)</script>")
    page = student_page(student_json("ann", [result(evil)], "namespace"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def gradebook_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")  # a BOM: spreadsheets then read the file as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_gradebook_total_is_the_sum_and_a_missing_assignment_is_empty_with_a_status():
    ann = [result(CaseResult("a", "p", "public", 2.5, 3.0, "partial", "half"), slug="conv"),
           result(CaseResult("b", "p", "public", 1.0, 1.0, "passed", "ok"), slug="dropout")]
    bob = [result(CaseResult("a", "p", "public", 3.0, 3.0, "passed", "ok"), student="bob", slug="conv"),
           AssignmentResult("bob", "dropout", "Dropout", (CaseResult("b", "p", "public", 0.0, 1.0, "no_submission", "none"),),
                            1.0, status="no_submission")]
    cyd = [result(CaseResult("a", "p", "public", 0.0, 3.0, "failed", "wrong"), student="cyd", slug="conv"),
           result(CaseResult("b", "p", "public", 0.0, 1.0, "failed", "wrong"), student="cyd", slug="dropout")]
    rows = gradebook_rows(gradebook_csv({"ann": ann, "bob": bob, "cyd": cyd}, ["conv", "dropout"]))
    assert rows == [{"student": "ann", "conv": "2.5", "dropout": "1", "total": "3.5", "status": "graded"},
                    {"student": "bob", "conv": "3", "dropout": "", "total": "3", "status": "missing: dropout"},
                    {"student": "cyd", "conv": "0", "dropout": "0", "total": "0", "status": "graded"}]


def test_gradebook_names_are_never_formulas_and_accents_survive():
    rows = {name: [result(CaseResult("a", "p", "public", 1.0, 1.0, "passed", "ok"), student=name)]
            for name in ("=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2", "José")}
    text = gradebook_csv(rows, ["conv"])
    students = [r["student"] for r in gradebook_rows(text)]
    assert sorted(students) == sorted(["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2", "José"])
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_the_student_page_collapses_what_was_not_handed_in_and_puts_failures_first():
    missing = AssignmentResult("ann", "dropout", "Dropout", tuple(
        CaseResult(f"d{i}", "p", "hidden", 0.0, 1.0, "no_submission", "no submission: expected dropout.py") for i in range(22)),
        22.0, status="no_submission")
    ok = CaseResult("first_ok", "conv2d", "public", 1.0, 1.0, "passed", "ok")
    page = student_page(student_json("ann", [result(ok, failed("later_bad")), missing], "namespace",
                                     warnings=["ann.zip: not a readable zip (BadZipFile: File is not a zip file)"]),
                        {"conv": {"later_bad": "Pads the input by one."}})
    assert page.count("no submission: expected dropout.py") == 0 and "Not handed in (0 points): Dropout (dropout)" in page
    assert page.count("<table>") == 1
    assert page.index("later_bad") < page.index("first_ok")
    assert "Pads the input by one." in page and "ann.zip: not a readable zip" in page
