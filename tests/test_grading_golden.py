"""Grading results are identical before and after the speed work: a frozen mixed class against its record."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "golden"))

from golden_class import RECORD, grade_class  # noqa: E402


def test_a_mixed_class_grades_exactly_as_recorded(course):
    """Reference, catalogued mistakes, stubs and raising code on all five assignments, two students.

    After a deliberate change of scores or feedback, regenerate the record with
    ``python tests/golden/golden_class.py --write`` and review its diff.
    """
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    graded = grade_class(course)
    assert sorted(graded) == sorted(recorded)
    changed = {key: (recorded[key], graded[key]) for key in recorded if recorded[key] != graded[key]}
    assert not changed, f"{len(changed)} gradings differ from {RECORD.name}: {sorted(changed)[:5]}"
