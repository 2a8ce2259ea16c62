"""Report file names: two students never share one, and the choice is deterministic."""
from __future__ import annotations

from grader.reports.names import report_names


def test_names_that_sanitise_alike_get_distinct_stable_suffixes():
    names = report_names(["a b", "a_b", "A_B", "carol"])
    assert len(set(n.lower() for n in names.values())) == 4
    assert names["carol"] == "carol"
    assert all(names[s].startswith(("a_b-", "A_B-")) for s in ("a b", "a_b", "A_B"))
    assert report_names(["a_b", "a b"]) == {"a_b": names["a_b"], "a b": names["a b"]}  # order does not matter


def test_a_student_never_overwrites_the_summary_or_gradebook():
    names = report_names(["summary", "gradebook", "../etc", ".hidden", ""])
    assert names["summary"] != "summary" and names["gradebook"] != "gradebook"
    assert all("/" not in n and not n.startswith(".") and n for n in names.values())
