"""The class list (``--roster roster.csv``): who should have handed something in, and who they are."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

# header spellings accepted for each column (case and spaces ignored); Canvas and Moodle exports use the later ones
COLUMNS = {
    "id": ("id", "student id", "student_id", "sis user id", "id number", "idnumber", "matriculation"),
    "name": ("name", "full name", "student", "student name"),
    "email": ("email", "email address", "e-mail"),
    "login": ("login", "username", "user", "sis login id", "login id"),
}


@dataclass(frozen=True)
class RosterEntry:
    """One student of the class list."""

    id: str = ""
    name: str = ""
    email: str = ""
    login: str = ""

    def keys(self) -> set[str]:
        """Every string a submission may be named by: id, login, email (and its local part), name."""
        found = {self.id, self.login, self.email, self.email.split("@")[0], self.name}
        return {k.strip().lower() for k in found if k.strip()}

    @property
    def label(self) -> str:
        return self.name or self.login or self.email or self.id

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "email": self.email, "login": self.login}


def read_roster(path: Path) -> list[RosterEntry]:
    """A CSV with a header row naming at least one of id, name, email, login (UTF-8, a BOM is fine)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the roster ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: the roster is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from exc
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise UsageError(f"{path}: the roster is empty (expected a header row: id,name,email,login)")
    header = [h.strip().lower() for h in rows[0]]
    where = {}
    for column, spellings in COLUMNS.items():
        for index, h in enumerate(header):
            if h in spellings and column not in where:
                where[column] = index
    if not where:
        raise UsageError(f"{path}: no roster column found in the header {rows[0]} (expected any of id, name, email, login)")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
        entry = RosterEntry(**values)
        if not entry.keys():
            raise UsageError(f"{path}: line {number} names no student")
        entries.append(entry)
    return entries


def join(entries: list[RosterEntry], students: dict[str, tuple[str, ...]]) -> tuple[dict[str, RosterEntry], list[RosterEntry]]:
    """Match submissions (student -> the ids an LMS gave them) to roster entries.

    Returns ``{student: entry}`` for those on the roster, and the entries nobody handed anything in for.
    """
    by_key: dict[str, RosterEntry] = {}
    for entry in entries:
        for key in entry.keys():
            by_key.setdefault(key, entry)
    matched: dict[str, RosterEntry] = {}
    for student, aliases in students.items():
        for key in (student, *aliases):
            entry = by_key.get(key.strip().lower())
            if entry is not None:
                matched[student] = entry
                break
    seen = set(map(id, matched.values()))
    return matched, [e for e in entries if id(e) not in seen]
