"""`grader kit`: everything a student needs, nothing from the solutions, and it works once installed."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
SLUGS = ["backprop", "char_rnn", "conv", "dropout", "perceptron"]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kit") / "dl-kit"
    assert main(["--course", str(REPO), "kit", "--out", str(out)]) == 0
    return out


def kit_texts(kit: Path) -> dict[str, str]:
    return {p.relative_to(kit).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in kit.rglob("*") if p.is_file()}


def test_the_kit_holds_stubs_notebooks_handouts_fixtures_and_the_grader(kit):
    names = set(kit_texts(kit))
    for slug in SLUGS:
        assert {f"student_template/{slug}.py", f"student_template/{slug}.ipynb", f"assignments/{slug}/handout.md",
                f"assignments/{slug}/assignment.yaml", f"assignments/{slug}/public/fixtures.json"} <= names
    assert {"grader-package/pyproject.toml", "grader-package/grader/cli.py", "README.md"} <= names


def test_no_solution_mistake_or_case_generator_source_is_in_the_kit(kit):
    texts = kit_texts(kit)
    assert not [n for n in texts if "solutions" in n or "mistakes" in n or (n.startswith("assignments/") and n.endswith("cases.py"))]
    handed_out = "\n".join(p.read_text() for p in (REPO / "student_template").glob("*.py"))
    secret_files = [*(REPO / "solutions").rglob("*.py"), *(REPO / "assignments").glob("*/cases.py")]
    assert len(secret_files) > 20
    everything = "\n".join(texts.values())
    for path in secret_files:
        # every substantial line of a solution, mistake or generator that the stubs do not already show
        lines = {line.strip() for line in path.read_text().splitlines()}
        telling = [line for line in lines if len(line) >= 40 and not line.startswith(("#", '"""', "def ", "import", "from"))
                   and line not in handed_out]
        leaked = [line for line in telling if line in everything]
        # drivers of public cases are part of the public fixtures by design; solutions and mistakes never
        if "solutions" in path.parts:
            assert not leaked, (path, leaked[:3])


def test_a_zip_kit_holds_the_same_files(kit, tmp_path):
    out = tmp_path / "dl-kit.zip"
    assert main(["--course", str(REPO), "kit", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert {n.split("/", 1)[1] for n in archive.namelist()} == set(kit_texts(kit))


def test_kit_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    assert main(["--course", str(REPO), "kit", "--out", str(tmp_path / "full")]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_installed_in_a_fresh_environment_check_works_from_anywhere_without_a_variable(kit, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # the test environment's libraries (numpy, pip, setuptools...) but not its grader: a .pth adds the
    # directory without processing the editable install's own .pth files
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "test-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PYTHON"))}
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    str(kit / "grader-package")], check=True, env=env, cwd=tmp_path, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import grader; print(grader.__file__)"], capture_output=True, text=True,
                           env=env, cwd=elsewhere, check=True).stdout
    assert where.startswith(str(venv)), where

    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "grader"), "check", "perceptron", "--path", str(path)],
                              capture_output=True, text=True, env=env, cwd=elsewhere, timeout=120)

    stub = check(kit / "student_template" / "perceptron.py")
    assert stub.returncode == 1 and "public score: 0/" in stub.stdout, stub.stdout + stub.stderr
    (elsewhere / "perceptron.py").write_text((REPO / "solutions" / "perceptron.py").read_text())
    reference = check(elsewhere / "perceptron.py")
    assert reference.returncode == 0 and "(100%)" in reference.stdout, reference.stdout + reference.stderr
    # what a notebook's check cell calls, with the functions defined in the kernel
    cell = ("import importlib.util, sys\n"
            "spec = importlib.util.spec_from_file_location('perceptron', 'perceptron.py')\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            "from grader.inline import run_check\n"
            "result = run_check('perceptron', vars(module)).result\n"
            "print(result.points, result.max_points)\n")
    inline = subprocess.run([str(python), "-c", cell], capture_output=True, text=True, env=env, cwd=elsewhere, timeout=120)
    points, max_points = inline.stdout.split()
    assert float(points) == float(max_points) > 0, inline.stderr
