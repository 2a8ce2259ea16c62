"""Split a class into shards graded apart (a cluster's job array) and check that shards fit together."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.errors import GraderError, UsageError

MANIFEST = "shard.json"


class ShardError(GraderError):
    """Shard outputs that cannot be merged: overlapping, missing or graded with different settings."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """``K/N`` with 1 <= K <= N."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 1/4")
        return cls(int(match[1]), int(match[2]))

    def holds(self, student: str) -> bool:
        """Whether ``student`` belongs to this shard: a stable hash of the name, the same on every machine."""
        digest = hashlib.sha256(student.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def course_digest(graders) -> str:
    """Identifies the course files of the graded assignments (not the secret or grader version)."""
    h = hashlib.sha256()
    for grader in sorted(graders, key=lambda g: g.assignment.slug):
        h.update(grader.files_digest().encode() + b"\x00")
    return h.hexdigest()


def secret_fingerprint(secret: str) -> str:
    """Tells secrets apart without revealing them."""
    return hashlib.sha256(b"dl-grader secret fingerprint\x00" + secret.encode("utf-8")).hexdigest()[:16]


def manifest(shard: Shard, slugs: list[str], course_digest: str, secret: str, students: dict[str, str]) -> dict:
    """What a shard's output records about how it was graded; ``students`` maps names to report file stems."""
    return {"shard": str(shard), "grader_version": __version__, "course_digest": course_digest,
            "secret_fingerprint": secret_fingerprint(secret), "assignments": list(slugs),
            "students": dict(sorted(students.items()))}


def write_manifest(out: Path, data: dict) -> None:
    from grader.reports.gradebook import atomic_write

    atomic_write(out / MANIFEST, json.dumps(data, indent=1) + "\n")


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShardError(f"no {MANIFEST}: not the output of `grader grade --shard K/N`", path=str(folder)) from None
    except (OSError, ValueError) as exc:
        raise ShardError(f"cannot read {MANIFEST}: {exc}", path=str(folder)) from exc
    keys = ("shard", "grader_version", "course_digest", "secret_fingerprint", "assignments", "students")
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise ShardError(f"{MANIFEST} lacks {', '.join(k for k in keys if k not in (data or {}))}", path=str(folder))
    return data


SAME = {"grader_version": "grader version", "course_digest": "course files (solutions, cases, manifests)",
        "secret_fingerprint": "course secret", "assignments": "assignments"}


def check_fit(manifests: list[tuple[Path, dict]]) -> None:
    """Refuse shards that overlap, leave some out, or were graded with different settings."""
    if not manifests:
        raise UsageError("merge needs at least one shard folder")
    first_path, first = manifests[0]
    seen_shards: dict[str, Path] = {}
    owner: dict[str, Path] = {}
    for path, data in manifests:
        for key, words in SAME.items():
            if data[key] != first[key]:
                raise ShardError(f"graded with different {words} than {first_path} "
                                 f"({data[key]!r} vs {first[key]!r}): regrade one of them", path=str(path))
        shard = Shard.parse(data["shard"])
        if shard.count != Shard.parse(first["shard"]).count:
            raise ShardError(f"shard {shard} does not belong with {first_path}'s {first['shard']}", path=str(path))
        if data["shard"] in seen_shards:
            raise ShardError(f"shard {shard} given twice (also {seen_shards[data['shard']]})", path=str(path))
        seen_shards[data["shard"]] = path
        for student in data["students"]:
            if student in owner:
                raise ShardError(f"student {student!r} is also in {owner[student]}: shards overlap", path=str(path))
            owner[student] = path
    count = Shard.parse(first["shard"]).count
    missing = [f"{k}/{count}" for k in range(1, count + 1) if f"{k}/{count}" not in seen_shards]
    if missing:
        raise ShardError(f"shard(s) {', '.join(missing)} missing: merge every shard of the class at once")
