"""The course secret: `grader secret` makes one, short ones are refused, hidden seeds are an HMAC under it."""
from __future__ import annotations

import hashlib
import hmac

from grader.cases import DEFAULT_SECRET, MIN_SECRET, case_seed
from grader.cli import main


def test_grader_secret_prints_a_fresh_long_secret(capsys):
    main(["secret"])
    main(["secret"])
    first, second = capsys.readouterr().out.split()
    assert first != second and len(first) >= 32


def test_a_short_secret_is_refused_with_a_clear_message(tmp_path, capsys, monkeypatch, course):
    short = tmp_path / "secret.txt"
    short.write_text("too-short\n")
    monkeypatch.chdir(course.root)
    code = main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--secret-file", str(short)])
    err = capsys.readouterr().err
    assert code == 2 and "at least 16" in err and "grader secret" in err
    monkeypatch.setenv("GRADER_SECRET", "short")
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "out")]) == 2


def test_hidden_seeds_are_an_hmac_of_student_assignment_and_case():
    secret = "s" * MIN_SECRET
    digest = hmac.new(secret.encode(), b"alice\x1fconv\x1fcase", hashlib.sha256).digest()
    assert case_seed("conv", "case", "alice", secret) == int.from_bytes(digest[:8], "little")
    assert case_seed("conv", "case", "alice", secret) != case_seed("conv", "case", "alice", secret + "x")
    assert case_seed("conv", "case", None, secret) == case_seed("conv", "case", None, "other-secret-1234")
    assert len(DEFAULT_SECRET) >= MIN_SECRET
