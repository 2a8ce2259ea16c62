"""grader.submissions: one student per folder or zip; unreadable files cost that student only, with a clear reason."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import submissions
from grader.errors import SubmissionError, UsageError
from grader.submissions import SubmittedFile, discover, read_file, read_source

MODULES = {"perceptron", "conv"}


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def make_zip(path: Path, members: dict[str, str | bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def notebook(*sources: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]))


def by_student(root: Path) -> dict:
    return {s.student: s for s in discover(root, MODULES)}


# --- discover ---------------------------------------------------------------------------------


def test_each_folder_is_one_student_and_nested_files_are_found(tmp_path):
    write(tmp_path / "alice" / "hw" / "week3" / "perceptron.py", "A = 1\n")
    write(tmp_path / "alice" / "conv.py", "B = 2\n")
    write(tmp_path / "alice" / "notes.txt", "not code")
    write(tmp_path / "alice" / "helpers.py", "not an assignment module")
    write(tmp_path / "bob" / "perceptron.py", "C = 3\n")
    found = discover(tmp_path, MODULES)
    assert [s.student for s in found] == ["alice", "bob"]
    alice = found[0]
    assert set(alice.files) == {"perceptron", "conv"}
    assert alice.files["perceptron"].label == "alice/hw/week3/perceptron.py"
    assert alice.files["perceptron"].raw == b"A = 1\n"
    assert alice.problems == (  # every file left out is said, per file
        "alice/helpers.py: ignored, its name is not an assignment being graded (expected conv, perceptron as .py or .ipynb)",
        "alice/notes.txt: ignored (only .py and .ipynb files are graded)")


def test_each_zip_is_one_student_with_members_anywhere(tmp_path):
    make_zip(tmp_path / "carol.zip", {"submission/code/perceptron.py": "A = 1\n", "conv.ipynb": notebook("B = 2")})
    (carol,) = discover(tmp_path, MODULES)
    assert carol.student == "carol"
    assert carol.files["perceptron"].label == "carol.zip:submission/code/perceptron.py"
    assert carol.files["perceptron"].raw == b"A = 1\n"
    assert carol.files["conv"].is_notebook


def test_macos_metadata_and_notebook_checkpoints_are_ignored_in_zips(tmp_path):
    make_zip(tmp_path / "dan.zip", {
        "__MACOSX/hw/perceptron.py": "MAC = 1\n",
        "hw/.ipynb_checkpoints/perceptron.ipynb": notebook("OLD = 1"),
        "hw/perceptron.py": "REAL = 1\n",
    })
    (dan,) = discover(tmp_path, MODULES)
    assert dan.files["perceptron"].raw == b"REAL = 1\n"
    assert dan.problems == ()


def test_notebook_checkpoints_are_ignored_in_folders(tmp_path):
    write(tmp_path / "erin" / ".ipynb_checkpoints" / "perceptron.ipynb", notebook("OLD = 1"))
    write(tmp_path / "erin" / "perceptron.ipynb", notebook("NEW = 1"))
    erin = by_student(tmp_path)["erin"]
    assert erin.files["perceptron"].label == "erin/perceptron.ipynb"
    assert erin.problems == ()


def test_a_py_file_beats_a_notebook_in_a_folder_and_the_notebook_is_noted(tmp_path):
    write(tmp_path / "fay" / "perceptron.ipynb", notebook("NB = 1"))  # sorts before perceptron.py
    write(tmp_path / "fay" / "perceptron.py", "PY = 1\n")
    fay = by_student(tmp_path)["fay"]
    assert fay.files["perceptron"].label == "fay/perceptron.py"
    assert len(fay.problems) == 1 and "fay/perceptron.ipynb" in fay.problems[0] and "ignored" in fay.problems[0]


@pytest.mark.parametrize("order", [("hw/perceptron.py", "hw/perceptron.ipynb"), ("hw/perceptron.ipynb", "hw/perceptron.py")])
def test_a_py_file_beats_a_notebook_in_a_zip_whatever_the_member_order(tmp_path, order):
    contents = {"hw/perceptron.py": "PY = 1\n", "hw/perceptron.ipynb": notebook("NB = 1")}
    make_zip(tmp_path / "gus.zip", {name: contents[name] for name in order})
    (gus,) = discover(tmp_path, MODULES)
    assert gus.files["perceptron"].label == "gus.zip:hw/perceptron.py"
    assert len(gus.problems) == 1 and "gus.zip:hw/perceptron.ipynb" in gus.problems[0]


def test_a_second_file_for_the_same_module_is_ignored_with_a_problem(tmp_path):
    write(tmp_path / "hal" / "a" / "perceptron.py", "FIRST = 1\n")
    write(tmp_path / "hal" / "b" / "perceptron.py", "SECOND = 1\n")
    hal = by_student(tmp_path)["hal"]
    assert hal.files["perceptron"].raw == b"FIRST = 1\n"
    assert hal.problems == ("hal/b/perceptron.py: ignored, already grading hal/a/perceptron.py",)


def test_oversized_files_are_ignored_with_a_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_FILE_BYTES", 100)
    write(tmp_path / "ivy" / "perceptron.py", "X = 1\n" * 50)
    write(tmp_path / "ivy" / "conv.py", "Y = 1\n")
    make_zip(tmp_path / "jon.zip", {"perceptron.py": "X = 1\n" * 50, "conv.py": "Y = 1\n"})
    found = by_student(tmp_path)
    for student in ("ivy", "jon"):
        sub = found[student]
        assert set(sub.files) == {"conv"}
        assert len(sub.problems) == 1
        assert "perceptron.py" in sub.problems[0] and "ignored" in sub.problems[0]


def test_a_broken_zip_is_a_problem_not_an_exception(tmp_path):
    write(tmp_path / "kim.zip", b"PK\x03\x04 this is not really a zip")
    write(tmp_path / "lea" / "perceptron.py", "A = 1\n")
    found = by_student(tmp_path)
    assert found["kim"].files == {}
    assert len(found["kim"].problems) == 1 and "kim.zip: not a readable zip" in found["kim"].problems[0]
    assert set(found["lea"].files) == {"perceptron"}


def test_a_zip_member_with_corrupt_compressed_data_is_a_problem_not_an_exception(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("perceptron.py", "def f(x):\n    return x\n" * 200)
    data = bytearray(buffer.getvalue())
    start = 30 + len("perceptron.py")  # the compressed bytes follow the local header
    for i in range(start, start + 16):
        data[i] ^= 0xFF
    write(tmp_path / "max.zip", bytes(data))
    (mx,) = discover(tmp_path, MODULES)
    assert mx.files == {}
    assert "max.zip: not a readable zip" in mx.problems[0]


def test_a_folder_and_a_zip_for_the_same_student_is_a_usage_error(tmp_path):
    write(tmp_path / "ned" / "perceptron.py", "A = 1\n")
    make_zip(tmp_path / "ned.zip", {"perceptron.py": "A = 2\n"})
    with pytest.raises(UsageError, match="'ned' appears twice"):
        discover(tmp_path, MODULES)


def test_hidden_entries_loose_files_and_symlinks_are_not_students(tmp_path):
    write(tmp_path / ".git" / "perceptron.py", "A = 1\n")
    write(tmp_path / "perceptron.py", "A = 1\n")
    write(tmp_path / "readme.txt", "hello")
    write(tmp_path / "ola" / "perceptron.py", "A = 1\n")
    os.symlink(tmp_path / "ola", tmp_path / "pam")
    assert [s.student for s in discover(tmp_path, MODULES)] == ["ola"]


def test_a_symlinked_file_inside_a_folder_is_not_read(tmp_path):
    secret = write(tmp_path.parent / f"{tmp_path.name}_secret" / "perceptron.py", "SECRET = 1\n")
    (tmp_path / "quin").mkdir()
    os.symlink(secret, tmp_path / "quin" / "perceptron.py")
    assert by_student(tmp_path)["quin"].files == {}


def test_a_student_with_no_matching_file_is_still_listed(tmp_path):
    (tmp_path / "rob").mkdir()
    assert by_student(tmp_path)["rob"].files == {}


def test_discover_of_a_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        discover(tmp_path / "nope", MODULES)


# --- read_source ------------------------------------------------------------------------------


def test_read_source_of_valid_python_gives_its_text_and_a_short_filename():
    source = read_source(SubmittedFile("sam.zip:hw/perceptron.py", b"\xef\xbb\xbfdef f(x):\n    return x\n"))
    assert source.text == "def f(x):\n    return x\n"  # the UTF-8 BOM is dropped
    assert source.filename == "<perceptron.py>"
    assert source.skipped == ()


def test_non_utf8_bytes_give_a_submission_error_naming_the_file_and_the_line():
    raw = "# first\nx = 1\nname = 'café'\n".encode("latin-1")
    with pytest.raises(SubmissionError) as info:
        read_source(SubmittedFile("tom/perceptron.py", raw))
    message = str(info.value)
    assert message.startswith("tom/perceptron.py: ")
    assert "UTF-8" in message and "line 3" in message


def test_a_syntax_error_gives_a_submission_error_naming_the_file_the_line_and_the_message():
    raw = b"import numpy as np\n\ndef sign(z)\n    return np.where(z > 0, 1, -1)\n"
    with pytest.raises(SubmissionError) as info:
        read_source(SubmittedFile("uma/perceptron.py", raw))
    message = str(info.value)
    assert message.startswith("uma/perceptron.py: syntax error on line 3")
    assert "expected ':'" in message
    assert "def sign(z)" in message


def test_an_indentation_error_is_a_submission_error_too():
    with pytest.raises(SubmissionError, match="line 2"):
        read_source(SubmittedFile("vic/perceptron.py", b"def f(x):\nreturn x\n"))


def test_null_bytes_give_a_submission_error_not_a_crash():
    with pytest.raises(SubmissionError) as info:
        read_source(SubmittedFile("wes/perceptron.py", b"x = 1\n\x00\n"))
    assert str(info.value).startswith("wes/perceptron.py: ")


def test_read_source_of_a_notebook_extracts_its_definitions():
    raw = notebook("import numpy as np", "def f(x):\n    return x", "f(3)").encode()
    source = read_source(SubmittedFile("xia/perceptron.ipynb", raw))
    assert "def f(x):" in source.text and "import numpy as np" in source.text
    assert "f(3)" not in source.text
    assert len(source.skipped) == 1 and "cell 3" in source.skipped[0]
    assert source.filename == "<perceptron.ipynb>"


def test_a_notebook_cell_with_null_bytes_is_skipped_not_a_crash():
    raw = notebook("def f(x):\n    return x", "y = 1\x00").encode()
    source = read_source(SubmittedFile("yan/perceptron.ipynb", raw))
    assert "def f(x):" in source.text
    assert any("cell 2" in s for s in source.skipped)


def test_source_digest_depends_on_the_text():
    a = read_source(SubmittedFile("a/perceptron.py", b"A = 1\n"))
    b = read_source(SubmittedFile("b/perceptron.py", b"A = 1\n"))
    c = read_source(SubmittedFile("c/perceptron.py", b"A = 2\n"))
    assert a.digest == b.digest != c.digest


# --- read_file --------------------------------------------------------------------------------


def test_read_file_reads_a_py_file(tmp_path):
    path = write(tmp_path / "perceptron.py", "A = 1\n")
    assert read_file(path) == SubmittedFile(str(path), b"A = 1\n")


def test_read_file_of_a_missing_or_wrongly_named_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        read_file(tmp_path / "perceptron.py")
    with pytest.raises(UsageError, match=r"\.py or \.ipynb"):
        read_file(write(tmp_path / "perceptron.txt", "A = 1\n"))


def test_read_file_of_an_oversized_file_is_a_submission_error(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_FILE_BYTES", 10)
    with pytest.raises(SubmissionError, match="larger than"):
        read_file(write(tmp_path / "perceptron.py", "A = 1\n" * 10))


def test_file_names_mangled_by_an_lms_still_count(tmp_path):
    from grader.submissions import module_of

    modules = {"perceptron", "char_rnn"}
    assert module_of("Perceptron", modules) == "perceptron"
    assert module_of("perceptron (1)", modules) == "perceptron"
    assert module_of("char_rnn-2", modules) == "char_rnn"
    assert module_of("perceptron_old", modules) is None
    (tmp_path / "subs" / "zoe").mkdir(parents=True)
    (tmp_path / "subs" / "zoe" / "Perceptron (1).py").write_text("x = 1\n")
    (student,) = discover(tmp_path / "subs", modules)
    assert set(student.files) == {"perceptron"}


def test_loose_files_are_students_when_one_assignment_is_graded(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "uma.ipynb").write_text("{}")
    (root / "vic.py").write_text("x = 1\n")
    (root / "notes.txt").write_text("not a submission")
    students = {s.student: s for s in discover(root, {"conv"}, loose_module="conv")}
    assert set(students) == {"uma", "vic"}
    assert students["vic"].files["conv"].label == "vic.py"
    assert discover(root, {"conv", "dropout"}) == []  # which assignment would they be? ignored


def test_a_loose_file_and_a_folder_for_one_student_is_an_error(tmp_path):
    root = tmp_path / "export"
    (root / "uma").mkdir(parents=True)
    (root / "uma.py").write_text("x = 1\n")
    with pytest.raises(UsageError, match="appears twice"):
        discover(root, {"conv"}, loose_module="conv")


def test_discovery_survives_deep_folders_and_escapes_names(tmp_path):
    import os
    import subprocess

    deep = str(tmp_path / "deep")
    os.mkdir(deep)
    for _ in range(1100):  # deeper than Python's recursion limit
        deep += "/d"
        os.mkdir(deep)
    evil = tmp_path / "evil\x1b]0;owned\x07"
    evil.mkdir()
    (evil / "perceptron.py").write_text("x = 1")
    try:
        found = {s.student: s for s in discover(tmp_path, {"perceptron"})}
    finally:
        subprocess.run(["rm", "-rf", str(tmp_path / "deep")], check=True)  # shutil.rmtree recurses
    assert "levels deep" in found["deep"].problems[0]
    (label,) = [f.label for f in found["evil\x1b]0;owned\x07"].files.values()]
    assert "\x1b" not in label and "\\x1b" in label


def test_warnings_per_student_are_capped(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "flood.zip", "w") as archive:
        for i in range(500):
            archive.writestr(f"copy{i}/perceptron.py", "x = 1")
    (student,) = discover(tmp_path, {"perceptron"})
    assert len(student.problems) == 51 and student.problems[-1].startswith("... and 449 more")
