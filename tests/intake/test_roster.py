"""The roster: read leniently (any of id, name, email, login; Canvas and Moodle spellings), joined on any of them."""
from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.intake.roster import RosterEntry, join, read_roster


def test_a_roster_is_read_with_its_bom_and_an_lms_header(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffStudent,ID,SIS Login ID,Email Address\nJosé Núñez,77,jnunez,jose@uni.example\n\n", encoding="utf-8")
    assert read_roster(path) == [RosterEntry(id="77", name="José Núñez", email="jose@uni.example", login="jnunez")]


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("colour,size\nred,3\n", "no roster column"), ("id,name\n,\n5,\n", None),
])
def test_a_roster_that_names_nobody_is_a_clear_error(tmp_path, text, words):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    if words is None:
        assert read_roster(path) == [RosterEntry(id="5")]
        return
    with pytest.raises(UsageError, match=words):
        read_roster(path)


def test_submissions_join_on_login_email_id_or_an_lms_id_and_the_rest_are_missing():
    ann = RosterEntry("1", "Ann Lee", "ann.lee@uni.example", "alee")
    bo = RosterEntry("2", "Bo Yu", "bo@uni.example", "byu")
    cy = RosterEntry("3", "Cy Ode", "cy@uni.example", "code")
    matched, missing = join([ann, bo, cy], {"ALEE": (), "smithj": ("2",), "stranger": ()})
    assert matched == {"ALEE": ann, "smithj": bo}
    assert missing == [cy]
