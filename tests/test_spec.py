"""grader.spec: loading assignment manifests; defaults resolved, every mistake a SpecError naming file and key."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.checks import Tolerance
from grader.cli import main
from grader.errors import SpecError, UsageError
from grader.schema import document
from grader.spec import LIMITS, MANIFEST, SCHEMA_VERSION, Course, find_course, load_assignment

REPO = Path(__file__).resolve().parents[1]

MINIMAL = """
schema_version: 1
title: Minimal
parts:
  - name: first
    cases:
      - {name: alpha, points: 1}
      - {name: beta, points: 2}
"""


def course_with(root: Path, manifests: dict[str, str | bytes]) -> Course:
    """A course folder whose assignments/<slug>/assignment.yaml hold the given texts."""
    for slug, text in manifests.items():
        folder = root / "assignments" / slug
        folder.mkdir(parents=True)
        path = folder / "assignment.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text))
    return Course(root)


def manifest_path(course: Course, slug: str = "demo") -> str:
    return str(course.assignments_dir / slug / "assignment.yaml")


def spec_error(tmp_path: Path, text: str | bytes) -> str:
    """Load ``text`` as assignment `demo`; the SpecError's message, which must name the file."""
    course = course_with(tmp_path, {"demo": text})
    with pytest.raises(SpecError) as info:
        course.assignment("demo")
    message = str(info.value)
    assert manifest_path(course) in message
    return message


def with_cases(cases: str, top: str = "") -> str:
    """A manifest with one part `first` holding the given YAML case lines (and extra top-level lines)."""
    return f"schema_version: 1\ntitle: T\n{top}parts:\n  - name: first\n    cases:\n{textwrap.indent(textwrap.dedent(cases), '      ')}"


# --- loading and defaults -------------------------------------------------------------------


def test_minimal_manifest_loads_with_every_default_filled(tmp_path):
    assignment = course_with(tmp_path, {"demo": MINIMAL}).assignment("demo")
    assert assignment.slug == "demo"
    assert assignment.title == "Minimal"
    assert assignment.module == "demo" and assignment.solution == "demo"
    assert assignment.check_mutation is True
    for name, key in LIMITS.keys.items():  # the limits the schema documents as defaults
        assert getattr(assignment.limits, name) == key.default
    (part,) = assignment.parts
    assert part.title == "first" and part.functions == ()
    alpha, beta = assignment.cases
    assert (alpha.name, alpha.part, alpha.points, beta.points) == ("alpha", "first", 1.0, 2.0)
    assert alpha.visibility == "hidden" and not alpha.public
    assert alpha.generator == "alpha" and beta.generator == "beta"
    assert alpha.checks == ("reference",)
    assert alpha.tolerance == Tolerance(rtol=1e-6, atol=1e-8, exact=False)  # DESIGN.md's float64 default
    assert alpha.time_seconds == LIMITS.keys["time_seconds"].default
    assert assignment.max_points == 3.0


def test_a_partial_limits_mapping_keeps_the_other_defaults_and_cases_inherit_its_time(tmp_path):
    text = with_cases("- {name: alpha, points: 1}\n", top="limits: {time_seconds: 2}\n")
    assignment = course_with(tmp_path, {"demo": text}).assignment("demo")
    assert assignment.limits.time_seconds == 2.0
    assert assignment.limits.memory_mb == LIMITS.keys["memory_mb"].default
    assert assignment.case("alpha").time_seconds == 2.0


def test_case_time_seconds_overrides_the_assignment_limit(tmp_path):
    text = with_cases("- {name: slow, points: 1, time_seconds: 7}\n- {name: quick, points: 1}\n",
                      top="limits: {time_seconds: 2}\n")
    assignment = course_with(tmp_path, {"demo": text}).assignment("demo")
    assert assignment.case("slow").time_seconds == 7.0
    assert assignment.case("quick").time_seconds == 2.0


def test_case_tolerance_overrides_only_the_keys_it_sets(tmp_path):
    text = with_cases(
        "- {name: loose, points: 1, tolerance: {rtol: 1.0e-5}}\n"
        "- {name: strict, points: 1, tolerance: {exact: true}}\n"
        "- {name: plain, points: 1}\n",
        top="tolerance: {rtol: 1.0e-7, atol: 1.0e-10}\n",
    )
    assignment = course_with(tmp_path, {"demo": text}).assignment("demo")
    assert assignment.case("loose").tolerance == Tolerance(rtol=1e-5, atol=1e-10, exact=False)
    assert assignment.case("strict").tolerance == Tolerance(rtol=1e-7, atol=1e-10, exact=True)
    assert assignment.case("plain").tolerance == Tolerance(rtol=1e-7, atol=1e-10, exact=False)


