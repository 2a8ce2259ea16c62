"""grader.schema: the declarative validator behind the manifest; every error names the file and the dotted key."""
from __future__ import annotations

import pytest

from grader.errors import SpecError
from grader.schema import Key, ListOf, Mapping, Validator, document, identifier, non_negative, positive

INNER = Mapping(
    {
        "size": Key(int, "a size", 3, check=positive),
        "ratio": Key(float, "a ratio", 0.5, check=non_negative),
    },
    "inner",
)
ITEM = Mapping(
    {
        "name": Key(str, "the item's name", check=identifier),
        "weight": Key(float, "its weight", check=non_negative),
        "kind": Key(str, "its kind", "plain", choices=("plain", "fancy")),
        "flag": Key(bool, "a switch", False),
        "limit": Key((float, type(None)), "an optional number", None),
    },
    "item",
)
SCHEMA = Mapping(
    {
        "title": Key(str, "the title"),
        "inner": Key(INNER, "an inner mapping", dict),
        "items": Key(ListOf(ITEM, 1), "the items"),
        "tags": Key(ListOf(str), "some tags", list),
    },
    "thing",
)
PATH = "/some/where/thing.yaml"


def validate(data):
    """Validate ``data`` against SCHEMA; return the filled mapping or raise the SpecError."""
    validator = Validator(PATH)
    out = validator.mapping(SCHEMA, data, "")
    validator.raise_if_failed()
    return out


def error_of(data) -> str:
    with pytest.raises(SpecError) as info:
        validate(data)
    assert info.value.path == PATH
    return str(info.value)


def valid(**changes):
    data = {"title": "T", "items": [{"name": "a", "weight": 1}]}
    data.update(changes)
    return data


def test_defaults_are_filled_for_missing_optional_keys():
    out = validate(valid())
    assert out["inner"] == {"size": 3, "ratio": 0.5}
    assert out["tags"] == []
    assert out["items"][0] == {"name": "a", "weight": 1.0, "kind": "plain", "flag": False, "limit": None}


def test_callable_defaults_give_a_fresh_object_each_time():
    first, second = validate(valid()), validate(valid())
    first["tags"].append("x")
    assert second["tags"] == []


def test_an_integer_is_accepted_where_a_number_is_expected_and_becomes_a_float():
    out = validate(valid(items=[{"name": "a", "weight": 2}]))
    assert type(out["items"][0]["weight"]) is float


def test_unknown_top_level_key_is_rejected_and_the_known_keys_are_listed():
    message = error_of(valid(titel="x"))
    assert PATH in message
    assert "titel: unknown key" in message
    assert "inner, items, tags, title" in message


def test_unknown_nested_key_is_rejected_with_its_dotted_path():
    message = error_of(valid(items=[{"name": "a", "weight": 1}, {"name": "b", "weight": 1, "colour": "red"}]))
    assert "items[1].colour: unknown key" in message


def test_missing_required_key_is_named_with_its_description():
    message = error_of(valid(items=[{"name": "a"}]))
    assert "items[0].weight: missing required key (its weight)" in message


def test_string_where_a_number_is_expected_says_what_was_expected_and_got():
    message = error_of(valid(items=[{"name": "a", "weight": "3"}]))
    assert "items[0].weight: expected a number, got str '3'" in message


def test_bool_where_a_number_is_expected_is_rejected():
    message = error_of(valid(items=[{"name": "a", "weight": True}]))
    assert "items[0].weight: expected a number, got True" in message


def test_bool_where_an_integer_is_expected_is_rejected():
    message = error_of(valid(inner={"size": False}))
    assert "inner.size: expected an integer, got False" in message


def test_list_where_a_mapping_is_expected_is_rejected():
    message = error_of(valid(inner=[1, 2]))
    assert "inner: expected a inner (key: value pairs), got list [1, 2]" in message


def test_mapping_where_a_list_is_expected_is_rejected():
    message = error_of(valid(tags={"a": 1}))
    assert "tags: expected a list, got dict" in message


def test_a_list_shorter_than_its_minimum_is_rejected():
    message = error_of(valid(items=[]))
    assert "items: expected at least 1 item(s), got 0" in message


def test_a_value_outside_its_choices_lists_the_choices():
    message = error_of(valid(items=[{"name": "a", "weight": 1, "kind": "odd"}]))
    assert "items[0].kind: expected one of plain, fancy, got 'odd'" in message


def test_a_failing_check_is_reported_at_its_key():
    message = error_of(valid(items=[{"name": "a", "weight": -1}]))
    assert "items[0].weight: must be a finite number, 0 or more, got -1.0" in message


def test_optional_value_accepts_null_and_a_number_but_not_a_string():
    assert validate(valid(items=[{"name": "a", "weight": 1, "limit": None}]))["items"][0]["limit"] is None
    assert validate(valid(items=[{"name": "a", "weight": 1, "limit": 2}]))["items"][0]["limit"] == 2.0
    message = error_of(valid(items=[{"name": "a", "weight": 1, "limit": "soon"}]))
    assert "items[0].limit: expected a number or null, got str 'soon'" in message


def test_a_top_level_non_mapping_is_reported_at_the_top_level():
    message = error_of(["a", "b"])
    assert "(top level): expected a thing (key: value pairs), got list" in message


def test_every_error_is_reported_at_once():
    message = error_of({"titel": "x", "items": [{"weight": "heavy"}]})
    for fragment in ("titel: unknown key", "title: missing required key", "items[0].name: missing required key",
                     "items[0].weight: expected a number"):
        assert fragment in message


@pytest.mark.parametrize("check, good, bad", [
    (positive, 0.1, 0), (non_negative, 0, -0.1), (identifier, "case_1", "1case"),
])
def test_checks_accept_and_reject_with_a_reason(check, good, bad):
    assert check(good) is None
    assert repr(bad) in check(bad)


def test_identifier_rejects_a_non_string():
    assert identifier(3) is not None


def test_document_lists_every_key_with_type_default_and_nested_keys():
    text = document(SCHEMA)
    lines = text.splitlines()
    assert lines[0] == "- `title` (a string, required): the title"
    assert "  - `size` (an integer, default `3`): a size" in lines
    assert "- `tags` (a list, default `[]`): some tags" in lines
    assert "  - `kind` (a string, default `'plain'`; one of plain, fancy): its kind" in lines
    assert "  - `limit` (a number or null, default `None`): an optional number" in lines
    documented = {line.split("`")[1] for line in lines}
    assert documented == set(SCHEMA.keys) | set(INNER.keys) | set(ITEM.keys)


def test_document_describes_a_mapping_that_may_also_be_null():
    schema = Mapping({"opt": Key((INNER, type(None)), "optional inner", None)})
    text = document(schema)
    assert "- `opt` (a inner (key: value pairs) or null, default `None`): optional inner" in text
    assert "  - `size` (an integer, default `3`): a size" in text
