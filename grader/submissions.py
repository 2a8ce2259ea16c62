"""Find and read submissions: a folder or zip per student, with .py or .ipynb files per assignment."""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from grader.compiled import compiled
from grader.errors import SubmissionError, UsageError
from grader.intake import lms
from grader.notebooks import extract_code
from grader.sanitise import capped, shown_name

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32  # folders below a student's folder that are searched
MAX_ENTRIES = 20_000  # files and folders looked at per student
MAX_WARNINGS = 50  # per student (a zip of 100 000 stray files must not make a 100 000-line report); the rest counted in one line
SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class SubmittedFile:
    """One file of a submission: where it came from and its bytes."""

    label: str  # e.g. "alice/perceptron.py" or "bob.zip:hw/perceptron.ipynb"
    raw: bytes

    @property
    def is_notebook(self) -> bool:
        return self.label.endswith(".ipynb")


@dataclass(frozen=True)
class StudentSubmission:
    """Everything one student handed in, by student module name."""

    student: str
    files: dict[str, SubmittedFile] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # ids an LMS gave the student (for joining a roster)


@dataclass(frozen=True)
class Source:
    """Readable, compilable student source, and what was skipped to get it."""

    text: str
    filename: str
    skipped: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


def read_source(submitted: SubmittedFile) -> Source:
    """Decode (and for notebooks, extract) the code and check it compiles; SubmissionError otherwise."""
    if submitted.is_notebook:
        extracted = extract_code(submitted.raw, submitted.label)
        text, skipped = extracted.source, extracted.skipped
    else:
        try:
            text = submitted.raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = submitted.raw[:exc.start].count(b"\n") + 1
            raise SubmissionError(f"not UTF-8 text (line {line}, byte {exc.start}): save the file as UTF-8", path=submitted.label) from exc
        skipped = ()
    filename = f"<{PurePosixPath(submitted.label.split(':')[-1]).name}>"
    if "\0" in text:
        at = text.index("\0")
        line = text.count("\n", 0, at) + 1
        raise SubmissionError(f"contains a NUL byte (line {line}, column {at - text.rfind(chr(10), 0, at)}): "
                              "not a plain text file; save it again as UTF-8 text", path=submitted.label)
    try:
        compiled(text, filename)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        code = (exc.text or "").strip()
        raise SubmissionError(f"syntax error on {where}: {exc.msg}" + (f" -> {code[:80]}" if code else ""), path=submitted.label) from exc
    except ValueError as exc:  # e.g. null bytes
        raise SubmissionError(f"cannot be compiled: {exc}", path=submitted.label) from exc
    return Source(text, filename, skipped)


def module_of(stem: str, modules: set[str]) -> str | None:
    """The module a file name stands for, forgiving what LMS exports and downloads do to names.

    ``Perceptron.py``, ``perceptron (1).ipynb`` and ``perceptron-2.py`` all mean ``perceptron``.
    """
    if stem in modules:
        return stem
    stem = lms.original_stem(stem)
    name = re.sub(r"(\s*\(\d+\)|-\d+)$", "", stem.strip()).lower()
    matches = [m for m in modules if m.lower() == name]
    return matches[0] if len(matches) == 1 else None