def test_explicit_generator_checks_visibility_module_and_solution_are_kept(tmp_path):
    text = with_cases("- {name: alpha, points: 0, visibility: public, generator: make_alpha, checks: [reference, prop]}\n",
                      top="module: student_mod\nsolution: ref_mod\ncheck_mutation: false\n")
    assignment = course_with(tmp_path, {"demo": text}).assignment("demo")
    case = assignment.case("alpha")
    assert case.public and case.generator == "make_alpha" and case.checks == ("reference", "prop")
    assert case.points == 0.0
    assert assignment.module == "student_mod" and assignment.solution == "ref_mod"
    assert assignment.solution_path == tmp_path / "solutions" / "ref_mod.py"
    assert assignment.check_mutation is False


def test_every_real_manifest_loads(course):
    for slug in course.slugs():
        assignment = course.assignment(slug)
        assert assignment.cases and assignment.max_points > 0


# --- errors: each names the file, the dotted key and what was expected ------------------------


def test_unknown_top_level_key_is_rejected_with_the_known_keys(tmp_path):
    message = spec_error(tmp_path, MINIMAL + "colour: red\n")
    assert "colour: unknown key (known keys: check_mutation, description," in message


@pytest.mark.parametrize("text, expected", [
    pytest.param(with_cases("- {name: alpha, points: 1}\n- {name: beta, pionts: 2, points: 2}\n"),
                 "parts[0].cases[1].pionts: unknown key", id="unknown key in a case"),
    pytest.param(with_cases("- {name: alpha, points: 1}\n", top="limits: {memory_gb: 1}\n"),
                 "limits.memory_gb: unknown key", id="unknown key in limits"),
    pytest.param(with_cases("- {name: alpha}\n"),
                 "parts[0].cases[0].points: missing required key (points the case is worth)", id="missing required key"),
    pytest.param(MINIMAL.replace("title: Minimal\n", ""), "title: missing required key", id="missing title"),
    pytest.param(with_cases("- {name: alpha, points: 1, kind: check}\n"),
                 "parts[0].cases[0].kind: expected one of answer, validation, got 'check'", id="unknown case kind"),
    pytest.param(with_cases("- {name: alpha, points: 1}\n", top="hidden_feedback: all\n"),
                 "hidden_feedback: expected one of summary, full, got 'all'", id="unknown hidden feedback"),
    pytest.param(with_cases("- {name: alpha, points: 1}\n- {name: beta, points: 'two'}\n"),
                 "parts[0].cases[1].points: expected a number, got str 'two'", id="string for points"),
    pytest.param(with_cases("- {name: alpha, points: true}\n"),
                 "parts[0].cases[0].points: expected a number, got True", id="bool for points"),
    pytest.param(with_cases("- {name: alpha, points: 1}\n", top="limits: [5, 512]\n"),
                 "limits: expected a limits (key: value pairs), got list [5, 512]", id="list for limits"),
    pytest.param(with_cases("- {name: alpha, points: 1, tolerance: {rtol: false}}\n"),
                 "parts[0].cases[0].tolerance.rtol: expected a number, got False", id="bool for a tolerance"),
    pytest.param(with_cases("- {name: alpha, points: 1, visibility: secret}\n"),
                 "parts[0].cases[0].visibility: expected one of public, hidden, got 'secret'", id="bad visibility"),
])
def test_a_bad_value_is_named_by_its_dotted_key_and_what_was_expected(tmp_path, text, expected):
    assert expected in spec_error(tmp_path, text)


def test_negative_points_are_rejected(tmp_path):
    message = spec_error(tmp_path, with_cases("- {name: alpha, points: 1}\n- {name: beta, points: -2}\n"))
    assert "parts[0].cases[1].points: must be a finite number, 0 or more" in message


@pytest.mark.parametrize("value", ["0", "-1"])
def test_non_positive_case_time_is_rejected(tmp_path, value):
    message = spec_error(tmp_path, with_cases(f"- {{name: alpha, points: 1, time_seconds: {value}}}\n"))
    assert "parts[0].cases[0].time_seconds: must be a finite number above 0" in message


def test_negative_tolerance_is_rejected(tmp_path):
    message = spec_error(tmp_path, with_cases("- {name: alpha, points: 1}\n", top="tolerance: {atol: -1.0e-8}\n"))
    assert "tolerance.atol: must be a finite number, 0 or more" in message


def test_non_identifier_case_name_is_rejected(tmp_path):
    message = spec_error(tmp_path, with_cases("- {name: 2nd-case, points: 1}\n"))
    assert "parts[0].cases[0].name: must be a Python identifier, got '2nd-case'" in message


def test_empty_case_list_is_rejected(tmp_path):
    message = spec_error(tmp_path, "schema_version: 1\ntitle: T\nparts:\n  - name: first\n    cases: []\n")
    assert "parts[0].cases: expected at least 1 item(s), got 0" in message


def test_duplicate_case_names_across_parts_are_rejected(tmp_path):
    text = MINIMAL + "  - name: second\n    cases:\n      - {name: gamma, points: 1}\n      - {name: alpha, points: 1}\n"
    message = spec_error(tmp_path, text)
    assert "parts[1].cases[1].name: duplicate case name 'alpha' (also in part 'first')" in message


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, "'1'"])
def test_wrong_schema_version_is_rejected(tmp_path, version):
    message = spec_error(tmp_path, MINIMAL.replace("schema_version: 1", f"schema_version: {version}"))
    assert f"schema_version: this grader reads version {SCHEMA_VERSION}" in message


