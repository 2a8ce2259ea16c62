"""A tiny declarative schema: every key has a type, a description and a default; unknown keys are errors."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.errors import SpecError

REQUIRED = object()


@dataclass(frozen=True)
class Key:
    """One key of a mapping: its kind (a Python type, a :class:`Mapping` or a :class:`ListOf`)."""

    kind: Any
    description: str
    default: Any = REQUIRED
    choices: tuple = ()
    check: Callable[[Any], str | None] | None = None  # returns a problem or None


@dataclass(frozen=True)
class Mapping:
    """A mapping with known keys."""

    keys: dict[str, Key]
    name: str = "mapping"


@dataclass(frozen=True)
class ListOf:
    """A list whose items all have one kind."""

    item: Any
    min_items: int = 0


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", type(None): "null"}


def _type_name(kind: Any) -> str:
    if isinstance(kind, Mapping):
        return f"a {kind.name} (key: value pairs)"
    if isinstance(kind, ListOf):
        return "a list"
    if isinstance(kind, tuple):
        return " or ".join(_type_name(k) for k in kind)
    return _TYPE_NAMES.get(kind, getattr(kind, "__name__", str(kind)))


@dataclass
class Validator:
    """Validates loaded YAML against a schema; errors name the file and the dotted key."""

    path: str
    errors: list[str] = field(default_factory=list)

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where or '(top level)'}: {message}")

    def value(self, kind: Any, data: Any, where: str) -> Any:
        if isinstance(kind, Mapping):
            return self.mapping(kind, data, where)
        if isinstance(kind, ListOf):
            if not isinstance(data, list):
                self.fail(where, f"expected a list, got {type(data).__name__} {data!r}")
                return []
            if len(data) < kind.min_items:
                self.fail(where, f"expected at least {kind.min_items} item(s), got {len(data)}")
            return [self.value(kind.item, item, f"{where}[{i}]") for i, item in enumerate(data)]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if data is None and type(None) in kinds:
            return None
        for option in kinds:
            if isinstance(option, (Mapping, ListOf)) and isinstance(data, dict if isinstance(option, Mapping) else list):
                return self.value(option, data, where)
        kinds = tuple(k for k in kinds if isinstance(k, type))
        if float in kinds and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if isinstance(data, bool) and bool not in kinds:
            self.fail(where, f"expected {_type_name(kind)}, got {data!r}")
            return data
        if not isinstance(data, kinds):
            self.fail(where, f"expected {_type_name(kind)}, got {type(data).__name__} {data!r}")
        return data

    def mapping(self, schema: Mapping, data: Any, where: str) -> dict:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.fail(where, f"expected {_type_name(schema)}, got {type(data).__name__} {data!r}")
            return {}
        out: dict[str, Any] = {}
        for key in data:
            if key not in schema.keys:
                known = ", ".join(sorted(schema.keys))
                self.fail(_join(where, str(key)), f"unknown key (known keys: {known})")
        for name, key in schema.keys.items():
            here = _join(where, name)
            if name not in data:
                if key.default is REQUIRED:
                    self.fail(here, f"missing required key ({key.description})")
                    continue
                default = key.default() if callable(key.default) else key.default
                if isinstance(key.kind, Mapping) and isinstance(default, dict):
                    default = self.mapping(key.kind, default, here)  # an absent mapping gets its keys' defaults too
                out[name] = default
                continue
            errors_before = len(self.errors)
            value = self.value(key.kind, data[name], here)
            well_typed = len(self.errors) == errors_before
            if key.choices and value not in key.choices:
                self.fail(here, f"expected one of {', '.join(map(str, key.choices))}, got {value!r}")
            if key.check is not None and well_typed:
                problem = key.check(value)
                if problem:
                    self.fail(here, problem)
            out[name] = value
        return out

    def raise_if_failed(self) -> None:
        if self.errors:
            lines = "\n  ".join(self.errors)
            raise SpecError(f"invalid manifest:\n  {lines}", path=self.path)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def document(schema: Mapping, indent: int = 0) -> str:
    """Markdown reference of a schema: every key with its type, default and description."""
    lines = []
    pad = "  " * indent
    for name, key in schema.keys.items():
        default = "required" if key.default is REQUIRED else f"default `{key.default() if callable(key.default) else key.default!r}`"
        choices = f"; one of {', '.join(map(str, key.choices))}" if key.choices else ""
        lines.append(f"{pad}- `{name}` ({_type_name(key.kind)}, {default}{choices}): {key.description}")
        inner = key.kind.item if isinstance(key.kind, ListOf) else key.kind
        for option in inner if isinstance(inner, tuple) else (inner,):  # e.g. (a mapping, None)
            if isinstance(option, Mapping):
                lines.append(document(option, indent + 1))
    return "\n".join(lines)


def positive(value: Any) -> str | None:
    """Check: a finite number above zero."""
    return None if value > 0 and math.isfinite(value) else f"must be a finite number above 0, got {value!r}"


def non_negative(value: Any) -> str | None:
    """Check: a finite number of at least zero."""
    return None if value >= 0 and math.isfinite(value) else f"must be a finite number, 0 or more, got {value!r}"


def identifier(value: Any) -> str | None:
    """Check: a Python identifier."""
    return None if isinstance(value, str) and value.isidentifier() else f"must be a Python identifier, got {value!r}"
