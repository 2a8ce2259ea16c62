"""`grader merge`: one gradebook, summary and set of reports from the outputs of `grader grade --shard`."""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.commands.grade import GradeRun, write_class
from grader.reports.gradebook import read_student_json
from grader.shards import ShardError, check_fit, read_manifest


def merge(folders: list[Path], out: Path) -> GradeRun:
    """Check that ``folders`` are every shard of one class graded alike, then write the class's outputs to ``out``."""
    manifests = [(folder, read_manifest(folder)) for folder in folders]
    check_fit(manifests)
    out.mkdir(parents=True, exist_ok=True)
    run = GradeRun(out)
    people: dict[str, dict] = {}
    stems: dict[str, str] = {}
    for folder, data in manifests:
        for student, stem in data["students"].items():
            if stem.lower() in stems:  # report names are chosen per shard: two shards may pick one name
                raise ShardError(f"students {stems[stem.lower()]!r} and {student!r} of different shards have the same "
                                 f"report name {stem!r}: grade the class without shards", path=str(folder))
            stems[stem.lower()] = student
            people[student] = {"report": stem}
            results = read_student_json(folder / f"{stem}.json")
            if results is None:
                raise ShardError(f"{stem}.json (student {student!r}) is missing or unreadable", path=str(folder))
            run.rows[student] = results
            for suffix in (".json", ".html"):
                source, target = folder / f"{stem}{suffix}", out / f"{stem}{suffix}"
                if source.is_file() and source.resolve() != target.resolve():
                    shutil.copyfile(source, target)
    run.isolation, run.summary = write_class(out, run.rows, manifests[0][1]["assignments"], people)
    return run
