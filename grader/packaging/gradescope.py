"""Gradescope's autograder zip: setup.sh, run_autograder, this package and the course files grading needs."""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from grader.errors import UsageError
from grader.spec import Course

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds pyproject.toml and grader/
SKIP_PARTS = {"__pycache__", ".git", ".pytest_cache"}

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (/autograder/source is this zip).
# Environment (for testing this script elsewhere): GRADER_PYTHON (python3), GRADER_VENV (/autograder/venv),
# GRADER_VENV_ARGS and GRADER_PIP_ARGS (extra arguments to venv and pip), GRADER_SKIP_APT=1 (no apt-get).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${GRADER_PYTHON:-python3}"
VENV="${GRADER_VENV:-/autograder/venv}"
if [ -z "${GRADER_SKIP_APT:-}" ] && command -v apt-get >/dev/null 2>&1; then
    # bubblewrap: the sandbox's namespaces; python3-venv: Ubuntu's python3 lacks venv without it
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap \
        || echo "setup.sh: apt-get could not install everything (bubblewrap?): see the isolation note in README.txt" >&2
fi
"$PYTHON" -m venv ${GRADER_VENV_ARGS:-} "$VENV"
# this package and its dependencies (numpy, pyyaml, nbformat, jinja2, tqdm) from the package index
"$VENV/bin/python" -m pip install --quiet ${GRADER_PIP_ARGS:-} "$HERE/package"
# the solutions, mistakes and the course secret: readable by root only (the sandbox runs student code as another uid)
chmod -R go-rwx "$HERE/course" "$HERE/secret"
chmod +x "$HERE/run_autograder"
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission (it copies this file to /autograder/run_autograder).
# GRADER_AUTOGRADER_ROOT (default /autograder), GRADER_VENV and GRADER_ISOLATION move it for testing.
set -uo pipefail
ROOT="${GRADER_AUTOGRADER_ROOT:-/autograder}"
VENV="${GRADER_VENV:-$ROOT/venv}"
mkdir -p "$ROOT/results"
cd "$ROOT/source/course"
exec "$VENV/bin/grader" --course "$ROOT/source/course" --isolation "${GRADER_ISOLATION:-__ISOLATION__}" \
    gradescope "$ROOT/submission" --out "$ROOT/results/results.json" \
    --secret-file "$ROOT/source/secret" __ASSIGNMENTS__
"""

README = """Gradescope autograder for {titles}, built by `grader export gradescope`.

Upload this zip as the assignment's autograder (Ubuntu base image). setup.sh installs the grader and
numpy into /autograder/venv and bubblewrap with apt; run_autograder grades /autograder/submission
with `grader gradescope` into /autograder/results/results.json: one test per case, public cases
visible at once, hidden cases after publishing, the autograder's stdout hidden from students.

Isolation: run_autograder uses --isolation {isolation} (set when exporting; override with
GRADER_ISOLATION); every student's results name the level in force. Gradescope runs the
autograder as root in a container that may not allow namespaces: check the level on a test
submission. At rlimits-only the submission's code can read what the grader reads, the reference
solution included, and could print it into its own feedback; choose it (`grader --isolation
rlimits-only export gradescope ...`) only if you accept that.

The course secret (seeds of the hidden inputs) is in `secret`: keep this zip private.
"""


def _add(archive: zipfile.ZipFile, arcname: str, data: bytes | str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _tree(archive: zipfile.ZipFile, folder: Path, prefix: str, pattern: str = "*") -> None:
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and not SKIP_PARTS & set(path.relative_to(folder).parts) and path.suffix != ".pyc":
            _add(archive, f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())


def export(course: Course, out: Path, slugs: list[str] | None, *, secret: str, isolation: str = "auto") -> Path:
    """Write the autograder zip for ``slugs`` (default: every assignment) to ``out``.

    It holds the grader package, the manifests, case generators and public fixtures of those
    assignments, their reference solutions and catalogued mistakes, and the course secret;
    nothing else of the course (no student templates, examples or tests).
    """
    if not (PACKAGE_ROOT / "pyproject.toml").is_file():
        raise UsageError(f"{PACKAGE_ROOT}: no pyproject.toml beside the grader package: export from a source checkout")
    chosen = slugs or course.slugs()
    assignments = [course.assignment(slug) for slug in chosen]
    out.parent.mkdir(parents=True, exist_ok=True)
    flags = " ".join(f"--assignment {slug}" for slug in chosen)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", SETUP, executable=True)
        _add(archive, "run_autograder", RUN.replace("__ISOLATION__", isolation).replace("__ASSIGNMENTS__", flags),
             executable=True)
        _add(archive, "README.txt", README.format(titles=", ".join(a.title for a in assignments), isolation=isolation))
        _add(archive, "secret", secret + "\n")
        for name in ("pyproject.toml", "README.md"):
            _add(archive, f"package/{name}", (PACKAGE_ROOT / name).read_bytes())
        _tree(archive, PACKAGE_ROOT / "grader", "package/grader")
        for assignment in assignments:
            _tree(archive, assignment.folder, f"course/assignments/{assignment.folder.name}")
            _add(archive, f"course/solutions/{assignment.solution_path.name}", assignment.solution_path.read_bytes())
            if assignment.mistakes_dir.is_dir():
                _tree(archive, assignment.mistakes_dir, f"course/solutions/mistakes/{assignment.mistakes_dir.name}", "*.py")
    return out
