"""A whole class's LMS export as one zip: unpacked into a private temporary folder, safely."""
from __future__ import annotations

import contextlib
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from grader.errors import UsageError
from grader.intake import lms

MAX_EXPORT_BYTES = 2 * 1024**3


@contextlib.contextmanager
def unpacked(path: Path) -> Iterator[Path]:
    """The zip's members under a temporary folder (removed afterwards); members with absolute paths or
    ``..`` are skipped, and an export larger than 2 GiB unpacked is refused."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path}: not a readable zip of submissions ({exc})") from exc
    with archive, tempfile.TemporaryDirectory(prefix="grader-export-") as tmp:
        if sum(info.file_size for info in archive.infolist()) > MAX_EXPORT_BYTES:
            raise UsageError(f"{path}: larger than {MAX_EXPORT_BYTES // 1024**3} GiB unpacked; unpack it yourself")
        root = Path(tmp) / path.stem
        for info in archive.infolist():
            member = PurePosixPath(info.filename)
            if member.is_absolute() or ".." in member.parts or info.is_dir():
                continue
            target = root.joinpath(*member.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
        # an export that holds one folder (as most do) is that folder
        inner = [p for p in root.iterdir() if not p.name.startswith((".", "__MACOSX"))] if root.is_dir() else []
        yield inner[0] if len(inner) == 1 and inner[0].is_dir() and not _is_student(inner[0]) else root


def _is_student(folder: Path) -> bool:
    """A folder that holds code directly (not named by an LMS) is a student, not the export's wrapper folder."""
    return any(p.suffix.lower() in (".py", ".ipynb") and lms.parse(p.name) is None for p in folder.iterdir())