def read_file(path: Path) -> SubmittedFile:
    """A single file given on the command line."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if path.suffix not in SUFFIXES:
        raise UsageError(f"{path}: expected a .py or .ipynb file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionError(f"file larger than {MAX_FILE_BYTES // 2**20} MiB", path=str(path))
    return SubmittedFile(str(path), path.read_bytes())


def walk(folder: Path, notes: list[str] | None = None) -> list[Path]:
    """Every regular file under ``folder``, sorted: iterative (no recursion limit to hit), never
    following links, at most ``MAX_DEPTH`` folders deep and ``MAX_ENTRIES`` entries in all
    (what is left out is said in ``notes``).
    """
    notes = [] if notes is None else notes
    found: list[Path] = []
    stack = [(folder, 0)]
    seen = 0
    while stack:
        current, depth = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                notes.append(f"more than {MAX_ENTRIES} files and folders: the rest were not searched")
                return sorted(found)
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH:
                        stack.append((Path(entry.path), depth + 1))
                    elif not any("levels deep" in n for n in notes):
                        notes.append(f"folders more than {MAX_DEPTH} levels deep were not searched")
                elif entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
            except OSError:
                continue
    return sorted(found)


def from_folder(folder: Path, modules: set[str], others: frozenset[str] = frozenset()) -> StudentSubmission:
    files: dict[str, SubmittedFile] = {}
    problems: list[str] = []
    for path in walk(folder, problems):
        module = module_of(path.stem, modules)
        if ".ipynb_checkpoints" in path.parts:
            continue
        if module is None:
            problems.extend(unmapped(shown_name(f"{folder.name}/{path.relative_to(folder).as_posix()}", 400), modules, others))
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{shown_name(path.name)}: larger than {MAX_FILE_BYTES // 2**20} MiB, ignored")
            continue
        label = shown_name(f"{folder.name}/{path.relative_to(folder).as_posix()}", 400)
        _add(files, module, SubmittedFile(label, path.read_bytes()), problems)
    return StudentSubmission(folder.name, files, _capped(problems))


def _from_zip(path: Path, modules: set[str], others: frozenset[str] = frozenset()) -> StudentSubmission:
    student = path.stem
    files: dict[str, SubmittedFile] = {}
    problems = []
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                module = module_of(member.stem, modules)
                if info.is_dir() or "__MACOSX" in member.parts or ".ipynb_checkpoints" in member.parts:
                    continue
                if module is None:
                    problems.extend(unmapped(shown_name(f"{path.name}:{info.filename}", 400), modules, others))
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    problems.append(f"{shown_name(info.filename)}: larger than {MAX_FILE_BYTES // 2**20} MiB, ignored")
                    continue
                with archive.open(info) as handle:
                    raw = handle.read(MAX_FILE_BYTES + 1)
                _add(files, module, SubmittedFile(shown_name(f"{path.name}:{info.filename}", 400), raw), problems)
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, encrypted members...: one student's problem only
        problems.append(shown_name(f"{path.name}: not a readable zip ({type(exc).__name__}: {exc})", 400))
    return StudentSubmission(student, files, _capped(problems))


def _capped(problems: list[str]) -> tuple[str, ...]:
    return tuple(capped(problems, MAX_WARNINGS, "more files ignored or rejected"))


def unmapped(label: str, modules: set[str], others: frozenset[str] = frozenset()) -> list[str]:
    """Why a file that is not an assignment being graded is ignored (nothing for files of ``others``,
    assignments of the course not being graded now, nor for an LMS's own receipts)."""
    name = PurePosixPath(label.split(":")[-1]).name
    if name.startswith(".") or lms.is_receipt(name) or module_of(PurePosixPath(name).stem, set(others)):
        return []
    if PurePosixPath(name).suffix.lower() not in SUFFIXES:
        return [f"{label}: ignored (only .py and .ipynb files are graded)"]
    expected = ", ".join(sorted(modules))
    return [f"{label}: ignored, its name is not an assignment being graded (expected {expected} as .py or .ipynb)"]


def _add(files: dict[str, SubmittedFile], module: str, submitted: SubmittedFile, problems: list[str]) -> None:
    """Keep one file per module: a .py beats a notebook; a second file of a kind is reported."""
    current = files.get(module)
    if current is None:
        files[module] = submitted
    elif current.is_notebook and not submitted.is_notebook:
        files[module] = submitted
        problems.append(f"{current.label}: ignored, grading {submitted.label} instead (a .py file beats a notebook)")
    else:
        problems.append(f"{submitted.label}: ignored, already grading {current.label}")


def discover(root: Path, modules: set[str], loose_module: str | None = None,
             others: frozenset[str] = frozenset()) -> list[StudentSubmission]:
    """Every student under ``root``: each sub-folder and each ``<student>.zip`` is one student.

    Files and folders named as an LMS downloads them (grader.intake.lms) are grouped by the student
    the name gives. With ``loose_module`` (grading a single assignment), a ``<student>.py`` or
    ``<student>.ipynb`` lying directly in ``root`` is that student's file for it, as LMS exports of
    one assignment come; otherwise loose files are ignored. ``others`` are the course's modules not
    being graded now: their files are skipped without a warning.
    """
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder of submissions")
    entries = [e for e in sorted(root.iterdir()) if not e.name.startswith(".") and not e.is_symlink()]
    students: dict[str, StudentSubmission] = {}
    flat, ids = lms.group_flat([e for e in entries if e.is_file()])
    for student, members in flat.items():
        _merge(students, _from_lms_files(student, members, modules, others, ids[student], loose_module), root)
    taken = {path for members in flat.values() for path, _ in members}
    gradescope = lms.gradescope_students(root)
    for entry in entries:
        if entry in taken:
            continue
        if entry.is_dir():
            found = _with_zips(from_folder(entry, modules, others), entry, modules, others)
            owner = lms.folder_student(entry, gradescope)
            if owner is not None:
                found = replace(found, student=owner[0], aliases=owner[1])
        elif entry.suffix.lower() == ".zip":
            found = _from_zip(entry, modules, others)
        elif loose_module is not None and entry.is_file() and entry.suffix.lower() in SUFFIXES:
            found = _from_loose_file(entry, loose_module)
        else:
            continue
        _merge(students, found, root)
    return list(students.values())


def _with_zips(found: StudentSubmission, folder: Path, modules: set[str], others: frozenset[str]) -> StudentSubmission:
    """A student's folder may hold their zip (Moodle and Gradescope keep uploads as they came): open it."""
    zips = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".zip" and p.is_file() and not p.is_symlink())
    if not zips:
        return found
    files = dict(found.files)
    problems = [p for p in found.problems if not any(p.startswith(f"{folder.name}/{z.name}:") for z in zips)]
    for path in zips:
        inner = _from_zip(path, modules, others)
        problems.extend(f"{folder.name}/{p}" for p in inner.problems)
        for module, submitted in inner.files.items():
            _add(files, module, SubmittedFile(f"{folder.name}/{submitted.label}", submitted.raw), problems)
    return replace(found, files=files, problems=tuple(problems))


