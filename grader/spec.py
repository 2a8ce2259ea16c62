"""Load and validate an assignment: its manifest, case module, reference solution and mistakes."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Callable

import yaml

from grader.checks import Tolerance
from grader.compiled import FLAGS
from grader.errors import SpecError, UsageError
from grader.schema import Key, ListOf, Mapping, Validator, identifier, non_negative, positive

SCHEMA_VERSION = 1

TOLERANCE = Mapping(
    {
        "rtol": Key(float, "relative tolerance for floats", 1e-6, check=non_negative),
        "atol": Key(float, "absolute tolerance, scaled by max(1, max|expected|)", 1e-8, check=non_negative),
        "exact": Key(bool, "compare for exact equality (integers, exactly representable floats)", False),
    },
    "tolerance",
)

LIMITS = Mapping(
    {
        "time_seconds": Key(float, "wall-clock limit of one case, in seconds", 5.0, check=positive),
        "memory_mb": Key(int, "address space the student's code may add, in MiB", 512, check=positive),
        "file_size_mb": Key(int, "largest file the student's code may write, in MiB", 16, check=positive),
        "processes": Key(int, "processes and threads the student's code may have at once", 16, check=positive),
    },
    "limits",
)

# A case's tolerance override: keys it leaves out inherit the assignment's tolerance (None here).
CASE_TOLERANCE = Mapping(
    {name: Key(key.kind, f"{key.description} (absent: the assignment's value)", None, check=key.check)
     for name, key in TOLERANCE.keys.items()},
    "tolerance",
)


def _positive_or_none(value: Any) -> str | None:
    """Check: absent (None) or a number above zero."""
    return None if value is None else positive(value)


CASE = Mapping(
    {
        "name": Key(str, "unique case name; also the default generator", check=identifier),
        "points": Key(float, "points the case is worth", check=non_negative),
        "visibility": Key(str, "public cases ship with stored expected values; hidden ones are seeded per student", "hidden", choices=("public", "hidden")),
        "generator": Key(str, "function in cases.py that makes the probe from a seeded rng (default: the case name)", "", ),
        "checks": Key(ListOf(str, 1), "'reference' (compare with the reference output) and/or names of property functions in cases.py", lambda: ["reference"]),
        "tolerance": Key((CASE_TOLERANCE, type(None)), "overrides the assignment's tolerance for this case", None),
        "time_seconds": Key((float, type(None)), "overrides limits.time_seconds for this case", None, check=_positive_or_none),
        "description": Key(str, "what the case checks, shown to students", ""),
        "kind": Key(str, "'answer': the case grades what the functions compute; 'validation': it grades only that bad "
                    "input is rejected, so a do-nothing answer that raises like the reference may earn it (validate "
                    "caps validation cases at 10% of the assignment)", "answer", choices=("answer", "validation")),
    },
    "case",
)

PART = Mapping(
    {
        "name": Key(str, "part name (usually the function it grades)", check=identifier),
        "title": Key(str, "heading shown in reports and the notebook", ""),
        "functions": Key(ListOf(str), "student functions written in this part (one notebook cell each)", list),
        "cases": Key(ListOf(CASE, 1), "the cases of this part"),
    },
    "part",
)

_FACTOR = "means in this assignment, said to the student; empty: the factor is stated and no cause guessed"
FACTOR_MEANINGS = Mapping(
    {
        "twice": Key(str, f"what an output exactly twice the expected {_FACTOR}", ""),
        "half": Key(str, f"what an output exactly half the expected {_FACTOR}", ""),
        "sign": Key(str, f"what an output with the opposite sign {_FACTOR}", ""),
        "whole_number": Key(str, f"what an output off by a whole number k (or 1/k), e.g. m or T, {_FACTOR}", ""),
        "other": Key(str, "what an output off by any other constant factor means (lr, 1/(1-p)); empty: such a factor is not named", ""),
    },
    "factor meanings",
)

MANIFEST = Mapping(
    {
        "schema_version": Key(int, f"manifest format version; this grader reads {SCHEMA_VERSION}"),
        "title": Key(str, "the assignment's title"),
        "description": Key(str, "one paragraph for the handout", ""),
        "module": Key(str, "the student's module name, file <module>.py (default: the folder name)", ""),
        "solution": Key(str, "reference module under solutions/ (default: the module name)", ""),
        "limits": Key(LIMITS, "sandbox limits for every case", dict),
        "tolerance": Key(TOLERANCE, "default float tolerance", dict),
        "check_mutation": Key(bool, "fail a case whose calls modify their inputs in place", True),
        "hidden_feedback": Key(str, "what a failed hidden case shows: 'summary' (shape, dtype, how many values, the largest "
                               "error, the first differing index and the description, never the hidden inputs or the "
                               "expected array) or 'full' (everything, e.g. once the deadline has passed)", "summary",
                               choices=("summary", "full")),
        "parts": Key(ListOf(PART, 1), "the graded parts, in handout order"),
        "factor_meanings": Key(FACTOR_MEANINGS, "what a constant factor between a wrong output and the expected one means here", dict),
    },
    "manifest",
)


@dataclass(frozen=True)
class CaseSpec:
    """One case of the manifest, with its inherited settings resolved."""

    name: str
    part: str
    points: float
    visibility: str
    generator: str
    checks: tuple[str, ...]
    tolerance: Tolerance
    time_seconds: float
    description: str = ""
    kind: str = "answer"  # answer | validation

    @property
    def public(self) -> bool:
        return self.visibility == "public"


@dataclass(frozen=True)
class PartSpec:
    """A graded part: its functions and cases."""

    name: str
    title: str
    functions: tuple[str, ...]
    cases: tuple[CaseSpec, ...]


@dataclass(frozen=True)
class Limits:
    """Sandbox limits of an assignment."""

    time_seconds: float = 5.0
    memory_mb: int = 512
    file_size_mb: int = 16
    processes: int = 16

    def for_child(self) -> dict:
        """The limits a sandbox child gets besides each case's time (one dict for every run of a
        submission, so a session recognises its follow-up runs)."""
        return {"memory_mb": self.memory_mb, "file_size_mb": self.file_size_mb, "processes": self.processes}


@dataclass(frozen=True)
class Course:
    """The folders of a course repository."""

    root: Path

    @property
    def assignments_dir(self) -> Path:
        return self.root / "assignments"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def template_dir(self) -> Path:
        return self.root / "student_template"

    def slugs(self) -> list[str]:
        """Every assignment folder holding a manifest, sorted."""
        if not self.assignments_dir.is_dir():
            raise UsageError(f"no assignments/ folder in {self.root}")
        return sorted(p.name for p in self.assignments_dir.iterdir() if (p / "assignment.yaml").is_file())

    def assignment(self, slug: str) -> "Assignment":
        """Load and validate one assignment."""
        folder = self.assignments_dir / slug
        if not (folder / "assignment.yaml").is_file():
            known = ", ".join(self.slugs()) or "none"
            raise UsageError(f"unknown assignment {slug!r} (known: {known})")
        return load_assignment(self, folder)


@dataclass(frozen=True, eq=False)
class Assignment:
    """A validated assignment folder."""

    course: Course
    slug: str
    folder: Path
    title: str
    description: str
    module: str
    solution: str
    limits: Limits
    check_mutation: bool
    parts: tuple[PartSpec, ...]
    hidden_feedback: str = "summary"
    factor_meanings: dict = field(default_factory=dict)

    @property
    def cases(self) -> tuple[CaseSpec, ...]:
        return tuple(c for p in self.parts for c in p.cases)

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.cases)

    @property
    def functions(self) -> tuple[str, ...]:
        return tuple(f for p in self.parts for f in p.functions)

    def case(self, name: str) -> CaseSpec:
        for c in self.cases:
            if c.name == name:
                return c
        raise UsageError(f"{self.slug} has no case {name!r}")

    @property
    def fixtures_path(self) -> Path:
        return self.folder / "public" / "fixtures.json"

    @property
    def solution_path(self) -> Path:
        return self.course.solutions_dir / f"{self.solution}.py"

    @property
    def mistakes_dir(self) -> Path:
        return self.course.solutions_dir / "mistakes" / self.slug

    @property
    def template_path(self) -> Path:
        return self.course.template_dir / f"{self.module}.py"

    @cached_property
    def case_module(self) -> ModuleType:
        """assignments/<slug>/cases.py, imported (trusted course code, parent process only)."""
        path = self.folder / "cases.py"
        if not path.is_file():
            raise SpecError("missing cases.py (the case generators)", path=str(path))
        return import_file(path, f"grader_cases_{self.slug}")

    def generator(self, case: CaseSpec) -> Callable:
        fn = getattr(self.case_module, case.generator, None)
        if not callable(fn):
            raise SpecError(f"case {case.name!r}: no generator function {case.generator!r}", path=str(self.folder / "cases.py"))
        return fn

    def property_check(self, name: str) -> Callable:
        fn = getattr(self.case_module, name, None)
        if not callable(fn):
            raise SpecError(f"no property check function {name!r}", path=str(self.folder / "cases.py"))
        return fn


def import_file(path: Path, name: str, extra_source: str | None = None) -> ModuleType:
    """Import a trusted course file as a fresh module; errors become SpecError naming the file."""
    return module_from(compile_course_file(path, extra_source), name, path)


def compile_course_file(path: Path, extra_source: str | None = None) -> tuple[CodeType, ...]:
    """The code of a trusted course file, then of ``extra_source`` overriding parts of it (a mistake).

    Compiled with postponed annotations, as the course's modules always were. SpecError naming the
    file when it cannot be read or compiled.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        codes = [compile(source, str(path), "exec", flags=FLAGS, dont_inherit=True)]
        if extra_source is not None:
            codes.append(compile(extra_source, "<override>", "exec", flags=FLAGS, dont_inherit=True))
    except (SyntaxError, ValueError) as exc:
        raise SpecError(f"failed to import: {type(exc).__name__}: {exc}", path=str(path)) from exc
    return tuple(codes)