def test_invalid_yaml_syntax_is_a_spec_error_with_the_yaml_position(tmp_path):
    message = spec_error(tmp_path, "schema_version: 1\ntitle: [unclosed\nparts: []\n")
    assert "not valid YAML" in message
    assert "line" in message


def test_empty_file_names_the_required_keys(tmp_path):
    message = spec_error(tmp_path, "")
    for key in ("schema_version", "title", "parts"):
        assert f"{key}: missing required key" in message


def test_a_manifest_that_is_a_list_is_rejected_at_the_top_level(tmp_path):
    message = spec_error(tmp_path, "- 1\n- 2\n")
    assert "(top level): expected a manifest (key: value pairs), got list" in message


def test_non_utf8_manifest_is_a_spec_error(tmp_path):
    message = spec_error(tmp_path, b"schema_version: 1\ntitle: caf\xe9\n")
    assert "not UTF-8" in message


def test_unreadable_manifest_is_a_spec_error_naming_the_file(tmp_path):
    folder = tmp_path / "assignments" / "demo"
    (folder / "assignment.yaml").mkdir(parents=True)  # exists, cannot be read as a file (even by root)
    with pytest.raises(SpecError) as info:
        load_assignment(Course(tmp_path), folder)
    assert str(folder / "assignment.yaml") in str(info.value)
    assert "cannot read" in str(info.value)


def test_a_broken_manifest_is_an_error_message_not_a_traceback_on_the_command_line(tmp_path, capsys):
    course = course_with(tmp_path, {"demo": with_cases("- {name: alpha, points: lots}\n")})
    code = main(["--course", str(course.root), "build", "--assignment", "demo"])
    _, err = capsys.readouterr()
    assert code == SpecError.exit_code
    assert err.startswith("error: " + manifest_path(course))
    assert "parts[0].cases[0].points: expected a number" in err
    assert "Traceback" not in err


# --- finding courses and assignments ----------------------------------------------------------


def test_unknown_assignment_is_a_usage_error_listing_known_slugs(tmp_path):
    course = course_with(tmp_path, {"alpha": MINIMAL, "beta": MINIMAL})
    (tmp_path / "assignments" / "not_an_assignment").mkdir()  # no manifest: not listed
    with pytest.raises(UsageError) as info:
        course.assignment("nope")
    assert "unknown assignment 'nope' (known: alpha, beta)" in str(info.value)


def test_slugs_of_a_folder_without_assignments_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        Course(tmp_path).slugs()


def test_find_course_with_a_folder_without_assignments_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as info:
        find_course(str(tmp_path))
    assert str(tmp_path) in str(info.value) and "assignments/" in str(info.value)


def test_find_course_accepts_a_course_folder(tmp_path):
    course_with(tmp_path, {"demo": MINIMAL})
    assert find_course(str(tmp_path)).root == tmp_path.resolve()


def test_find_course_uses_the_environment_variable(tmp_path, monkeypatch):
    course_with(tmp_path, {"demo": MINIMAL})
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    assert find_course(None).root == tmp_path.resolve()


# --- the generated reference page ------------------------------------------------------------


def test_manifest_reference_page_is_in_sync_with_the_schema():
    expected = ("# The assignment manifest (`assignment.yaml`)\n\n"
                "Generated from grader/spec.py; `tests/test_spec.py` keeps it in sync.\n\n"
                + document(MANIFEST) + "\n")
    page = REPO / "docs" / "manifest.md"
    assert page.read_text(encoding="utf-8") == expected, "docs/manifest.md is stale: regenerate it from document(MANIFEST)"


def test_manifest_reference_page_documents_every_case_key():
    page = (REPO / "docs" / "manifest.md").read_text(encoding="utf-8")
    case_keys = MANIFEST.keys["parts"].kind.item.keys["cases"].kind.item.keys
    for name in case_keys:
        assert f"    - `{name}` (" in page


def test_duplicate_part_names_are_rejected(tmp_path):
    text = MINIMAL + "  - name: first\n    cases:\n      - {name: gamma, points: 1}\n"
    message = spec_error(tmp_path, text)
    assert "parts[1].name" in message and "duplicate part name 'first'" in message


def test_infinite_points_and_limits_are_rejected(tmp_path):
    message = spec_error(tmp_path, with_cases("- {name: a, points: .inf}", top="limits: {time_seconds: .inf}\n"))
    assert "limits.time_seconds: must be a finite number above 0" in message
    assert "parts[0].cases[0].points: must be a finite number, 0 or more" in message


def test_a_value_error_is_reported_even_after_an_earlier_unrelated_error(tmp_path):
    message = spec_error(tmp_path, with_cases("- {name: a, points: -1}", top="colour: blue\n"))
    assert "colour: unknown key" in message
    assert "parts[0].cases[0].points: must be a finite number, 0 or more" in message
