"""Names as learning management systems write them: who handed a file in, and what it was called.

Layouts recognised (see docs/lms.md):

- Canvas "Download submissions": ``login[_late]_userid_subid_file``, e.g. ``smithj_late_12345_67890_conv-1.py``;
- Moodle "Download all submissions": ``Full Name_12345_assignsubmission_file_`` folders holding the
  original files, or flat ``Full Name_12345_assignsubmission_file_conv.py``;
- Blackboard "Download assignment": ``Assignment_user_attempt_YYYY-MM-DD-HH-MM-SS_file`` (plus one
  ``..._attempt_....txt`` receipt per attempt, which is not a submission);
- Gradescope "Export submissions": ``submission_<id>/`` folders, named by ``submission_metadata.yml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_CANVAS = re.compile(r"^(?P<login>[^_]+?)(?P<late>_late)?_(?P<userid>\d+)_(?P<subid>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+)_(?P<user>[^_]+)_attempt_(?P<when>\d{4}(?:-\d\d){5})(?:_(?P<file>.+)|\.txt)?$")
_GRADESCOPE = re.compile(r"^submission_(?P<id>\d+)$")


@dataclass(frozen=True)
class LmsName:
    """What a name written by an LMS says: the system, the student, their ids and the original file name."""

    system: str  # canvas | moodle | blackboard | gradescope
    student: str
    file: str  # the file's own name as the student uploaded it ("" for a folder)
    ids: tuple[str, ...] = ()  # user ids the LMS wrote, for joining a roster
    late: bool = False


def parse(name: str) -> LmsName | None:
    """The LMS meaning of one file or folder name, or None when it is not an LMS name."""
    if m := _MOODLE.match(name):
        return LmsName("moodle", m["name"].strip(), m["file"], (m["id"],))
    if m := _BLACKBOARD.match(name):
        return LmsName("blackboard", m["user"], m["file"] or "")
    if m := _CANVAS.match(name):
        return LmsName("canvas", m["login"], m["file"], (m["userid"],), late=bool(m["late"]))
    return None


def original_stem(stem: str) -> str:
    """A file stem without what an LMS put in front of it (``smithj_1_2_conv`` -> ``conv``)."""
    found = parse(stem)
    return found.file if found is not None and found.file else stem


def is_receipt(name: str) -> bool:
    """Blackboard's per-attempt ``.txt`` receipt: LMS bookkeeping, not something to grade or warn about."""
    found = parse(name)
    return found is not None and found.system == "blackboard" and name.endswith(".txt") and found.file == ""


def group_flat(paths: list[Path]) -> tuple[dict[str, list[tuple[Path, str]]], dict[str, tuple[str, ...]]]:
    """Loose files of an LMS export, by student: ``{student: [(path, original name)]}`` and each student's ids."""
    groups: dict[str, list[tuple[Path, str]]] = {}
    ids: dict[str, tuple[str, ...]] = {}
    for path in sorted(paths, key=lambda p: p.name, reverse=True):  # Blackboard: the latest attempt first
        found = parse(path.name)
        if found is None or not found.file:
            continue
        groups.setdefault(found.student, []).append((path, found.file))
        ids[found.student] = tuple(dict.fromkeys((*ids.get(found.student, ()), *found.ids)))
    return groups, ids


def folder_student(folder: Path, gradescope: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[str, tuple[str, ...]] | None:
    """The student (and ids) an LMS-named folder belongs to: Moodle's ``Name_id_assignsubmission_file_``,
    or Gradescope's ``submission_<id>`` looked up in the export's metadata."""
    if m := _GRADESCOPE.match(folder.name):
        return gradescope.get(folder.name)
    found = parse(folder.name)
    if found is not None and found.system == "moodle":
        return found.student, found.ids
    return None


def gradescope_students(root: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``{"submission_<id>": (student, ids)}`` from a Gradescope export's ``submission_metadata.yml``.

    The file maps each submission folder to ``:submitters:`` (``:name:``, ``:sid:``, ``:email:``); the
    first submitter's email (else sid, else name) names the student. Unreadable metadata gives {}.
    """
    path = root / "submission_metadata.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    found = {}
    for folder, entry in (data or {}).items() if isinstance(data, dict) else ():
        if not isinstance(entry, dict):
            continue
        submitters = entry.get(":submitters") or entry.get("submitters") or []
        if not submitters or not isinstance(submitters[0], dict):
            continue
        first = {str(k).lstrip(":"): v for k, v in submitters[0].items()}
        values = [str(first[k]) for k in ("email", "sid", "name") if first.get(k)]
        if values:
            found[str(folder)] = (values[0], tuple(values[1:]))
    return found