def _merge(students: dict[str, StudentSubmission], found: StudentSubmission, root: Path) -> None:
    """Add one student's files; an LMS may give a student several folders (Moodle: files and online text)."""
    current = students.get(found.student)
    if current is None:
        students[found.student] = found
        return
    if not (current.aliases or found.aliases):
        raise UsageError(f"{root}: student {found.student!r} appears twice (a folder, a zip or a file of that name)")
    files, problems = dict(current.files), [*current.problems, *found.problems]
    for module, submitted in found.files.items():
        _add(files, module, submitted, problems)
    students[found.student] = StudentSubmission(found.student, files, _capped(problems),
                                                tuple(dict.fromkeys((*current.aliases, *found.aliases))))


def _from_lms_files(student: str, members: list[tuple[Path, str]], modules: set[str], others: frozenset[str],
                    aliases: tuple[str, ...], loose_module: str | None = None) -> StudentSubmission:
    """One student's loose files of a flat LMS export, each known by the name the student gave it.

    Grading one assignment (``loose_module``), a student's only code file whose name names no
    assignment of the course (``hw3_final.py``) is taken as that assignment's file, and that is said.
    """
    files: dict[str, SubmittedFile] = {}
    problems: list[str] = []
    unnamed = [(p, o) for p, o in members if PurePosixPath(o).suffix.lower() in SUFFIXES
               and module_of(PurePosixPath(o).stem, modules | set(others)) is None]
    if loose_module is not None and len(unnamed) == 1 and unnamed[0][0].stat().st_size <= MAX_FILE_BYTES:
        path, original = unnamed[0]
        members = [m for m in members if m[0] != path]
        files[loose_module] = SubmittedFile(path.name, path.read_bytes())
        problems.append(f"{path.name}: graded as {loose_module} (the only code file, and its name '{original}' "
                        "names no assignment)")
    for path, original in members:
        if original.lower().endswith(".zip"):
            inner = _from_zip(path, modules, others)
            problems.extend(inner.problems)
            for module, submitted in inner.files.items():
                _add(files, module, submitted, problems)
            continue
        module = module_of(PurePosixPath(original).stem, modules)
        if module is None or PurePosixPath(original).suffix.lower() not in SUFFIXES:
            problems.extend(unmapped(path.name, modules, others))
        elif path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MiB, ignored")
        else:
            _add(files, module, SubmittedFile(path.name, path.read_bytes()), problems)
    return StudentSubmission(student, files, _capped(problems), aliases or (student,))


def _from_loose_file(path: Path, module: str) -> StudentSubmission:
    if path.stat().st_size > MAX_FILE_BYTES:
        return StudentSubmission(path.stem, {}, (f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MiB, ignored",))
    return StudentSubmission(path.stem, {module: SubmittedFile(path.name, path.read_bytes())})