def module_from(codes: tuple[CodeType, ...], name: str, path: Path) -> ModuleType:
    """A fresh module running ``codes`` (from compile_course_file) in order; errors become SpecError naming ``path``."""
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and pickling-free introspection need it registered
    try:
        for code in codes:
            exec(code, module.__dict__)
    except Exception as exc:  # course code is ours: report it clearly, not as a traceback
        sys.modules.pop(name, None)
        raise SpecError(f"failed to import: {type(exc).__name__}: {exc}", path=str(path)) from exc
    return module


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when pyyaml has it: manifests load ~10x faster


def load_assignment(course: Course, folder: Path) -> Assignment:
    """Read and validate ``folder/assignment.yaml``."""
    path = folder / "assignment.yaml"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {exc.start}): save the manifest as UTF-8", path=str(path)) from exc
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    validator = Validator(str(path))
    if isinstance(raw, dict) and raw.get("schema_version") not in (None, SCHEMA_VERSION):
        validator.fail("schema_version", f"this grader reads version {SCHEMA_VERSION}, got {raw.get('schema_version')!r}")
        validator.raise_if_failed()
    data = validator.mapping(MANIFEST, raw, "")
    validator.raise_if_failed()
    return _build(course, folder, data, validator)


def _tolerance(data: dict | None, base: Tolerance) -> Tolerance:
    """``base`` with the keys ``data`` sets (a key that is absent or None keeps the base's value)."""
    if not data:
        return base
    def pick(key: str) -> Any:
        return getattr(base, key) if data.get(key) is None else data[key]
    return Tolerance(rtol=pick("rtol"), atol=pick("atol"), exact=pick("exact"))


