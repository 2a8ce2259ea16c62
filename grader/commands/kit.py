"""`grader kit`: what students get: stubs, notebooks, handouts, public fixtures and an installable grader.

Nothing from solutions/ and no case generator (assignments/<slug>/cases.py) goes in. The course
files the grader needs to check work (manifests and public fixtures) are also packaged inside the
installable grader, so `grader check` and the notebooks' check cells find them from any folder,
with no environment variable.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from grader import __version__
from grader.errors import UsageError
from grader.notebook_build import render_handout
from grader.spec import Course

PACKAGED_COURSE = "course"  # grader/course/ inside the kit's package: found by grader.spec.find_course

PYPROJECT = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "dl-grader"
version = "{version}"
description = "Local checks for the deep-learning assignments (student kit: no solutions)"
requires-python = ">=3.11"
dependencies = ["numpy>=1.24", "pyyaml>=6", "nbformat>=5.7", "jinja2>=3.1", "tqdm>=4.60", "pyseccomp>=0.1.2"]

[project.scripts]
grader = "grader.cli:main"

[project.entry-points.pytest11]
grader = "grader.pytest_plugin"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
"grader.reports" = ["templates/*.j2"]
"grader" = ["course/assignments/*/assignment.yaml", "course/assignments/*/handout.md",
            "course/assignments/*/public/*.json"]
"""

README = """# {title}: student kit

What you need to do the assignments and check your work locally. The hidden cases that decide the
grade use other inputs (your own), so passing the public cases here is necessary, not sufficient.

1. Install the checker once (a virtual environment is a good idea):

       python3 -m venv .venv && . .venv/bin/activate
       pip install ./grader-package

2. Fill in the stubs in `student_template/` (the `.py` files or the notebooks, whichever you prefer);
   each assignment's handout is `assignments/<name>/handout.md` and the top of its notebook.

3. Check your work:

       grader check perceptron --path student_template/perceptron.py
       grader check perceptron --path student_template/perceptron.ipynb

   or run the check cells in the notebooks.

Assignments: {slugs}.
"""


def kit_files(course: Course) -> dict[str, bytes]:
    """Every file of the kit, by its path inside the kit."""
    files: dict[str, bytes] = {}
    engine = Path(__file__).resolve().parent.parent
    for path in sorted(engine.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".j2"):
            if PACKAGED_COURSE in path.relative_to(engine).parts[:1]:
                continue
            files[f"grader-package/grader/{path.relative_to(engine).as_posix()}"] = path.read_bytes()
    files["grader-package/pyproject.toml"] = PYPROJECT.format(version=__version__).encode()
    slugs = course.slugs()
    for slug in slugs:
        assignment = course.assignment(slug)
        public = {
            f"assignments/{slug}/assignment.yaml": (assignment.folder / "assignment.yaml").read_bytes(),
            f"assignments/{slug}/handout.md": render_handout(assignment).encode("utf-8"),
        }
        if not assignment.fixtures_path.is_file():
            raise UsageError(f"{assignment.fixtures_path}: public fixtures missing: run `grader build` first")
        public[f"assignments/{slug}/public/{assignment.fixtures_path.name}"] = assignment.fixtures_path.read_bytes()
        for suffix in (".py", ".ipynb"):
            stub = course.template_dir / f"{assignment.module}{suffix}"
            if stub.is_file():
                files[f"student_template/{stub.name}"] = stub.read_bytes()
        files.update(public)
        files.update({f"grader-package/grader/{PACKAGED_COURSE}/{name}": data for name, data in public.items()})
    title = course.root.name
    files["README.md"] = README.format(title=title, slugs=", ".join(slugs)).encode()
    return files


def build_kit(course: Course, out: Path) -> Path:
    """Write the kit to the folder ``out`` (must not exist or be empty), or to a zip when ``out`` ends in .zip."""
    files = kit_files(course)
    if out.suffix.lower() == ".zip":
        if out.is_dir():
            raise UsageError(f"{out}: a folder; name a .zip file or a folder without .zip")
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in files.items():
                    archive.writestr(f"{out.stem}/{name}", data)
            os.replace(tmp, out)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out}: exists and is not an empty folder; choose a new folder for the kit")
    staging = Path(tempfile.mkdtemp(prefix=".kit-", dir=out.parent if out.parent.exists() else None))
    try:
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out.exists():
            out.rmdir()
        shutil.move(str(staging), str(out))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def render(out: Path, course: Course) -> str:
    return (f"wrote the student kit to {out} ({', '.join(course.slugs())}): stubs, notebooks, handouts, public "
            "fixtures and an installable grader; no solutions, no case generators")
