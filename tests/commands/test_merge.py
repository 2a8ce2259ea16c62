"""`grader grade --shard K/N` and `grader merge`: shards graded apart add up to exactly a single run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_course
from grader.cli import main

CORRECT = "import numpy as np\n\ndef double(x):\n    return 2.0 * np.asarray(x, dtype=np.float64)\n\ndef total(x):\n    return float(np.sum(x))\n"
WRONG = CORRECT.replace("2.0 *", "1.0 *")


@pytest.fixture(scope="module")
def tiny_class(tmp_path_factory):
    """A tiny course and ten students, some right and some wrong."""
    root = tmp_path_factory.mktemp("merge")
    course = make_course(root / "course")
    subs = root / "subs"
    for i in range(10):
        folder = subs / f"student{i}"
        folder.mkdir(parents=True)
        (folder / "tiny.py").write_text(CORRECT if i % 3 else WRONG)
    return course, subs, root


def grade_cli(course, subs, out, *extra, secret="s3cret-of-the-merge-tests"):
    env = {**os.environ, "GRADER_SECRET": secret, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen([sys.executable, "-m", "grader", "--course", str(course.root), "grade", str(subs),
                             "--out", str(out), "--jobs", "1", "--no-progress", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def results_of(folder: Path, student: str) -> list:
    data = json.loads((folder / f"{student}.json").read_text())
    for assignment in data["assignments"]:
        for case in assignment["cases"]:
            case.pop("seconds")
    return data["assignments"]


@pytest.fixture(scope="module")
def shards_and_single(tiny_class):
    course, subs, root = tiny_class
    running = [grade_cli(course, subs, root / f"shard{k}", "--shard", f"{k}/2") for k in (1, 2)]
    running.append(grade_cli(course, subs, root / "single"))
    for process in running:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    return root


def test_two_shards_graded_in_parallel_merge_into_exactly_the_gradebook_of_one_run(shards_and_single, capsys):
    root = shards_and_single
    one = {p.stem for p in (root / "shard1").glob("student*.json")}
    two = {p.stem for p in (root / "shard2").glob("student*.json")}
    assert one and two and not one & two and len(one | two) == 10  # each student in exactly one shard
    assert main(["merge", str(root / "shard1"), str(root / "shard2"), "--out", str(root / "merged")]) == 0
    assert (root / "merged" / "gradebook.csv").read_text() == (root / "single" / "gradebook.csv").read_text()
    for student in one | two:
        assert results_of(root / "merged", student) == results_of(root / "single", student)
        assert (root / "merged" / f"{student}.html").is_file()
    summary = json.loads((root / "merged" / "summary.json").read_text())
    assert summary == json.loads((root / "single" / "summary.json").read_text())


def test_merge_refuses_a_shard_given_twice_a_missing_shard_and_overlapping_students(shards_and_single, capsys):
    root = shards_and_single
    assert main(["merge", str(root / "shard1"), str(root / "shard1"), "--out", str(root / "bad")]) == 2
    assert "given twice" in capsys.readouterr().err
    assert main(["merge", str(root / "shard1"), "--out", str(root / "bad")]) == 2
    assert "2/2 missing" in capsys.readouterr().err
    manifest = json.loads((root / "shard2" / "shard.json").read_text())
    manifest["students"].update(json.loads((root / "shard1" / "shard.json").read_text())["students"])
    forged = root / "forged"
    forged.mkdir()
    (forged / "shard.json").write_text(json.dumps(manifest))
    assert main(["merge", str(root / "shard1"), str(forged), "--out", str(root / "bad")]) == 2
    assert "shards overlap" in capsys.readouterr().err
    assert main(["merge", str(root / "single"), "--out", str(root / "bad")]) == 2
    assert "not the output of `grader grade --shard K/N`" in capsys.readouterr().err


def test_merge_refuses_shards_graded_with_another_secret_or_other_course_files(tiny_class, shards_and_single, capsys):
    course, subs, root = tiny_class
    process = grade_cli(course, subs, root / "other_secret", "--shard", "2/2", secret="another-secret-of-the-merge-tests")
    assert process.communicate(timeout=300) and process.returncode == 0
    assert main(["merge", str(root / "shard1"), str(root / "other_secret"), "--out", str(root / "bad")]) == 2
    assert "different course secret" in capsys.readouterr().err
    manifest = json.loads((root / "shard2" / "shard.json").read_text())
    for key, words in (("course_digest", "different course files"), ("grader_version", "different grader version")):
        changed = root / f"changed_{key}"
        changed.mkdir()
        (changed / "shard.json").write_text(json.dumps({**manifest, key: "0000"}))
        assert main(["merge", str(root / "shard1"), str(changed), "--out", str(root / "bad")]) == 2
        assert words in capsys.readouterr().err
    assert not (root / "bad" / "gradebook.csv").exists()