def _build(course: Course, folder: Path, data: dict[str, Any], validator: Validator) -> Assignment:
    slug = folder.name
    module = data["module"] or slug
    limits = Limits(**data["limits"])
    base_tol = _tolerance(data["tolerance"], Tolerance())
    seen: dict[str, str] = {}
    parts = []
    for i, part in enumerate(data["parts"]):
        if any(p.name == part["name"] for p in parts):
            validator.fail(f"parts[{i}].name", f"duplicate part name {part['name']!r}")
        cases = []
        for j, case in enumerate(part["cases"]):
            where = f"parts[{i}].cases[{j}].name"
            if case["name"] in seen:
                validator.fail(where, f"duplicate case name {case['name']!r} (also in part {seen[case['name']]!r})")
            seen[case["name"]] = part["name"]
            cases.append(
                CaseSpec(
                    name=case["name"],
                    part=part["name"],
                    points=float(case["points"]),
                    visibility=case["visibility"],
                    generator=case["generator"] or case["name"],
                    checks=tuple(case["checks"]),
                    tolerance=_tolerance(case["tolerance"], base_tol),
                    time_seconds=float(limits.time_seconds if case["time_seconds"] is None else case["time_seconds"]),
                    description=case["description"],
                    kind=case["kind"],
                )
            )
        parts.append(PartSpec(part["name"], part["title"] or part["name"], tuple(part["functions"]), tuple(cases)))
    validator.raise_if_failed()
    return Assignment(
        course=course, slug=slug, folder=folder, title=data["title"], description=data["description"],
        module=module, solution=data["solution"] or module, limits=limits,
        check_mutation=data["check_mutation"], parts=tuple(parts), hidden_feedback=data["hidden_feedback"],
        factor_meanings={k: v for k, v in data["factor_meanings"].items() if v},
    )


def find_course(explicit: str | None = None) -> Course:
    """The course root: ``--course``, else $GRADER_COURSE, else the nearest folder up with assignments/."""
    if explicit:
        root = Path(explicit)
        if not (root / "assignments").is_dir():
            raise UsageError(f"{root} is not a course folder (it has no assignments/)")
        return Course(root.resolve())
    env = os.environ.get("GRADER_COURSE")
    if env:
        return find_course(env)
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "assignments").is_dir():
            return Course(candidate)
    for packaged in (Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent / "course"):
        if (packaged / "assignments").is_dir():  # the repository itself, or a student kit's installed grader
            return Course(packaged)
    raise UsageError("no course folder found: run inside the course folder, pass --course DIR or set GRADER_COURSE=DIR")
