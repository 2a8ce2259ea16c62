"""Report file names: one per student, safe on every file system, never two alike."""
from __future__ import annotations

import hashlib

# files of the output folder a student's report must never overwrite
RESERVED = {"summary", "gradebook", "canvas", "moodle", "index"}


def safe_name(student: str) -> str:
    """Letters, digits and ``-_.@`` kept, everything else ``_``; never hidden, never empty."""
    keep = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student)
    return keep.lstrip(".")[:80] or "student"


def report_names(students: list[str]) -> dict[str, str]:
    """Each student's report name (without suffix). Names that sanitise alike (also ignoring case,
    for case-insensitive file systems) or hit a reserved name get a suffix from a hash of the
    student's own name, so the choice does not depend on the order or on who else is in the class."""
    by_key: dict[str, list[str]] = {}
    for student in students:
        by_key.setdefault(safe_name(student).lower(), []).append(student)
    names = {}
    for key, group in by_key.items():
        for student in group:
            base = safe_name(student)
            if len(group) > 1 or key in RESERVED:
                base = f"{base}-{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
            names[student] = base
    return names
